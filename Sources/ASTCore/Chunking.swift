/// The chunks of an ``AudioStream`` of a given duration, produced lazily.
///
/// Chunk `i` holds frames `[i n, (i + 1) n)` where `n = round(duration * sampleRate)`;
/// the last chunk may be shorter. Each chunk keeps the source's format and metadata,
/// adds `chunk_index: i`, and has the timestamp `(start + i n / rate, start + end / rate)`
/// where `start` is the source's own start and `end` is the chunk's true last frame.
public struct AudioStreamChunks: Sequence, Sendable {
  /// The stream being cut.
  public let source: AudioStream
  /// Frames per chunk.
  public let framesPerChunk: Int

  /// The number of chunks.
  public var count: Int {
    (source.frameCount + framesPerChunk - 1) / framesPerChunk
  }

  /// Creates the iterator.
  public func makeIterator() -> Iterator {
    Iterator(chunks: self)
  }

  /// Produces the chunks in order.
  public struct Iterator: IteratorProtocol {
    let chunks: AudioStreamChunks
    var index = 0

    /// The next chunk, or `nil` after the last.
    public mutating func next() -> AudioStream? {
      let source = chunks.source
      let firstFrame = index * chunks.framesPerChunk
      guard firstFrame < source.frameCount else { return nil }
      let endFrame = Swift.min(firstFrame + chunks.framesPerChunk, source.frameCount)
      let frameWidth = source.sampleWidth * source.channelCount
      var metadata = source.metadata ?? [:]
      metadata["chunk_index"] = .int(index)
      let chunk = AudioStream(
        data: Array(source.data[(firstFrame * frameWidth)..<(endFrame * frameWidth)]),
        sampleRate: source.sampleRate, channelCount: source.channelCount,
        sampleWidth: source.sampleWidth, format: source.format,
        timestamp: Timestamp(
          frames: firstFrame..<endFrame, sampleRate: source.sampleRate,
          origin: source.timestamp.start),
        metadata: metadata)
      index += 1
      return chunk
    }
  }
}

extension ProcessingContext {
  /// Cuts a stream into chunks of `duration` seconds (see ``AudioStreamChunks``).
  ///
  /// - Throws: ``AudioStreamError/invalidParameter(_:)`` when the stream's rate,
  ///   channel count or width is not positive, or when the duration is shorter than
  ///   one frame or not finite.
  public func chunks(of stream: AudioStream, duration: Double) throws -> AudioStreamChunks {
    try Self.validate(sampleRate: stream.sampleRate, channelCount: stream.channelCount)
    guard stream.sampleWidth > 0 else {
      throw AudioStreamError.invalidParameter(
        "sample width must be positive, got \(stream.sampleWidth)")
    }
    let frames = try Self.framesPerChunk(duration: duration, sampleRate: stream.sampleRate)
    return AudioStreamChunks(source: stream, framesPerChunk: frames)
  }

  /// Cuts interleaved samples into 16-bit stream chunks of `duration` seconds.
  ///
  /// Each chunk is converted as
  /// ``audioStream(fromSamples:sampleRate:channelCount:timestamp:metadata:)-(Array<Sample>,_,_,_,_)``
  /// would, with the timestamps and `chunk_index` of ``AudioStreamChunks``, starting
  /// at 0. The chunks are made lazily as the sequence is read.
  ///
  /// - Throws: when the samples do not make whole frames or the duration is shorter
  ///   than one frame.
  public func chunks<Sample: AudioSample>(
    ofSamples samples: [Sample], sampleRate: Int = 44_100, channelCount: Int = 1,
    duration: Double, metadata: Metadata? = nil
  ) throws -> SampleChunks<Sample> {
    try Self.validate(
      sampleRate: sampleRate, channelCount: channelCount, sampleCount: samples.count)
    let frames = try Self.framesPerChunk(duration: duration, sampleRate: sampleRate)
    return SampleChunks(
      samples: samples, sampleRate: sampleRate, channelCount: channelCount,
      framesPerChunk: frames, metadata: metadata)
  }

  static func framesPerChunk(duration: Double, sampleRate: Int) throws -> Int {
    let frames = (duration * Double(sampleRate)).rounded()
    guard frames.isFinite, frames >= 1, frames < Double(Int.max / 64) else {
      throw AudioStreamError.invalidParameter(
        "chunk duration must be at least one frame (1/\(sampleRate) s), got \(duration) s")
    }
    return Int(frames)
  }
}

/// The 16-bit stream chunks of a sample array, made lazily; see
/// ``ProcessingContext/chunks(ofSamples:sampleRate:channelCount:duration:metadata:)``.
public struct SampleChunks<Sample: AudioSample>: Sequence, Sendable {
  let samples: [Sample]
  let sampleRate: Int
  let channelCount: Int
  /// Frames per chunk.
  public let framesPerChunk: Int
  let metadata: Metadata?

  /// The number of chunks.
  public var count: Int {
    (samples.count / channelCount + framesPerChunk - 1) / framesPerChunk
  }

  /// Creates the iterator.
  public func makeIterator() -> Iterator {
    Iterator(chunks: self)
  }

  /// Produces the chunks in order.
  public struct Iterator: IteratorProtocol {
    let chunks: SampleChunks
    var index = 0

    /// The next chunk, or `nil` after the last.
    public mutating func next() -> AudioStream? {
      let totalFrames = chunks.samples.count / chunks.channelCount
      let firstFrame = index * chunks.framesPerChunk
      guard firstFrame < totalFrames else { return nil }
      let endFrame = Swift.min(firstFrame + chunks.framesPerChunk, totalFrames)
      var metadata = chunks.metadata ?? [:]
      metadata["chunk_index"] = .int(index)
      let channels = chunks.channelCount
      let bytes = chunks.samples.withUnsafeBufferPointer { buffer in
        ProcessingContext.int16Bytes(
          UnsafeBufferPointer(rebasing: buffer[(firstFrame * channels)..<(endFrame * channels)]))
      }
      let stream = AudioStream(
        data: bytes, sampleRate: chunks.sampleRate, channelCount: channels, sampleWidth: 2,
        format: SampleFormat.pcmS16LE.rawValue,
        timestamp: Timestamp(frames: firstFrame..<endFrame, sampleRate: chunks.sampleRate),
        metadata: metadata)
      index += 1
      return stream
    }
  }
}
