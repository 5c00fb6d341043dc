/// A chunk of raw PCM audio with the facts needed to interpret it.
///
/// `AudioStream` is the interchange value of the project: interleaved little-endian
/// frames (`L R L R ...`) plus sample rate, channel count, sample width, sample format,
/// the chunk's place in its stream and free-form metadata. It is a plain value; the
/// conversions from and to sample arrays live on ``ProcessingContext``.
public struct AudioStream: Sendable, Equatable {
  /// The only valid value of the JSON `type` field.
  public static let typeTag = "audio_stream"

  /// The raw PCM bytes, frames interleaved, little-endian.
  public var data: [UInt8]
  /// Frames per second.
  public var sampleRate: Int
  /// Samples per frame: 1 for mono, 2 for stereo.
  public var channelCount: Int
  /// Bytes per sample.
  public var sampleWidth: Int
  /// The sample format name, such as `pcm_s16le`; compared case-insensitively.
  public var format: String
  /// Where the chunk sits in its stream, in seconds.
  public var timestamp: Timestamp
  /// Free-form metadata, or `nil` when there is none.
  public var metadata: Metadata?

  /// Creates a stream; every argument has the contract's default.
  public init(
    data: [UInt8] = [],
    sampleRate: Int = 44_100,
    channelCount: Int = 1,
    sampleWidth: Int = 2,
    format: String = SampleFormat.pcmS16LE.rawValue,
    timestamp: Timestamp = Timestamp(start: 0, end: 0),
    metadata: Metadata? = nil
  ) {
    self.data = data
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    self.sampleWidth = sampleWidth
    self.format = format
    self.timestamp = timestamp
    self.metadata = metadata
  }

  /// The number of whole frames in `data`; a trailing partial frame is not counted.
  ///
  /// It is 0 when the sample width or the channel count is not positive.
  public var frameCount: Int {
    guard sampleWidth > 0, channelCount > 0 else { return 0 }
    let (frameWidth, overflow) = sampleWidth.multipliedReportingOverflow(by: channelCount)
    return overflow ? 0 : data.count / frameWidth
  }

  /// The length in seconds: whole frames divided by the sample rate.
  ///
  /// It is 0 when `data` is empty or any of sample rate, channel count and sample
  /// width is 0.
  public var durationSeconds: Double {
    guard sampleRate > 0 else { return 0 }
    return Double(frameCount) / Double(sampleRate)
  }

  /// The known sample format named by ``format``, or `nil` when the name is not one.
  public var sampleFormat: SampleFormat? {
    SampleFormat(name: format)
  }
}

/// The start and end of a chunk within its stream, in seconds.
public struct Timestamp: Sendable, Equatable, Hashable {
  /// Where the chunk starts, in seconds.
  public var start: Double
  /// Where the chunk ends, in seconds.
  public var end: Double

  /// Creates a timestamp from its start and end in seconds.
  public init(start: Double, end: Double) {
    self.start = start
    self.end = end
  }

  /// The timestamp of the frames `frames` of a stream at `sampleRate` whose first frame
  /// is at `origin` seconds.
  public init(frames: Range<Int>, sampleRate: Int, origin: Double = 0) {
    let rate = Double(sampleRate)
    self.init(
      start: origin + Double(frames.lowerBound) / rate,
      end: origin + Double(frames.upperBound) / rate)
  }
}

/// The sample formats an ``AudioStream`` can name.
public enum SampleFormat: String, Sendable, CaseIterable {
  /// Signed 16-bit integers, little-endian.
  case pcmS16LE = "pcm_s16le"
  /// Signed 32-bit integers, little-endian.
  case pcmS32LE = "pcm_s32le"
  /// 32-bit IEEE floats, little-endian.
  case pcmF32LE = "pcm_f32le"
  /// 64-bit IEEE floats, little-endian.
  case pcmF64LE = "pcm_f64le"

  /// Looks a format up by name, ignoring case; `nil` when the name is unknown.
  public init?(name: String) {
    self.init(rawValue: name.lowercased())
  }

  /// The size of one sample in bytes.
  public var sampleWidth: Int {
    switch self {
    case .pcmS16LE: 2
    case .pcmS32LE, .pcmF32LE: 4
    case .pcmF64LE: 8
    }
  }
}
