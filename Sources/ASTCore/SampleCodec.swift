/// The loops between little-endian sample bytes and samples, for every
/// ``SampleEncoding``: normalised `Double` samples both ways (how segments read and
/// store their bytes), and the `Float` and `Int16` samples that streams are read as.
///
/// Integers decode as `value / 2^(bits-1)`. Encoding to an integer multiplies by
/// 2^(bits-1), clips to the integer range and truncates toward zero, with NaN as 0
/// (``PCMKernels/quantize(_:fullScale:)``): the contract's float-to-int16 rule, for
/// every width. Floats are stored as they are.
enum SampleCodec {
  // MARK: One sample

  /// Sample `index` of 8-bit integers.
  @inline(__always)
  static func int8(_ raw: UnsafeRawPointer, _ index: Int) -> Int8 {
    Int8(bitPattern: raw.load(fromByteOffset: index, as: UInt8.self))
  }

  /// Sample `index` of little-endian 16-bit integers.
  @inline(__always)
  static func int16(_ raw: UnsafeRawPointer, _ index: Int) -> Int16 {
    Int16(littleEndian: raw.loadUnaligned(fromByteOffset: index &* 2, as: Int16.self))
  }

  /// Sample `index` of little-endian 24-bit integers, left-justified: its bits are the
  /// top 24 of the result, as a 32-bit integer of the same full scale.
  @inline(__always)
  static func int24(_ raw: UnsafeRawPointer, _ index: Int) -> Int32 {
    let offset = index &* 3
    let low = UInt32(raw.load(fromByteOffset: offset, as: UInt8.self))
    let middle = UInt32(raw.load(fromByteOffset: offset &+ 1, as: UInt8.self))
    let high = UInt32(raw.load(fromByteOffset: offset &+ 2, as: UInt8.self))
    return Int32(bitPattern: low << 8 | middle << 16 | high << 24)
  }

  /// Sample `index` of little-endian 32-bit integers.
  @inline(__always)
  static func int32(_ raw: UnsafeRawPointer, _ index: Int) -> Int32 {
    Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index &* 4, as: Int32.self))
  }

  /// Sample `index` of little-endian 32-bit floats.
  @inline(__always)
  static func float(_ raw: UnsafeRawPointer, _ index: Int) -> Float {
    Float(
      bitPattern: UInt32(
        littleEndian: raw.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self)))
  }

  /// Sample `index` of little-endian 64-bit floats.
  @inline(__always)
  static func double(_ raw: UnsafeRawPointer, _ index: Int) -> Double {
    Double(
      bitPattern: UInt64(
        littleEndian: raw.loadUnaligned(fromByteOffset: index &* 8, as: UInt64.self)))
  }

  // MARK: Decoding

  /// The normalised samples that `bytes` hold in `encoding`.
  static func decode(_ bytes: [UInt8], encoding: SampleEncoding) -> [Double] {
    let count = bytes.count / encoding.sampleWidth
    return bytes.withUnsafeBytes { raw in
      [Double](unsafeUninitializedCapacity: count) { output, initialized in
        if let base = output.baseAddress {
          decode(raw, encoding: encoding, count: count, into: base)
        }
        initialized = count
      }
    }
  }

  /// Decodes `count` samples of `encoding` as normalised doubles or floats. A float
  /// holds each integer rounded once (exactly for 8, 16 and 24 bits), as a double
  /// rounded to a float would.
  static func decode<Sample: BinaryFloatingPoint>(
    _ raw: UnsafeRawBufferPointer, encoding: SampleEncoding, count: Int,
    into output: UnsafeMutablePointer<Sample>
  ) {
    guard count > 0, let raw = raw.baseAddress else { return }
    switch encoding {
    case .int8:
      for index in 0..<count { output[index] = Sample(int8(raw, index)) * 0x1p-7 }
    case .int16:
      for index in 0..<count { output[index] = Sample(int16(raw, index)) * 0x1p-15 }
    case .int24:
      for index in 0..<count { output[index] = Sample(int24(raw, index)) * 0x1p-31 }
    case .int32:
      for index in 0..<count { output[index] = Sample(int32(raw, index)) * 0x1p-31 }
    case .float32:
      for index in 0..<count { output[index] = Sample(float(raw, index)) }
    case .float64:
      for index in 0..<count { output[index] = Sample(double(raw, index)) }
    }
  }

  /// Decodes `count` samples of `encoding` as 16-bit integers: wider integers keep their
  /// top 16 bits (floor division), narrower ones are shifted up, and floats follow the
  /// float-to-int16 rule.
  static func decode(
    _ raw: UnsafeRawBufferPointer, encoding: SampleEncoding, count: Int,
    into output: UnsafeMutablePointer<Int16>
  ) {
    guard count > 0, let raw = raw.baseAddress else { return }
    switch encoding {
    case .int8:
      for index in 0..<count { output[index] = Int16(int8(raw, index)) << 8 }
    case .int16:
      for index in 0..<count { output[index] = int16(raw, index) }
    case .int24:
      for index in 0..<count {
        output[index] = Int16(truncatingIfNeeded: int24(raw, index) >> 16)
      }
    case .int32:
      for index in 0..<count {
        output[index] = Int16(truncatingIfNeeded: int32(raw, index) >> 16)
      }
    case .float32:
      for index in 0..<count { output[index] = PCMKernels.int16(fromFloat: float(raw, index)) }
    case .float64:
      for index in 0..<count { output[index] = PCMKernels.int16(fromDouble: double(raw, index)) }
    }
  }

  // MARK: Encoding

  /// The bytes of normalised `samples` in `encoding`.
  static func encode(_ samples: [Double], encoding: SampleEncoding) -> [UInt8] {
    samples.withUnsafeBufferPointer { encode($0, encoding: encoding) }
  }

  /// The bytes of normalised `samples` in `encoding`.
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
