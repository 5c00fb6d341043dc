/// How a segment stores each sample: a signed integer of some width, or an IEEE float.
public enum SampleEncoding: String, Sendable, Equatable, Hashable, CaseIterable {
  /// Signed 8-bit integers.
  case int8
  /// Signed 16-bit integers.
  case int16
  /// Signed 24-bit integers, three bytes each.
  case int24
  /// Signed 32-bit integers.
  case int32
  /// 32-bit IEEE floats.
  case float32
  /// 64-bit IEEE floats.
  case float64

  /// The encoding that stores samples of a stream format.
  public init(format: SampleFormat) {
    switch format {
    case .pcmS16LE: self = .int16
    case .pcmS32LE: self = .int32
    case .pcmF32LE: self = .float32
    case .pcmF64LE: self = .float64
    }
  }

  /// The signed integer encoding of a width in bytes (1 to 4), or `nil` for another width.
  public init?(integerWidth: Int) {
    switch integerWidth {
    case 1: self = .int8
    case 2: self = .int16
    case 3: self = .int24
    case 4: self = .int32
    default: return nil
    }
  }

  /// The size of one sample in bytes.
  public var sampleWidth: Int {
    switch self {
    case .int8: 1
    case .int16: 2
    case .int24: 3
    case .int32, .float32: 4
    case .float64: 8
    }
  }

  /// Whether samples are IEEE floats rather than integers.
  public var isFloat: Bool { self == .float32 || self == .float64 }

  /// The stream format storing this encoding, or `nil` for 8 and 24-bit integers.
  public var streamFormat: SampleFormat? {
    switch self {
    case .int16: .pcmS16LE
    case .int32: .pcmS32LE
    case .float32: .pcmF32LE
    case .float64: .pcmF64LE
    case .int8, .int24: nil
    }
  }

  /// The full-scale value of an integer encoding (2^(bits-1)); 1 for floats.
  ///
  /// Samples are read as `value / fullScale`, so full scale is 1.0 in every encoding.
  public var fullScale: Double {
    switch self {
    case .int8: 0x1p7
    case .int16: 0x1p15
    case .int24: 0x1p23
    case .int32: 0x1p31
    case .float32, .float64: 1
    }
  }
}

/// Loops between encoded little-endian bytes and normalised `Double` samples.
///
/// Integers decode as `value / 2^(bits-1)`. Encoding to an integer multiplies by
/// 2^(bits-1), clips to the integer range and truncates toward zero, with NaN as 0:
/// the contract's float-to-int16 rule, for every width. Floats are stored as they are.
enum SampleCodec {
  static func decode(_ bytes: [UInt8], encoding: SampleEncoding) -> [Double] {
    let count = bytes.count / encoding.sampleWidth
    return bytes.withUnsafeBytes { raw in
      [Double](unsafeUninitializedCapacity: count) { output, initialized in
        decode(raw, encoding: encoding, count: count, into: output.baseAddress)
        initialized = count
      }
    }
  }

  static func decode(
    _ raw: UnsafeRawBufferPointer, encoding: SampleEncoding, count: Int,
    into output: UnsafeMutablePointer<Double>?
  ) {
    guard let output, count > 0 else { return }
    switch encoding {
    case .int8:
      for index in 0..<count {
        output[index] = Double(Int8(bitPattern: raw[index])) * 0x1p-7
      }
    case .int16:
      for index in 0..<count {
        let value = Int16(
          littleEndian: raw.loadUnaligned(fromByteOffset: index &* 2, as: Int16.self))
        output[index] = Double(value) * 0x1p-15
      }
    case .int24:
      for index in 0..<count {
        let offset = index &* 3
        let bits =
          UInt32(raw[offset]) << 8 | UInt32(raw[offset + 1]) << 16 | UInt32(raw[offset + 2]) << 24
        output[index] = Double(Int32(bitPattern: bits) >> 8) * 0x1p-23
      }
    case .int32:
      for index in 0..<count {
        let value = Int32(
          littleEndian: raw.loadUnaligned(fromByteOffset: index &* 4, as: Int32.self))
        output[index] = Double(value) * 0x1p-31
      }
    case .float32:
      for index in 0..<count {
        let bits = UInt32(
          littleEndian: raw.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self))
        output[index] = Double(Float(bitPattern: bits))
      }
    case .float64:
      for index in 0..<count {
        let bits = UInt64(
          littleEndian: raw.loadUnaligned(fromByteOffset: index &* 8, as: UInt64.self))
        output[index] = Double(bitPattern: bits)
      }
    }
  }

  static func encode(_ samples: [Double], encoding: SampleEncoding) -> [UInt8] {
    samples.withUnsafeBufferPointer { encode($0, encoding: encoding) }
  }

  static func encode(_ samples: UnsafeBufferPointer<Double>, encoding: SampleEncoding) -> [UInt8] {
    let width = encoding.sampleWidth
    let fullScale = encoding.fullScale
    return [UInt8](unsafeUninitializedCapacity: samples.count * width) { output, initialized in
      guard let base = output.baseAddress else {
        initialized = 0
        return
      }
      let raw = UnsafeMutableRawPointer(base)
      switch encoding {
      case .int8:
        for (index, sample) in samples.enumerated() {
          base[index] = UInt8(truncatingIfNeeded: PCMKernels.quantize(sample, fullScale: fullScale))
        }
      case .int16:
        for (index, sample) in samples.enumerated() {
          let value = Int16(truncatingIfNeeded: PCMKernels.quantize(sample, fullScale: fullScale))
          raw.storeBytes(of: value.littleEndian, toByteOffset: index &* 2, as: Int16.self)
        }
      case .int24:
        for (index, sample) in samples.enumerated() {
          let value = UInt32(truncatingIfNeeded: PCMKernels.quantize(sample, fullScale: fullScale))
          base[index &* 3] = UInt8(truncatingIfNeeded: value)
          base[index &* 3 + 1] = UInt8(truncatingIfNeeded: value >> 8)
          base[index &* 3 + 2] = UInt8(truncatingIfNeeded: value >> 16)
        }
      case .int32:
        for (index, sample) in samples.enumerated() {
          let value = Int32(truncatingIfNeeded: PCMKernels.quantize(sample, fullScale: fullScale))
          raw.storeBytes(of: value.littleEndian, toByteOffset: index &* 4, as: Int32.self)
        }
      case .float32:
        for (index, sample) in samples.enumerated() {
          raw.storeBytes(
            of: Float(sample).bitPattern.littleEndian, toByteOffset: index &* 4, as: UInt32.self)
        }
      case .float64:
        for (index, sample) in samples.enumerated() {
          raw.storeBytes(
            of: sample.bitPattern.littleEndian, toByteOffset: index &* 8, as: UInt64.self)
        }
      }
      initialized = samples.count * width
    }
  }
}
