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

/// The sample kernels behind the conversions: tight loops over raw memory.
enum PCMKernels {
  /// The contract's float-to-int16 rule: times 32768, clipped to the Int16 range,
  /// truncated toward zero; NaN gives 0.
  @inline(__always)
  static func int16(fromFloat x: Float) -> Int16 {
    let scaled = x * 32768
    if scaled >= 32767 { return 32767 }
    if scaled > -32768 { return Int16(scaled) }
    return scaled.isNaN ? 0 : -32768
  }

  /// The float-to-int16 rule for `Double` samples.
  @inline(__always)
  static func int16(fromDouble x: Double) -> Int16 {
    let scaled = x * 32768
    if scaled >= 32767 { return 32767 }
    if scaled > -32768 { return Int16(scaled) }
    return scaled.isNaN ? 0 : -32768
  }

  /// Writes `source` as little-endian Int16 bytes to `destination`.
  static func encodeInt16(
    _ source: UnsafeBufferPointer<Int16>, to destination: UnsafeMutableRawPointer
  ) {
    for index in source.indices {
      destination.storeBytes(
        of: source[index].littleEndian, toByteOffset: index &* 2, as: Int16.self)
    }
  }

  /// Converts `source` with the float-to-int16 rule and writes little-endian bytes.
  static func encodeInt16(
    _ source: UnsafeBufferPointer<Float>, to destination: UnsafeMutableRawPointer
  ) {
    for index in source.indices {
      destination.storeBytes(
        of: int16(fromFloat: source[index]).littleEndian, toByteOffset: index &* 2, as: Int16.self)
    }
  }

  /// Converts `source` with the float-to-int16 rule and writes little-endian bytes.
  static func encodeInt16(
    _ source: UnsafeBufferPointer<Double>, to destination: UnsafeMutableRawPointer
  ) {
    for index in source.indices {
      destination.storeBytes(
        of: int16(fromDouble: source[index]).littleEndian, toByteOffset: index &* 2, as: Int16.self)
    }
  }
}
