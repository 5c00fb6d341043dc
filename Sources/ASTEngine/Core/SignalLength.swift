import ASTCore

/// The lengths of signals in frames: the longest a signal may be, and arithmetic on
/// lengths that refuses, rather than overflows, what cannot be counted.
///
/// Every length made from a number a script gives (a duration, a pad, a tail, a count of
/// repetitions, a resampling) is at most ``maximumFrames``: a time parameter that would
/// take more frames at its rate is refused like a value out of its range
/// (``ParameterError/Problem/tooLong(sampleRate:)``), and a length made of other lengths
/// (a padded, joined, repeated, resampled or ringing-on signal) is computed here and
/// refused when it is longer.
public enum SignalLength {
  /// The most frames a signal may have: 2^53, about 6,500 years at 44.1 kHz. A length
  /// up to it converts to and from a `Double` exactly, so times in seconds and lengths in
  /// frames agree, and a sum of a few of them cannot overflow an `Int`.
  public static let maximumFrames = 1 << 53

  /// `2^53 frames`, as messages write the maximum.
  public static let maximumText = "2^53 frames"

  /// The longest time in seconds a signal at `sampleRate` may last.
  public static func longestSeconds(sampleRate: Int) -> Double {
    Double(maximumFrames) / Double(max(1, sampleRate))
  }

  /// `round(seconds * sampleRate)` frames, at least 0, or `nil` when that is more than
  /// ``maximumFrames`` (or `seconds` is not a number).
  public static func frames(seconds: Double, sampleRate: Int) -> Int? {
    let value = (seconds * Double(sampleRate)).rounded()
    guard !value.isNaN, value <= Double(maximumFrames) else { return nil }
    return value > 0 ? Int(value) : 0
  }

  /// The sum of `lengths`, or `nil` when one of them is not known.
  ///
  /// - Throws: ``RenderError/failed(_:)`` naming `what` when the sum is more than
  ///   ``maximumFrames``.
  public static func sum(_ lengths: [Int?], of what: String, sampleRate: Int) throws -> Int? {
    var total = 0
    for length in lengths {
      guard let length else { return nil }
      let (sum, overflow) = total.addingReportingOverflow(length)
      guard !overflow, sum <= maximumFrames else {
        throw tooLong(
          what, frames: lengths.reduce(0) { $0 + Double($1 ?? 0) }, sampleRate: sampleRate)
      }
      total = sum
    }
    return total
  }

  /// `length` times `count`, or `nil` when `length` is not known.
  ///
  /// - Throws: ``RenderError/failed(_:)`` naming `what` when the product is more than
  ///   ``maximumFrames``.
  public static func product(_ length: Int?, times count: Int, of what: String, sampleRate: Int)
    throws -> Int?
  {
    guard let length else { return nil }
    let (product, overflow) = length.multipliedReportingOverflow(by: count)
    guard !overflow, product <= maximumFrames else {
      throw tooLong(what, frames: Double(length) * Double(count), sampleRate: sampleRate)
    }
    return product
  }

  /// The failure of a signal `what` that would be `frames` frames long, more than
  /// ``maximumFrames``: `the padded signal would be 9.0072e+15 frames long (2.04e+11 s at
  /// 44100 Hz), more than a signal can be (2^53 frames)`.
  public static func tooLong(_ what: String, frames: Double, sampleRate: Int) -> RenderError {
    let seconds = frames / Double(max(1, sampleRate))
    return RenderError.failed(
      "\(what) would be \(NumberText.plain(frames)) frames long (\(NumberText.plain(seconds)) s "
        + "at \(sampleRate) Hz), longer than a signal can be (\(maximumText))")
  }
}
