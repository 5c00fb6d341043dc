/// The sample kernels behind the conversions: tight loops over raw memory.
public enum PCMKernels {
  /// The contract's float-to-int16 rule: times 32768, clipped to the Int16 range,
  /// truncated toward zero; NaN gives 0.
  @inlinable @inline(__always)
  public static func int16(fromFloat x: Float) -> Int16 {
    let scaled = x * 32768
    if scaled >= 32767 { return 32767 }
    if scaled > -32768 { return Int16(scaled) }
    return scaled.isNaN ? 0 : -32768
  }

  /// Converts `count` samples at `source` by the float-to-int16 rule into `destination`,
  /// one every `stride` elements, when every sample lies in [-1, 1] (the usual case),
  /// and returns `true`; otherwise writes nothing and returns `false`, and the caller
  /// converts sample by sample. Within [-1, 1] the rule needs no branches: the clamped,
  /// truncated value plus 1.5 * 2^23 holds it in its low 16 bits, so the loop vectorises.
  @inlinable
  public static func int16InRange(
    _ source: UnsafePointer<Float>, count: Int, to destination: UnsafeMutablePointer<Int16>,
    stride: Int
  ) -> Bool {
    // The largest magnitude, compared as bit patterns: an integer maximum vectorises, and
    // NaN's pattern lies above every finite one.
    var largest: UInt32 = 0
    for index in 0..<count { largest = max(largest, source[index].bitPattern & 0x7FFF_FFFF) }
    guard largest <= Float(1).bitPattern else { return false }
    if stride == 1 {
      for index in 0..<count { destination[index] = int16(inRange: source[index]) }
    } else {
      for index in 0..<count { destination[index &* stride] = int16(inRange: source[index]) }
    }
    return true
  }

  /// Converts two channels with the float-to-int16 rule into interleaved pairs in
  /// `destination` when every sample lies in [-1, 1], and returns `true`; otherwise
  /// writes nothing and returns `false`. The stereo case of
  /// ``int16InRange(_:count:to:stride:)``, with constant strides so that it vectorises.
  @inlinable
  public static func int16InRange(
    left: UnsafePointer<Float>, right: UnsafePointer<Float>, count: Int,
    to destination: UnsafeMutablePointer<Int16>
  ) -> Bool {
    var largest: UInt32 = 0
    for index in 0..<count {
      largest = max(
        largest, left[index].bitPattern & 0x7FFF_FFFF, right[index].bitPattern & 0x7FFF_FFFF)
    }
    guard largest <= Float(1).bitPattern else { return false }
    for index in 0..<count {
      destination[2 &* index] = int16(inRange: left[index])
      destination[2 &* index &+ 1] = int16(inRange: right[index])
    }
    return true
  }

  /// The float-to-int16 rule for a sample known to lie in [-1, 1].
  @inlinable @inline(__always)
  static func int16(inRange x: Float) -> Int16 {
    let truncated = min(x * 32768, 32767).rounded(.towardZero)
    return Int16(truncatingIfNeeded: (truncated + 12_582_912).bitPattern)
  }

  /// The float-to-int16 rule for `Double` samples.
  @inline(__always)
  static func int16(fromDouble x: Double) -> Int16 {
    Int16(truncatingIfNeeded: quantize(x, fullScale: 0x1p15))
  }

  /// The contract's float-to-integer rule at any width: the integer a normalised
  /// sample becomes in an encoding whose full scale is `fullScale` (2^(bits-1)). Times
  /// `fullScale`, clipped to the integer range, truncated toward zero; NaN gives 0.
  @inlinable @inline(__always)
  public static func quantize(_ sample: Double, fullScale: Double) -> Int64 {
    let scaled = sample * fullScale
    if scaled >= fullScale - 1 { return Int64(fullScale) - 1 }
    if scaled > -fullScale { return Int64(scaled) }
    return scaled.isNaN ? 0 : -Int64(fullScale)
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
    guard let base = source.baseAddress else { return }
    encodeInt16(base, count: source.count, to: destination, stride: 1)
  }

  /// Converts `count` samples at `source` with the float-to-int16 rule and writes them
  /// as little-endian Int16 bytes from `destination` on, one every `stride` samples:
  /// 1 packs them, a channel count puts one channel's samples into interleaved frames.
  /// Blocks within [-1, 1] take the vectorised path when `destination` is aligned.
  public static func encodeInt16(
    _ source: UnsafePointer<Float>, count: Int, to destination: UnsafeMutableRawPointer,
    stride: Int
  ) {
    guard count > 0 else { return }
    #if _endian(little)
      if Int(bitPattern: destination) % 2 == 0 {
        let capacity = (count - 1) * stride + 1
        let converted = destination.withMemoryRebound(to: Int16.self, capacity: capacity) {
          int16InRange(source, count: count, to: $0, stride: stride)
        }
        if converted { return }
      }
    #endif
    for index in 0..<count {
      destination.storeBytes(
        of: int16(fromFloat: source[index]).littleEndian, toByteOffset: index &* stride &* 2,
        as: Int16.self)
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
