/// A signal passed on unchanged while something watches each block (writing it to a
/// file, summarising it), with a last call when it ends.
public final class TapNode: AudioNode {
  /// Passes `input` on, drawing each block into `picture` and writing it to `path` at
  /// the end (`plot`, `spectrogram`, `ast run --plot`). Errors name the file
  /// `displayPath` (`path` when `nil`), and `naming` turns a failure to write it into the
  /// error thrown.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for the blocks held.
  public convenience init(
    _ input: AudioNode, drawing picture: some SignalPicture, to path: String,
    displayPath: String? = nil, naming: @escaping (any Error) -> any Error = { $0 }
  ) throws {
    try self.init(
      input, onBlock: { buffer, count in try picture.add(buffer, frames: count) },
      onEnd: {
        do {
          try picture.write(to: path, displayPath: displayPath ?? path)
        } catch {
          throw naming(error)
        }
      })
  }

  private let input: AudioNode
  private let onBlock: (AudioBuffer, Int) async throws -> Void
  private let onEnd: () async throws -> Void
  private let onAbandon: (() async -> Void)?
  private var abandoned = false
  private var ended = false
  private var endReported = false
  private var passed = 0
  /// The blocks rendered since the last ready pass, which hands them on.
  private let pending: FrameQueue
  private let scratch: AudioBuffer

  /// Passes `input` on, calling `onBlock` for each block and `onEnd` once at the end:
  /// when the input runs short, or when its known length has passed (consumers that
  /// know the length stop pulling exactly there). Both are called in the ready pass
  /// after the render that passed the block, or when the tap is settled. A tap settled
  /// before its input ended (its consumer stopped early: a `slice`) calls `onAbandon`
  /// instead of `onEnd`, once: a file that will not be complete is removed then, not
  /// whenever the graph happens to be freed.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for the blocks held.
  public init(
    _ input: AudioNode, onBlock: @escaping (AudioBuffer, Int) async throws -> Void,
    onEnd: @escaping () async throws -> Void, onAbandon: (() async -> Void)? = nil
  ) throws {
    self.input = input
    self.onBlock = onBlock
    self.onEnd = onEnd
    self.onAbandon = onAbandon
    pending = try FrameQueue(channels: input.channelCount, context: input.context, origin: nil)
    scratch = input.makeBuffer()
    super.init(sameFormatAs: input)
  }

  /// Hands the blocks passed since the last ready pass to `onBlock`, and says the end
  /// when it has come.
  private func handOn() async throws {
    do {
      while pending.frames > 0 {
        let count = min(pending.frames, context.blockSize)
        pending.read(into: scratch, frames: count)
        try await onBlock(scratch, count)
      }
      if ended, !endReported {
        endReported = true
        try await onEnd()
      }
    } catch var error as MemoryLimitError where error.origin == nil {
      // What watches the blocks (a picture that grows) asked for the memory at the tap.
      error.origin = origin
      throw error
    }
  }

  override public func ready(frames: Int) async throws {
    try await handOn()
    guard !ended else { return }
    try pending.reserve(frames)
    try await input.ready(frames: frames)
  }

  override public func finish() async throws {
    try await handOn()
    if !ended, !abandoned {
      abandoned = true
      await onAbandon?()
    }
    try await input.finish()
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    guard !ended else { return 0 }
    let count = try input.render(into: buffer, frames: frames)
    try pending.append(buffer, frames: count)
    passed += count
    if count < frames || passed == frameCount { ended = true }
    return count
  }
}
