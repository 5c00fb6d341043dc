/// A sample type that an ``AudioStream`` converts from and to: `Int16`, `Float` or `Double`.
///
/// The conversions live on ``ProcessingContext``. Other numeric types reach the
/// conversions only through the generic fallbacks, which reject them with
/// ``AudioStreamError/unsupportedSampleType(_:)``.
public protocol AudioSample: Numeric, Sendable {
  /// The NumPy-style name of the type, such as `int16`.
  static var sampleTypeName: String { get }
}

extension Int16: AudioSample {
  /// The name `int16`.
  public static var sampleTypeName: String { "int16" }
}

extension Float: AudioSample {
  /// The name `float32`.
  public static var sampleTypeName: String { "float32" }
}

extension Double: AudioSample {
  /// The name `float64`.
  public static var sampleTypeName: String { "float64" }
}
