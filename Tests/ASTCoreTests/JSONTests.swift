import ASTTestSupport
import Foundation
import Testing

@testable import ASTCore

@Suite("AudioStream JSON form")
struct JSONTests {
  func object(_ data: Data) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test("a stream round-trips through JSON with every field")
  func roundTrip() throws {
    let stream = AudioStream(
      data: [0, 1, 2, 255, 128, 7], sampleRate: 48_000, channelCount: 3, sampleWidth: 2,
      format: "pcm_s16le", timestamp: Timestamp(start: 1.5, end: 2.25),
      metadata: [
        "chunk_index": 3, "name": "take", "loud": false, "gain": 0.5, "tags": ["a", 1],
        "nested": ["x": nil],
      ])
    let decoded = try AudioStream(jsonData: try stream.jsonData())
    #expect(decoded == stream)
  }

  @Test("the JSON form has type, base64 data, a two-number timestamp and null metadata")
  func shape() throws {
    let stream = AudioStream(data: [1, 2, 3, 4], timestamp: Timestamp(start: 0, end: 0.5))
    let json = try object(try stream.jsonData())
    #expect(json["type"] as? String == "audio_stream")
    #expect(json["data"] as? String == "AQIDBA==")
    #expect(json["sample_rate"] as? Int == 44_100)
    #expect(json["channels"] as? Int == 1)
    #expect(json["sample_width"] as? Int == 2)
    #expect(json["format"] as? String == "pcm_s16le")
    #expect((json["timestamp"] as? [Double]) == [0, 0.5])
    #expect(json["metadata"] is NSNull)
  }

  @Test("absent fields take their defaults")
  func defaults() throws {
    let stream = try AudioStream(jsonData: Data(#"{"data": "AAA="}"#.utf8))
    #expect(stream == AudioStream(data: [0, 0]))
  }

  @Test(
    "malformed JSON is rejected with a message naming the problem",
    arguments: [
      (#"{"type": "audio", "data": ""}"#, "type must be \"audio_stream\""),
      (#"{"type": null}"#, "type must be \"audio_stream\", got null"),
      (#"{"data": "not base64!"}"#, "not valid base64"),
      (#"{"timestamp": [1]}"#, "timestamp must be an array of two numbers"),
      (#"{"timestamp": [1, 2, 3]}"#, "timestamp must be an array of two numbers"),
      (#"{"timestamp": ["a", "b"]}"#, "timestamp must be an array of two numbers"),
      (#"{"timestamp": 5}"#, "timestamp must be an array of two numbers"),
      (#"{"sample_rate": "fast"}"#, "'sample_rate'"),
      (#"{"metadata": [1, 2]}"#, "'metadata'"),
      (#"[1, 2]"#, "the top level"),
      (#"{"data": "#, "not valid JSON"),
    ])
  func rejects(text: String, fragment: String) {
    do {
      _ = try AudioStream(jsonData: Data(text.utf8))
      Issue.record("accepted \(text)")
    } catch let error as AudioStreamError {
      guard case .invalidJSON = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(error.description.contains(fragment), "\(error.description)")
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }
}
