import Foundation

/// A whole piece of audio in memory, with the file and effect operations of pydub's
/// `AudioSegment`.
///
/// A segment holds interleaved little-endian bytes in one ``SampleEncoding`` with a
/// sample rate and channel count. It is a value: every effect returns a new segment.
/// Effects read samples normalised to full scale 1.0, compute in `Double`, and store
/// the result back in the segment's encoding; integer encodings clip (see
/// ``SampleEncoding``). Times are in milliseconds, as in pydub.
public struct AudioSegment: Sendable, Equatable {
  /// The interleaved little-endian sample bytes.
  public let data: [UInt8]
  /// How each sample is stored.
  public let encoding: SampleEncoding
  /// Frames per second.
  public let sampleRate: Int
  /// Samples per frame.
  public let channelCount: Int

  /// Creates a segment from encoded bytes.
  ///
  /// - Throws: ``AudioStreamError/dataLengthNotFrameMultiple(byteCount:frameWidth:)``
  ///   when the bytes do not make whole frames, and
  ///   ``AudioStreamError/invalidParameter(_:)`` for a rate or channel count below 1.
  public init(data: [UInt8], encoding: SampleEncoding, sampleRate: Int, channelCount: Int) throws {
    try ProcessingContext.validate(sampleRate: sampleRate, channelCount: channelCount)
    let frameWidth = encoding.sampleWidth * channelCount
    guard data.count % frameWidth == 0 else {
      throw AudioStreamError.dataLengthNotFrameMultiple(
        byteCount: data.count, frameWidth: frameWidth)
    }
    self.init(
      unchecked: data, encoding: encoding, sampleRate: sampleRate, channelCount: channelCount)
  }

  /// Creates a segment from interleaved samples normalised to full scale 1.0.
  ///
  /// - Throws: as ``init(data:encoding:sampleRate:channelCount:)``; also when the
  ///   sample count is not a multiple of the channel count.
  public init(
    samples: [Double], encoding: SampleEncoding = .int16, sampleRate: Int = 44_100,
    channelCount: Int = 1
  ) throws {
    try ProcessingContext.validate(
      sampleRate: sampleRate, channelCount: channelCount, sampleCount: samples.count)
    self.init(
      unchecked: SampleCodec.encode(samples, encoding: encoding), encoding: encoding,
      sampleRate: sampleRate, channelCount: channelCount)
  }

  init(unchecked data: [UInt8], encoding: SampleEncoding, sampleRate: Int, channelCount: Int) {
    self.data = data
    self.encoding = encoding
    self.sampleRate = sampleRate
    self.channelCount = channelCount
  }

  /// A segment of silence lasting `milliseconds`.
  public static func silent(
    milliseconds: Double, sampleRate: Int = 44_100, channelCount: Int = 1,
    encoding: SampleEncoding = .int16
  ) throws -> AudioSegment {
    try ProcessingContext.validate(sampleRate: sampleRate, channelCount: channelCount)
    guard milliseconds >= 0, milliseconds.isFinite else {
      throw AudioStreamError.invalidParameter(
        "silence duration must be a finite, non-negative number of milliseconds")
    }
    let frameCount = (milliseconds * Double(sampleRate) / 1000).rounded()
    guard frameCount * Double(channelCount * encoding.sampleWidth) < Double(Int32.max) * 64 else {
      throw AudioStreamError.invalidParameter(
        "silence of \(milliseconds) ms is too long to hold in memory")
    }
    let frames = Int(frameCount)
    return AudioSegment(
      unchecked: [UInt8](repeating: 0, count: frames * channelCount * encoding.sampleWidth),
      encoding: encoding, sampleRate: sampleRate, channelCount: channelCount)
  }

  /// Bytes per sample.
  public var sampleWidth: Int { encoding.sampleWidth }

  /// Bytes per frame: sample width times channel count.
  public var frameWidth: Int { encoding.sampleWidth * channelCount }

  /// The number of frames.
  public var frameCount: Int { data.count / frameWidth }

  /// The length in seconds.
  public var durationSeconds: Double { Double(frameCount) / Double(sampleRate) }

  /// The length in milliseconds.
  public var durationMilliseconds: Double { durationSeconds * 1000 }

  /// The interleaved samples, normalised so that full scale is 1.0.
  public func samples() -> [Double] {
    SampleCodec.decode(data, encoding: encoding)
  }

  /// A segment of the same format holding `samples` (normalised, interleaved).
  func replacingSamples(_ samples: [Double]) -> AudioSegment {
    AudioSegment(
      unchecked: SampleCodec.encode(samples, encoding: encoding), encoding: encoding,
      sampleRate: sampleRate, channelCount: channelCount)
  }

  /// A segment of the same format holding the frames in `range`.
  func frames(_ range: Range<Int>) -> AudioSegment {
    AudioSegment(
      unchecked: Array(data[(range.lowerBound * frameWidth)..<(range.upperBound * frameWidth)]),
      encoding: encoding, sampleRate: sampleRate, channelCount: channelCount)
  }

  /// The frame index nearest to a time in milliseconds.
  func frameIndex(milliseconds: Double) -> Int {
    let frames = (milliseconds * Double(sampleRate) / 1000).rounded()
    guard frames.isFinite else { return frames > 0 ? Int.max / 2 : Int.min / 2 }
    return Int(max(min(frames, Double(Int.max / 2)), Double(Int.min / 2)))
  }
}
