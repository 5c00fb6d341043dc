import Foundation

/// An error in converting or interpreting an ``AudioStream``.
public enum AudioStreamError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
  /// Samples of a type other than Int16, Float and Double were given.
  case unsupportedSampleType(String)
  /// The stream names no known format and its sample width is neither 2 nor 4.
  case unsupportedSampleWidth(Int)
  /// The number of samples is not a multiple of the channel count.
  case sampleCountNotMultipleOfChannels(sampleCount: Int, channelCount: Int)
  /// The number of bytes is not a multiple of the decoded sample size.
  case byteCountNotMultipleOfSampleSize(byteCount: Int, sampleSize: Int, format: String)
  /// The bytes do not make whole frames, as a segment requires.
  case dataLengthNotFrameMultiple(byteCount: Int, frameWidth: Int)
  /// A sample rate, channel count or width that cannot describe audio.
  case invalidParameter(String)
  /// The JSON form of a stream is malformed.
  case invalidJSON(String)

  /// A sentence saying what was wrong.
  public var description: String {
    switch self {
    case .unsupportedSampleType(let name):
      "Unsupported dtype \(name). Use int16, float32, or float64."
    case .unsupportedSampleWidth(let width):
      "Unsupported sample_width \(width)"
    case .sampleCountNotMultipleOfChannels(let count, let channels):
      "sample count \(count) is not a multiple of the channel count \(channels)"
    case .byteCountNotMultipleOfSampleSize(let count, let size, let format):
      "data length \(count) is not a multiple of the \(size)-byte sample size of \(format)"
    case .dataLengthNotFrameMultiple:
      "data length must be a multiple of '(sample_width * channels)'"
    case .invalidParameter(let message):
      message
    case .invalidJSON(let message):
      "invalid audio_stream JSON: \(message)"
    }
  }

  /// The same sentence as ``description``.
  public var errorDescription: String? { description }
}
