import Foundation

/// Settings shared by every node of one render.
public final class RenderContext: Sendable {
  /// The most frames pulled at once.
  public let blockSize: Int
  /// Stops the render when cancelled.
  public let cancellation: CancellationToken
  /// Where numeric trouble (clipping, NaN) is counted.
  public let trouble: TroubleReport
  /// The most bytes the run may hold at once, everything it holds counted together
  /// (``memory``).
  public let memoryLimit: Int
  /// The memory the run holds, counted against ``memoryLimit``, or against the
  /// machine's memory when that is less: every buffer of the render is reserved in it
  /// before it is allocated, and released when it is freed.
  public let memory: MemoryBudget
  /// When set, each signal or stream drained to its end is rendered for at most this
  /// many seconds instead: a preview (the run-time fuzzer renders every script it makes
  /// this way).
  public let previewSeconds: Double?
  /// Whether a sound device paces the render: what a node would make on the render's
  /// thread when it starts a voice is made ahead on another (``VoicesNode``). Offline,
  /// it is made in the ready pass, which is quicker.
  public let isRealtime: Bool

  /// The machine's memory, in bytes.
  static let machineMemory = Int(clamping: ProcessInfo.processInfo.physicalMemory)

  /// The default ``memoryLimit``: 2 GiB, about 90 minutes of 48 kHz stereo.
  public static let defaultMemoryLimit = 2 << 30

  /// Creates a context.
  public init(
    blockSize: Int = 1024, cancellation: CancellationToken = CancellationToken(),
    trouble: TroubleReport = TroubleReport(), memoryLimit: Int = RenderContext.defaultMemoryLimit,
    previewSeconds: Double? = nil, isRealtime: Bool = false
  ) {
    self.isRealtime = isRealtime
    precondition(blockSize > 0, "block size must be positive")
    self.blockSize = blockSize
    self.cancellation = cancellation
    self.trouble = trouble
    self.memoryLimit = memoryLimit
    self.previewSeconds = previewSeconds
    memory = MemoryBudget(limit: memoryLimit, machineMemory: Self.machineMemory)
  }
}
