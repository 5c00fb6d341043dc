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

  /// The short name that the command line and scripts give: `s8`, `s16`, `s24`, `s32`,
  /// `f32` or `f64`.
  public var shortName: String {
    switch self {
    case .int8: "s8"
    case .int16: "s16"
    case .int24: "s24"
    case .int32: "s32"
    case .float32: "f32"
    case .float64: "f64"
    }
  }

  /// The encoding of a short name (see ``shortName``), or `nil` for another name.
  public init?(shortName: String) {
    guard let encoding = Self.allCases.first(where: { $0.shortName == shortName }) else {
      return nil
    }
    self = encoding
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
