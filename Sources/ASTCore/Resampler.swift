import CSoxr

/// The quality settings of libsoxr, from quick interpolation to very high quality.
public enum ResamplerQuality: String, Sendable, CaseIterable {
  /// Cubic interpolation.
  case quick
  /// 16-bit quality with a wide roll-off.
  case low
  /// 16-bit quality.
  case medium
  /// 20-bit quality, libsoxr's "high quality".
  case high
  /// 28-bit quality, libsoxr's "very high quality".
  case veryHigh

  var recipe: UInt {
    switch self {
    case .quick: UInt(SOXR_QQ)
    case .low: UInt(SOXR_LQ)
    case .medium: UInt(SOXR_MQ)
    case .high: UInt(SOXR_20_BITQ)
    case .veryHigh: UInt(SOXR_28_BITQ)
    }
  }
}

/// A failure reported by libsoxr.
public struct ResamplerError: Error, Equatable, Sendable, CustomStringConvertible {
  /// libsoxr's own message.
  public let message: String

  /// Creates an error with libsoxr's message.
  public init(message: String) {
    self.message = message
  }

  /// The message, prefixed with what failed.
  public var description: String { "resampling failed: \(message)" }
}

/// A streaming sample-rate converter backed by libsoxr.
///
/// Feed interleaved blocks with ``process(_:into:)`` as they arrive, then call
/// ``flush(into:)`` once at the end to drain the filter's delay line. `Sample` is
/// `Float` or `Double`. A resampler keeps the state of one stream; it is not shared
/// between tasks.
public final class Resampler<Sample: AudioSample & BinaryFloatingPoint> {
  /// Frames per second of the input.
  public let inputRate: Double
  /// Frames per second of the output.
  public let outputRate: Double
  /// Samples per frame, in both input and output.
  public let channelCount: Int
  // Inlinable internals, so that callers in other modules get code specialised for their
  // sample type instead of generic code paying for metadata on every call.
  @usableFromInline let handle: soxr_t
  @usableFromInline var isFlushed = false

  /// The largest ratio between the rates, either way.
  public static var maximumRatio: Double { 4096 }

  /// Why libsoxr cannot convert from `inputRate` to `outputRate` (positive rates), or
  /// `nil` when it can: `cannot resample from 1 Hz to 768000 Hz: one rate may be at most
  /// 4096 times the other`.
  public static func ratioProblem(from inputRate: Double, to outputRate: Double) -> String? {
    let ratio = outputRate / inputRate
    guard ratio > maximumRatio || ratio < 1 / maximumRatio else { return nil }
    return "cannot resample from \(NumberText.plain(inputRate)) Hz to "
      + "\(NumberText.plain(outputRate)) Hz: one rate may be at most "
      + "\(NumberText.plain(maximumRatio)) times the other"
  }

  /// Creates a converter between two rates for `channelCount` interleaved channels.
  ///
  /// - Throws: ``AudioStreamError/invalidParameter(_:)`` for non-positive rates or
  ///   channel counts, and ``ResamplerError`` when libsoxr refuses the settings.
  public init(
    inputRate: Double, outputRate: Double, channelCount: Int, quality: ResamplerQuality = .veryHigh
  ) throws {
    guard inputRate > 0, outputRate > 0, inputRate.isFinite, outputRate.isFinite else {
      throw AudioStreamError.invalidParameter(
        "sample rates must be positive, got \(inputRate) and \(outputRate)")
    }
    guard channelCount > 0, channelCount <= ProcessingContext.maximumChannelCount else {
      throw AudioStreamError.invalidParameter(
        "channel count must be between 1 and \(ProcessingContext.maximumChannelCount), "
          + "got \(channelCount)")
    }
    if let problem = Self.ratioProblem(from: inputRate, to: outputRate) {
      throw AudioStreamError.invalidParameter(problem)
    }
    guard Sample.self == Float.self || Sample.self == Double.self else {
      throw AudioStreamError.unsupportedSampleType(String(describing: Sample.self))
    }
    let datatype = Sample.self == Float.self ? SOXR_FLOAT32_I : SOXR_FLOAT64_I
    var ioSpec = soxr_io_spec(datatype, datatype)
    var qualitySpec = soxr_quality_spec(quality.recipe, 0)
    var runtimeSpec = soxr_runtime_spec(1)
    var error: soxr_error_t?
    let created = soxr_create(
      inputRate, outputRate, UInt32(channelCount), &error, &ioSpec, &qualitySpec, &runtimeSpec)
    if let error {
      if let created { soxr_delete(created) }
      throw ResamplerError(message: String(cString: error))
    }
    guard let created else { throw ResamplerError(message: "libsoxr returned no resampler") }
    self.handle = created
    self.inputRate = inputRate
    self.outputRate = outputRate
    self.channelCount = channelCount
  }

