/// The place where audio values are converted and where channels live.
///
/// As in the original, the conversions between sample arrays and ``AudioStream``
/// values are methods of the processing context. They are synchronous, run in tight
/// loops over raw memory and allocate only their result. The context owns a
/// ``ChannelManager``; ``close()`` closes all of its channels.
public final class ProcessingContext: Sendable {
  /// The named publish/subscribe channels of this context.
  public let channels: ChannelManager

  /// Creates a context with its own channel manager, or with the one given.
  public init(channels: ChannelManager = ChannelManager()) {
    self.channels = channels
  }

  /// Closes every channel of the context; subscribers end after draining their buffers.
  public func close() async {
    await channels.closeAll()
  }

  // MARK: From samples

  /// Makes a 16-bit stream from interleaved samples.
  ///
  /// Int16 samples are stored as they are. Float and Double samples are multiplied by
  /// 32768, clipped to [-32768, 32767] and truncated toward zero (NaN becomes 0). The
  /// result is always `pcm_s16le` with sample width 2; the timestamp and metadata are
  /// stored as given.
  ///
  /// - Throws: ``AudioStreamError/sampleCountNotMultipleOfChannels(sampleCount:channelCount:)``
  ///   when the samples do not make whole frames, or
  ///   ``AudioStreamError/invalidParameter(_:)`` for a rate or channel count below 1.
  public func audioStream<Sample: AudioSample>(
    fromSamples samples: [Sample],
    sampleRate: Int = 44_100,
    channelCount: Int = 1,
    timestamp: Timestamp = Timestamp(start: 0, end: 0),
    metadata: Metadata? = nil
  ) throws -> AudioStream {
    try samples.withUnsafeBufferPointer { buffer in
      try audioStream(
        fromSamples: buffer, sampleRate: sampleRate, channelCount: channelCount,
        timestamp: timestamp, metadata: metadata)
    }
  }

  /// Makes a 16-bit stream from interleaved samples in memory the caller owns.
  ///
  /// The rules are those of ``audioStream(fromSamples:sampleRate:channelCount:timestamp:metadata:)-(Array<Sample>,_,_,_,_)``.
  public func audioStream<Sample: AudioSample>(
    fromSamples samples: UnsafeBufferPointer<Sample>,
    sampleRate: Int = 44_100,
    channelCount: Int = 1,
    timestamp: Timestamp = Timestamp(start: 0, end: 0),
    metadata: Metadata? = nil
  ) throws -> AudioStream {
    guard Sample.self == Int16.self || Sample.self == Float.self || Sample.self == Double.self
    else {
      throw AudioStreamError.unsupportedSampleType(String(describing: Sample.self))
    }
    try Self.validate(
      sampleRate: sampleRate, channelCount: channelCount, sampleCount: samples.count)
    let bytes = Self.int16Bytes(samples)
    return AudioStream(
      data: bytes, sampleRate: sampleRate, channelCount: channelCount, sampleWidth: 2,
      format: SampleFormat.pcmS16LE.rawValue, timestamp: timestamp, metadata: metadata)
  }

  /// Rejects samples of a type other than Int16, Float and Double.
  ///
  /// This is the fallback that generic callers reach with any other numeric type; it
  /// always throws ``AudioStreamError/unsupportedSampleType(_:)``.
  public func audioStream<Sample: Numeric>(
    fromSamples samples: [Sample],
    sampleRate: Int = 44_100,
    channelCount: Int = 1,
    timestamp: Timestamp = Timestamp(start: 0, end: 0),
    metadata: Metadata? = nil
  ) throws -> AudioStream {
    throw AudioStreamError.unsupportedSampleType(String(describing: Sample.self))
  }

  // MARK: To samples

  /// Decodes a stream's bytes into interleaved samples of the requested type.
  ///
  /// The stored type comes from the stream's format (`pcm_s16le`, `pcm_s32le`,
  /// `pcm_f32le`, `pcm_f64le`, any case); an unknown format falls back on the sample
  /// width (2 is Int16, 4 is Float32). Int16 becomes float by dividing by 32768, Int32
  /// by dividing by 2^31, and becomes Int16 by floor division by 65536. Float sources
  /// read as floats are returned as stored; read as Int16 they follow the
  /// float-to-int16 rule.
  ///
  /// - Throws: ``AudioStreamError/unsupportedSampleWidth(_:)`` for an unknown format
  ///   with another width, and
  ///   ``AudioStreamError/byteCountNotMultipleOfSampleSize(byteCount:sampleSize:format:)``
  ///   when the bytes do not make whole samples.
  public func samples<Sample: AudioSample>(
    from stream: AudioStream, as type: Sample.Type = Sample.self
  ) throws -> [Sample] {
    guard Sample.self == Int16.self || Sample.self == Float.self || Sample.self == Double.self
    else {
      throw AudioStreamError.unsupportedSampleType(String(describing: Sample.self))
    }
    let format = try Self.storedFormat(of: stream)
    guard stream.data.count % format.sampleWidth == 0 else {
      throw AudioStreamError.byteCountNotMultipleOfSampleSize(
        byteCount: stream.data.count, sampleSize: format.sampleWidth, format: format.rawValue)
    }
    let encoding = SampleEncoding(format: format)
    let count = stream.data.count / format.sampleWidth
    return stream.data.withUnsafeBytes { raw in
      [Sample](unsafeUninitializedCapacity: count) { output, initialized in
        if count > 0, let destination = output.baseAddress {
          let target = UnsafeMutableRawPointer(destination)
          if Sample.self == Int16.self {
            SampleCodec.decode(
              raw, encoding: encoding, count: count,
              into: target.assumingMemoryBound(to: Int16.self))
          } else if Sample.self == Float.self {
            SampleCodec.decode(
              raw, encoding: encoding, count: count,
              into: target.assumingMemoryBound(to: Float.self))
          } else {
            SampleCodec.decode(
              raw, encoding: encoding, count: count,
              into: target.assumingMemoryBound(to: Double.self))
          }
        }
        initialized = count
      }
    }
  }

