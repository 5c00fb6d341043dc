/// Settings shared by every node of one render.
public final class RenderContext: Sendable {
  /// The most frames pulled at once.
  public let blockSize: Int
  /// Stops the render when cancelled.
  public let cancellation: CancellationToken
  /// Where numeric trouble (clipping, NaN) is counted.
  public let trouble: TroubleReport
  /// The most bytes one node may hold: what needs the whole signal (`reverse`,
  /// `normalize`) or grows with a duration (a delay line, a chunk) is refused beyond it.
  public let memoryLimit: Int

  /// The default ``memoryLimit``: 2 GiB, about 90 minutes of 48 kHz stereo.
  public static let defaultMemoryLimit = 2 << 30

  /// Creates a context.
  public init(
    blockSize: Int = 1024, cancellation: CancellationToken = CancellationToken(),
    trouble: TroubleReport = TroubleReport(), memoryLimit: Int = RenderContext.defaultMemoryLimit
  ) {
    precondition(blockSize > 0, "block size must be positive")
    self.blockSize = blockSize
    self.cancellation = cancellation
    self.trouble = trouble
    self.memoryLimit = memoryLimit
  }

  /// Throws when holding `frames` frames of `channels` samples of `width` bytes would
  /// pass ``memoryLimit``; `purpose` says what needs them ("'reverse' holds the whole
  /// signal").
  public func checkMemory(frames: Int, channels: Int, width: Int, for purpose: String) throws {
    let (samples, overflow1) = frames.multipliedReportingOverflow(by: channels)
    let (bytes, overflow2) = samples.multipliedReportingOverflow(by: width)
    let overflow = overflow1 || overflow2
    guard overflow || bytes > memoryLimit else { return }
    let needed = overflow ? "more than can be counted" : Self.describe(bytes)
    throw RenderError.failed(
      "\(purpose): that needs \(needed) of memory, more than the limit of "
        + "\(Self.describe(memoryLimit))")
  }

  /// `512 MB`, `3.2 GB`.
  static func describe(_ bytes: Int) -> String {
    let megabytes = Double(bytes) / Double(1 << 20)
    if megabytes < 1024 { return "\(Int(megabytes.rounded(.up))) MB" }
    return "\((megabytes / 1024 * 10).rounded(.up) / 10) GB"
  }
}
