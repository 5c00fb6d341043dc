/// A signal passed on unchanged while something watches each block (writing it to a
/// file, summarising it), with a last call when it ends.
public final class TapNode: AudioNode {
  /// Passes `input` on, drawing each block into `picture` and writing it to `path` at
  /// the end (`plot`, `spectrogram`, `ast run --plot`). Errors name the file
  /// `displayPath` (`path` when `nil`), and `naming` turns a failure to write it into the
  /// error thrown.
  public convenience init(
    _ input: AudioNode, drawing picture: some SignalPicture, to path: String,
    displayPath: String? = nil, naming: @escaping (any Error) -> any Error = { $0 }
  ) {
    self.init(
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
  private var ended = false
  private var passed = 0

  /// Passes `input` on, calling `onBlock` for each block and `onEnd` once at the end:
  /// when the input runs short, or when its known length has passed (consumers that
  /// know the length stop pulling exactly there).
  public init(
    _ input: AudioNode, onBlock: @escaping (AudioBuffer, Int) async throws -> Void,
    onEnd: @escaping () async throws -> Void
  ) {
    self.input = input
    self.onBlock = onBlock
    self.onEnd = onEnd
    super.init(sameFormatAs: input)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    guard !ended else { return 0 }
    let count = try await input.render(into: buffer, frames: frames)
    do {
      if count > 0 { try await onBlock(buffer, count) }
      passed += count
      if count < frames || passed == frameCount {
        ended = true
        try await onEnd()
      }
    } catch var error as MemoryLimitError where error.origin == nil {
      // What watches the blocks (a picture that grows) asked for the memory at the tap.
      error.origin = origin
      throw error
    }
    return count
  }
}