  /// The format a stream's bytes hold: the one it names, else the one its sample width
  /// suggests (2 bytes are 16-bit integers, 4 are floats).
  static func storedFormat(of stream: AudioStream) throws -> SampleFormat {
    if let format = stream.sampleFormat { return format }
    switch stream.sampleWidth {
    case 2: return .pcmS16LE
    case 4: return .pcmF32LE
    default: throw AudioStreamError.unsupportedSampleWidth(stream.sampleWidth)
    }
  }

  // MARK: Segments

  /// Makes a stream holding a segment's bytes, rate, channel count and sample width.
  ///
  /// The format is named from the segment's encoding: 16-bit integers are
  /// `pcm_s16le`, 32-bit integers `pcm_s32le`, 32-bit floats `pcm_f32le` and 64-bit
  /// floats `pcm_f64le`. Segments of other encodings (8 or 24-bit integers) are
  /// converted to 16 or 32-bit integers first, since no stream format stores them.
  public func audioStream(from segment: AudioSegment) -> AudioStream {
    let stored: AudioSegment
    switch segment.encoding {
    case .int8: stored = segment.converted(to: .int16)
    case .int24: stored = segment.converted(to: .int32)
    default: stored = segment
    }
    return AudioStream(
      data: stored.data, sampleRate: stored.sampleRate, channelCount: stored.channelCount,
      sampleWidth: stored.encoding.sampleWidth, format: stored.encoding.streamFormat!.rawValue)
  }

  /// Makes a segment from a stream's bytes, rate, channel count and sample width.
  ///
  /// A `pcm_f32le` or `pcm_f64le` stream becomes a float segment. A stream with an
  /// unknown format is read by its width: 1, 2, 3 or 4 bytes are integers.
  ///
  /// - Throws: ``AudioStreamError/dataLengthNotFrameMultiple(byteCount:frameWidth:)``
  ///   when the bytes do not make whole frames.
  public func audioSegment(from stream: AudioStream) throws -> AudioSegment {
    try Self.validate(sampleRate: stream.sampleRate, channelCount: stream.channelCount)
    let encoding: SampleEncoding
    if let format = stream.sampleFormat {
      encoding = SampleEncoding(format: format)
    } else if let byWidth = SampleEncoding(integerWidth: stream.sampleWidth) {
      encoding = byWidth
    } else {
      throw AudioStreamError.unsupportedSampleWidth(stream.sampleWidth)
    }
    let frameWidth = encoding.sampleWidth * stream.channelCount
    guard stream.data.count % frameWidth == 0 else {
      throw AudioStreamError.dataLengthNotFrameMultiple(
        byteCount: stream.data.count, frameWidth: frameWidth)
    }
    return try AudioSegment(
      data: stream.data, encoding: encoding, sampleRate: stream.sampleRate,
      channelCount: stream.channelCount)
  }

  /// The samples as little-endian Int16 bytes, by the float-to-int16 rule; `Sample`
  /// is Int16, Float or Double (checked by the callers).
  static func int16Bytes<Sample: AudioSample>(_ samples: UnsafeBufferPointer<Sample>) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: samples.count * 2) { output, initialized in
      if let destination = output.baseAddress, let base = samples.baseAddress {
        let raw = UnsafeRawPointer(base)
        let count = samples.count
        if Sample.self == Int16.self {
          PCMKernels.encodeInt16(
            UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Int16.self), count: count),
            to: destination)
        } else if Sample.self == Float.self {
          PCMKernels.encodeInt16(
            UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: count),
            to: destination)
        } else {
          PCMKernels.encodeInt16(
            UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Double.self), count: count),
            to: destination)
        }
      }
      initialized = samples.count * 2
    }
  }

  /// The most channels a stream or segment may have (libsndfile's own limit).
  public static let maximumChannelCount = 1024

  /// The highest sample rate accepted, in Hz.
  public static let maximumSampleRate = Int(Int32.max)

  /// Throws unless `1 ≤ sampleRate ≤ maximumSampleRate`,
  /// `1 ≤ channelCount ≤ maximumChannelCount` and `sampleCount`, when given, makes whole
  /// frames.
  static func validate(sampleRate: Int, channelCount: Int, sampleCount: Int? = nil) throws {
    guard sampleRate > 0, sampleRate <= maximumSampleRate else {
      throw AudioStreamError.invalidParameter(
        "sample rate must be between 1 and \(maximumSampleRate) Hz, got \(sampleRate)")
    }
    guard channelCount > 0, channelCount <= maximumChannelCount else {
      throw AudioStreamError.invalidParameter(
        "channel count must be between 1 and \(maximumChannelCount), got \(channelCount)")
    }
    if let sampleCount, sampleCount % channelCount != 0 {
      throw AudioStreamError.sampleCountNotMultipleOfChannels(
        sampleCount: sampleCount, channelCount: channelCount)
    }
  }
}
