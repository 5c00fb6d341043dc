import ASTCore

/// An audio file read block by block through libsndfile, as Float samples.
public final class FileReaderNode: AudioNode {
  private let reader: AudioFileReader
  /// The frames the read buffer holds: many blocks' worth, so that reading costs few
  /// system calls.
  private var capacity: Int
  /// Whether the file has no more frames to read.
  private var atEnd = false
  private var interleaved: [Float]
  /// 16-bit PCM files are read as integers and converted in one pass with the
  /// deinterleaving, rather than converted by libsndfile and then deinterleaved.
  private var shorts: [Int16]
  /// Frames read and not yet rendered: `cursor..<available` of the read buffer.
  private var cursor = 0
  private var available = 0
  private var position = 0
  /// The read buffer's memory in the run's budget.
  private let memory: MemoryReservation

  /// Opens `path`.
  ///
  /// - Throws: ``ASTCore/AudioFileError`` naming the file, or ``MemoryLimitError`` when
  ///   the run has no room for the read buffer.
  public init(path: String, context: RenderContext) throws {
    reader = try AudioFileReader(path: path)
    capacity = max(context.blockSize, 16_384)
    let samples = capacity * reader.info.channelCount
    let readsShorts =
      reader.info.encoding == .int16 && [.wav, .aiff].contains(reader.info.format)
    memory = try context.memory.reserve(
      MemoryBudget.bytes(samples, width: readsShorts ? 2 : 4), for: .part("the read buffer"))
    interleaved = readsShorts ? [] : [Float](repeating: 0, count: samples)
    shorts = readsShorts ? [Int16](repeating: 0, count: samples) : []
    super.init(
      sampleRate: reader.info.sampleRate, channelCount: reader.info.channelCount,
      frameCount: reader.info.format == .mp3 || reader.info.format == nil
        ? nil : reader.info.frameCount, context: context)
  }

  /// Moves `count` samples from index `start` of `samples` to its front.
  private static func moveToFront<Sample>(_ samples: inout [Sample], from start: Int, count: Int) {
    samples.withUnsafeMutableBufferPointer { samples in
      let base = samples.baseAddress!
      base.update(from: base + start, count: count)
    }
  }

  /// Makes `samples` `count` long, with zeros after those it holds.
  private static func lengthen<Sample: Numeric>(_ samples: inout [Sample], to count: Int) {
    samples += repeatElement(0, count: count - samples.count)
  }

  /// Reads on until `frames` frames not yet rendered are held or the file ends: the read
  /// (a system call) happens here, in the ready pass, never in a render.
  override public func ready(frames: Int) async throws {
    guard available - cursor < frames, !atEnd else { return }
    let channels = channelCount
    let held = available - cursor
    if cursor > 0 {
      if interleaved.isEmpty {
        Self.moveToFront(&shorts, from: cursor * channels, count: held * channels)
      } else {
        Self.moveToFront(&interleaved, from: cursor * channels, count: held * channels)
      }
      cursor = 0
      available = held
    }
    if frames > capacity {
      // A consumer that takes many blocks at once (a resampler to a much lower rate).
      let width = interleaved.isEmpty ? 2 : 4
      try memory.grow(
        toAtLeast: MemoryBudget.bytes(frames * channels, width: width), origin: origin)
      capacity = frames
      if interleaved.isEmpty {
        Self.lengthen(&shorts, to: frames * channels)
      } else {
        Self.lengthen(&interleaved, to: frames * channels)
      }
    }
    while available < frames {
      let wanted = capacity - available
      let read =
        if interleaved.isEmpty {
          try shorts.withUnsafeMutableBufferPointer {
            try reader.read(into: $0.baseAddress! + available * channels, frames: wanted)
          }
        } else {
          try interleaved.withUnsafeMutableBufferPointer {
            try reader.read(into: $0.baseAddress! + available * channels, frames: wanted)
          }
        }
      available += read
      if read == 0 {
        atEnd = true
        break
      }
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let channels = channelCount
    let count = min(frames, available - cursor)
    if count < frames, !atEnd { throw RenderError.notReady(self) }
    if interleaved.isEmpty {
      shorts.withUnsafeBufferPointer { samples in
        buffer.deinterleave(
          int16: samples.baseAddress! + cursor * channels, frames: count, channels: channels,
          at: 0)
      }
    } else {
      buffer.deinterleave(interleaved, from: cursor * channels, frames: count, channels: channels)
    }
    cursor += count
    if let total = frameCount, count < frames, position + count < total {
      // A file that ends before the length its header declares is damaged; nodes that
      // rely on the length (fades, envelopes) would be wrong with a shorter signal.
      // A length past what a signal can hold is a decoder's "unknown", not a count.
      throw RenderError.failed(
        total > SignalLength.maximumFrames
          ? "cannot read '\(reader.path)': the file ended after \(position + count) frames, "
            + "and its header gives no length to check them against: it is cut short or damaged"
          : "cannot read '\(reader.path)': the file ended after \(position + count) of the "
            + "\(total) frames its header declares")
    }
    position += count
    return count
  }
}
