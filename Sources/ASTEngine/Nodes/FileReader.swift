import ASTCore

/// An audio file read block by block through libsndfile, as Float samples.
public final class FileReaderNode: AudioNode {
  private let reader: AudioFileReader
  /// Frames read from the file at once: many blocks' worth, so that reading costs few
  /// system calls.
  private let readFrames: Int
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
    readFrames = max(context.blockSize, 16_384)
    let samples = readFrames * reader.info.channelCount
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

  private func refill() throws {
    cursor = 0
    if interleaved.isEmpty {
      available = try shorts.withUnsafeMutableBufferPointer {
        try reader.read(into: $0.baseAddress!, frames: readFrames)
      }
    } else {
      available = try interleaved.withUnsafeMutableBufferPointer {
        try reader.read(into: $0.baseAddress!, frames: readFrames)
      }
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let channels = channelCount
    var count = 0
    while count < frames {
      if cursor == available {
        try refill()
        if available == 0 { break }
      }
      let run = min(frames - count, available - cursor)
      if interleaved.isEmpty {
        shorts.withUnsafeBufferPointer { samples in
          buffer.deinterleave(
            int16: samples.baseAddress! + cursor * channels, frames: run, channels: channels,
            at: count)
        }
      } else {
        buffer.deinterleave(
          interleaved, from: cursor * channels, frames: run, channels: channels, at: count)
      }
      cursor += run
      count += run
    }
    if let total = frameCount, count < frames, position + count < total {
      // A file that ends before the length its header declares is damaged; nodes that
      // rely on the length (fades, envelopes) would be wrong with a shorter signal.
      throw RenderError.failed(
        "cannot read '\(reader.path)': the file ended after \(position + count) of the "
          + "\(total) frames its header declares")
    }
    position += count
    return count
  }
}
