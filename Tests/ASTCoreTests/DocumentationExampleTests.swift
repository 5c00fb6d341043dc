import ASTCore
import ASTTestSupport
import Foundation
import Testing

/// The examples of the DocC catalog (`Sources/ASTCore/ASTCore.docc`), compiled and run.
/// A test below checks that every Swift block of the catalog appears in this file
/// word for word, so the documentation cannot drift from code that works.
@Suite("Documentation examples")
struct DocumentationExampleTests {
  @Test("generate and process a sine wave")
  func sineWave() throws {
    let context = ProcessingContext()
    let rate = 44_100
    let sine = (0..<rate).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / Double(rate))) }
    let stream = try context.audioStream(fromSamples: sine, sampleRate: rate)
    print(stream.durationSeconds)  // 1.0
    let samples: [Float] = try context.samples(from: stream)
    let peak = samples.map(abs).max() ?? 0  // 0.5
    #expect(stream.durationSeconds == 1.0)
    #expect(abs(peak - 0.5) < 1e-4)
  }

  @Test("apply a volume effect")
  func volume() throws {
    let context = ProcessingContext()
    let tone = try AudioSegment(
      samples: (0..<8_000).map { 0.8 * sin(2 * Double.pi * 440 * Double($0) / 8_000) },
      sampleRate: 8_000)
    let quieter = tone.applyingGain(decibels: -6)
    print(quieter.peakDBFS)  // about -7.9
    let stream = context.audioStream(from: quieter)
    #expect(abs(quieter.peakDBFS - (tone.peakDBFS - 6)) < 0.01)
    #expect(stream.sampleRate == 8_000)
  }

  @Test("chunk audio for streaming")
  func chunks() throws {
    let context = ProcessingContext()
    let stream = try context.audioStream(
      fromSamples: [Float](repeating: 0.25, count: 44_100), sampleRate: 44_100)
    for chunk in try context.chunks(of: stream, duration: 0.25) {
      print(chunk.timestamp.start, chunk.metadata?["chunk_index"] ?? .null)
    }
    let chunks = Array(try context.chunks(of: stream, duration: 0.25))
    #expect(chunks.count == 4)
    #expect(chunks[3].timestamp.start == 0.75)
  }

  @Test("build stereo audio")
  func stereo() throws {
    let context = ProcessingContext()
    let left = (0..<4_410).map { Float(sin(2 * Double.pi * 440 * Double($0) / 44_100)) * 0.5 }
    let right = left.map { $0 * 0.25 }
    let interleaved = zip(left, right).flatMap { [$0, $1] }
    let stereo = try context.audioStream(fromSamples: interleaved, channelCount: 2)
    print(stereo.channelCount, stereo.frameCount)  // 2 4410
    #expect(stereo.channelCount == 2 && stereo.frameCount == 4_410)
  }

  @Test("convert between a segment and a stream, and export")
  func segmentAndExport() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("tone.flac")
    let context = ProcessingContext()
    let stream = try context.audioStream(
      fromSamples: (0..<8_000).map { Double(sin(Double($0) * 0.1)) * 0.5 }, sampleRate: 8_000)
    let segment = try context.audioSegment(from: stream)
    try segment.fadingOut(milliseconds: 100).export(to: path)
    let back = context.audioStream(from: try AudioSegment(contentsOfFile: path))
    print(back.durationSeconds)  // 1.0
    #expect(back.durationSeconds == 1.0)
  }

  @Test("channels: a producer and a consumer")
  func channels() async throws {
    let channels = ChannelManager()
    let context = ProcessingContext(channels: channels)
    let stream = try context.audioStream(
      fromSamples: [Float](repeating: 0.1, count: 44_100), sampleRate: 44_100)
    let subscription = try await channels.subscribe(to: "audio")
    let producer = Task {
      for chunk in try context.chunks(of: stream, duration: 0.1) {
        try await channels.publish(chunk, to: "audio")
      }
      await channels.closeChannel("audio")
    }
    var frames = 0
    for await chunk in subscription.messages(of: AudioStream.self) {
      frames += chunk.frameCount
    }
    try await producer.value
    print(frames)  // 44100
    #expect(frames == 44_100)
  }

  @Test("every Swift block of the catalog is one of the examples above, word for word")
  func catalogMatches() throws {
    let tests = URL(fileURLWithPath: #filePath)
    let root = tests.deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let catalog = root.appendingPathComponent("Sources/ASTCore/ASTCore.docc")
    var sources = try String(contentsOf: tests, encoding: .utf8)
    sources += try String(
      contentsOf: root.appendingPathComponent("Tests/ASTRuntimeTests/ScriptRunnerTests.swift"),
      encoding: .utf8)
    let normalised = Self.words(sources)
    var blocks = 0
    for name in try FileManager.default.contentsOfDirectory(atPath: catalog.path)
    where name.hasSuffix(".md") {
      let text = try String(contentsOf: catalog.appendingPathComponent(name), encoding: .utf8)
      for block in text.components(separatedBy: "```swift\n").dropFirst() {
        let code = block.components(separatedBy: "```").first ?? ""
        blocks += 1
        #expect(normalised.contains(Self.words(code)), "\(name): a block is not tested:\n\(code)")
      }
    }
    #expect(blocks >= 7)
  }

  /// Text with its white space collapsed, so indentation does not matter.
  static func words(_ text: String) -> String {
    text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }
}
