/// Free-form metadata attached to an ``AudioStream``: a string-keyed map of values.
public typealias Metadata = [String: MetadataValue]

/// One value in a metadata map: a JSON-like number, string, boolean, list, map or null.
public enum MetadataValue: Sendable, Equatable, Hashable {
  /// The absence of a value.
  case null
  /// A boolean.
  case bool(Bool)
  /// A whole number.
  case int(Int)
  /// A floating-point number.
  case double(Double)
  /// A string.
  case string(String)
  /// An ordered list of values.
  case array([MetadataValue])
  /// A nested string-keyed map.
  case object([String: MetadataValue])
}

extension MetadataValue: ExpressibleByIntegerLiteral {
  /// Creates a whole-number value from an integer literal.
  public init(integerLiteral value: Int) { self = .int(value) }
}

extension MetadataValue: ExpressibleByFloatLiteral {
  /// Creates a floating-point value from a float literal.
  public init(floatLiteral value: Double) { self = .double(value) }
}

extension MetadataValue: ExpressibleByStringLiteral {
  /// Creates a string value from a string literal.
  public init(stringLiteral value: String) { self = .string(value) }
}

extension MetadataValue: ExpressibleByBooleanLiteral {
  /// Creates a boolean value from a boolean literal.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension MetadataValue: ExpressibleByNilLiteral {
  /// Creates the null value from `nil`.
  public init(nilLiteral: ()) { self = .null }
}

extension MetadataValue: ExpressibleByArrayLiteral {
  /// Creates a list value from an array literal.
  public init(arrayLiteral elements: MetadataValue...) { self = .array(elements) }
}

extension MetadataValue: ExpressibleByDictionaryLiteral {
  /// Creates a map value from a dictionary literal; a repeated key keeps its last value.
  public init(dictionaryLiteral elements: (String, MetadataValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
  }
}

extension MetadataValue: Codable {
  /// Decodes a JSON value of any kind.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int.self) {
      self = .int(value)
    } else if let value = try? container.decode(Double.self) {
      self = .double(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([MetadataValue].self) {
      self = .array(value)
    } else if let value = try? container.decode([String: MetadataValue].self) {
      self = .object(value)
    } else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "metadata value is not a JSON value")
    }
  }

  /// Encodes the value as the matching JSON value.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .int(let value): try container.encode(value)
    case .double(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }
}
