import Foundation

extension AudioStream: Codable {
  private enum CodingKeys: String, CodingKey {
    case type
    case data
    case sampleRate = "sample_rate"
    case channels
    case sampleWidth = "sample_width"
    case format
    case timestamp
    case metadata
  }

  /// Decodes the JSON form: `type` must be `audio_stream`, `data` base64 text,
  /// `timestamp` two numbers and `metadata` an object or null. Absent fields take
  /// their defaults.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = AudioStream()
    if container.contains(.type), try container.decodeNil(forKey: .type) {
      throw DecodingError.dataCorruptedError(
        forKey: .type, in: container,
        debugDescription: "type must be \"\(Self.typeTag)\", got null")
    }
    if let type = try container.decodeIfPresent(String.self, forKey: .type),
      type != Self.typeTag
    {
      throw DecodingError.dataCorruptedError(
        forKey: .type, in: container,
        debugDescription: "type must be \"\(Self.typeTag)\", got \"\(type)\"")
    }
    var bytes = defaults.data
    if let text = try container.decodeIfPresent(String.self, forKey: .data) {
      guard let decoded = Data(base64Encoded: text) else {
        throw DecodingError.dataCorruptedError(
          forKey: .data, in: container, debugDescription: "data is not valid base64")
      }
      bytes = [UInt8](decoded)
    }
    var timestamp = defaults.timestamp
    if container.contains(.timestamp) {
      guard let pair = try? container.decode([Double].self, forKey: .timestamp), pair.count == 2
      else {
        throw DecodingError.dataCorruptedError(
          forKey: .timestamp, in: container,
          debugDescription: "timestamp must be an array of two numbers [start, end]")
      }
      timestamp = Timestamp(start: pair[0], end: pair[1])
    }
    self.init(
      data: bytes,
      sampleRate: try container.decodeIfPresent(Int.self, forKey: .sampleRate)
        ?? defaults.sampleRate,
      channelCount: try container.decodeIfPresent(Int.self, forKey: .channels)
        ?? defaults.channelCount,
      sampleWidth: try container.decodeIfPresent(Int.self, forKey: .sampleWidth)
        ?? defaults.sampleWidth,
      format: try container.decodeIfPresent(String.self, forKey: .format) ?? defaults.format,
      timestamp: timestamp,
      metadata: try container.decodeIfPresent(Metadata.self, forKey: .metadata))
  }

  /// Encodes the JSON form, with `data` as base64 and `timestamp` as `[start, end]`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(Self.typeTag, forKey: .type)
    try container.encode(Data(data).base64EncodedString(), forKey: .data)
    try container.encode(sampleRate, forKey: .sampleRate)
    try container.encode(channelCount, forKey: .channels)
    try container.encode(sampleWidth, forKey: .sampleWidth)
    try container.encode(format, forKey: .format)
    try container.encode([timestamp.start, timestamp.end], forKey: .timestamp)
    if let metadata {
      try container.encode(metadata, forKey: .metadata)
    } else {
      try container.encodeNil(forKey: .metadata)
    }
  }

  /// The JSON form as UTF-8 bytes, keys sorted, on one line.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }

  /// Decodes a stream from its JSON form.
  ///
  /// - Throws: ``AudioStreamError/invalidJSON(_:)`` naming the field that was wrong.
  public init(jsonData: Data) throws {
    do {
      self = try JSONDecoder().decode(AudioStream.self, from: jsonData)
    } catch let error as DecodingError {
      throw AudioStreamError.invalidJSON(Self.explain(error))
    }
  }

  private static func explain(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.isEmpty ? "the top level" : "'" + keys.map(\.stringValue).joined(separator: ".") + "'"
    }
    switch error {
    case .dataCorrupted(let context):
      if context.codingPath.isEmpty { return "not valid JSON" }
      return "\(path(context.codingPath)): \(context.debugDescription)"
    case .typeMismatch(let type, let context):
      return "\(path(context.codingPath)): expected \(type)"
    case .valueNotFound(let type, let context):
      return "\(path(context.codingPath)): expected \(type), found null"
    case .keyNotFound(let key, _):
      return "missing field '\(key.stringValue)'"
    @unknown default:
      return String(describing: error)
    }
  }
}