  deinit {
    soxr_delete(handle)
  }

  /// Resamples one block of interleaved input, appending what is ready to `output`.
  ///
  /// The output lags the input by the filter's delay; ``flush(into:)`` delivers the rest.
  @inlinable
  public func process(_ input: UnsafeBufferPointer<Sample>, into output: inout [Sample]) throws {
    guard !isFlushed else {
      throw ResamplerError(message: "input given after the end of the stream was flushed")
    }
    let frames = input.count / channelCount
    var consumed = 0
    while consumed < frames {
      let offset = consumed * channelCount
      let remaining = UnsafeBufferPointer(rebasing: input[offset..<(frames * channelCount)])
      let used = try run(remaining, frames: frames - consumed, into: &output)
      guard used > 0 else { throw ResamplerError(message: "libsoxr consumed no input") }
      consumed += used
    }
  }

  /// Drains the filter at the end of the input, appending the last frames to `output`.
  @inlinable
  public func flush(into output: inout [Sample]) throws {
    guard !isFlushed else { return }
    isFlushed = true
    while try run(nil, frames: 0, into: &output, flushing: true) > 0 {}
  }

  /// Resamples a whole interleaved signal at once.
  ///
  /// The result has exactly `round(frames * outputRate / inputRate)` frames.
  @inlinable
  public func resampleAll(_ input: [Sample]) throws -> [Sample] {
    let frames = input.count / channelCount
    let expected = Int((Double(frames) * outputRate / inputRate).rounded())
    var output: [Sample] = []
    output.reserveCapacity((expected + 64) * channelCount)
    try input.withUnsafeBufferPointer { try process($0, into: &output) }
    try flush(into: &output)
    let wanted = expected * channelCount
    if output.count > wanted {
      output.removeLast(output.count - wanted)
    } else if output.count < wanted {
      output.append(contentsOf: repeatElement(0, count: wanted - output.count))
    }
    return output
  }

  /// Runs libsoxr once. Returns the input frames consumed, or, when flushing, the
  /// output frames produced.
  @discardableResult
  @inlinable
  func run(
    _ input: UnsafeBufferPointer<Sample>?, frames: Int, into output: inout [Sample],
    flushing: Bool = false
  ) throws -> Int {
    let ratio = outputRate / inputRate
    let capacity = max(1024, Int((Double(frames) * ratio).rounded(.up)) + 256)
    let start = output.count
    output.append(contentsOf: repeatElement(0, count: capacity * channelCount))
    var consumed = 0
    var produced = 0
    let error: soxr_error_t? = output.withUnsafeMutableBufferPointer { buffer in
      let target = UnsafeMutableRawPointer(buffer.baseAddress! + start)
      return soxr_process(
        handle, input.map { UnsafeRawPointer($0.baseAddress) } ?? nil, frames, &consumed,
        target, capacity, &produced)
    }
    output.removeLast((capacity - produced) * channelCount)
    if let error { throw ResamplerError(message: String(cString: error)) }
    return flushing ? produced : consumed
  }
}
