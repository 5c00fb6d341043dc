import ASTTestSupport
import Foundation
import Testing

@testable import ASTCore

@Suite("AudioStream value")
struct AudioStreamValueTests {
  @Test("defaults are those of the contract")
  func defaults() {
    let stream = AudioStream()
    #expect(stream.data.isEmpty)
    #expect(stream.sampleRate == 44_100)
    #expect(stream.channelCount == 1)
    #expect(stream.sampleWidth == 2)
    #expect(stream.format == "pcm_s16le")
    #expect(stream.timestamp == Timestamp(start: 0, end: 0))
    #expect(stream.metadata == nil)
    #expect(AudioStream.typeTag == "audio_stream")
    #expect(stream.durationSeconds == 0)
  }

  @Test("88200 bytes of mono 16-bit at 44100 Hz last 1.0 s")
  func durationMono() {
    let stream = AudioStream(data: [UInt8](repeating: 0, count: 88_200))
    #expect(stream.durationSeconds == 1.0)
    #expect(stream.frameCount == 44_100)
  }

  @Test("88200 bytes of stereo 16-bit at 44100 Hz last 0.5 s")
  func durationStereo() {
    let stream = AudioStream(data: [UInt8](repeating: 0, count: 88_200), channelCount: 2)
    #expect(stream.durationSeconds == 0.5)
  }

  @Test("13 bytes, 3 channels, width 2, rate 1 last 2.0 s: the partial frame is ignored")
  func partialFrameIgnored() {
    let stream = AudioStream(
      data: [UInt8](repeating: 1, count: 13), sampleRate: 1, channelCount: 3, sampleWidth: 2)
    #expect(stream.durationSeconds == 2.0)
    #expect(stream.frameCount == 2)
  }

  @Test(
    "duration is 0 when data is empty or rate, channels or width is 0",
    arguments: [
      AudioStream(data: []),
      AudioStream(data: [UInt8](repeating: 0, count: 100), sampleRate: 0),
      AudioStream(data: [UInt8](repeating: 0, count: 100), channelCount: 0),
      AudioStream(data: [UInt8](repeating: 0, count: 100), sampleWidth: 0),
    ])
  func zeroDuration(stream: AudioStream) {
    #expect(stream.durationSeconds == 0.0)
  }

  @Test("a 48 kHz stereo float stream's duration uses its width")
  func durationFloat() {
    let stream = AudioStream(
      data: [UInt8](repeating: 0, count: 48_000 * 2 * 4), sampleRate: 48_000, channelCount: 2,
      sampleWidth: 4, format: "pcm_f32le")
    #expect(stream.durationSeconds == 1.0)
  }

  @Test("format names are case-insensitive")
  func formatCase() {
    #expect(AudioStream(format: "PCM_F32LE").sampleFormat == .pcmF32LE)
    #expect(AudioStream(format: "Pcm_S32le").sampleFormat == .pcmS32LE)
    #expect(AudioStream(format: "mp3").sampleFormat == nil)
    #expect(SampleFormat.allCases.map(\.sampleWidth) == [2, 4, 4, 8])
  }

  @Test("metadata holds numbers, strings, booleans and nested values")
  func metadataValues() {
    let stream = AudioStream(
      metadata: ["n": 1, "x": 0.5, "s": "hi", "b": true, "list": [1, "two"], "map": ["k": nil]])
    #expect(stream.metadata?["n"] == .int(1))
    #expect(stream.metadata?["list"] == .array([.int(1), .string("two")]))
    #expect(stream.metadata?["map"] == .object(["k": .null]))
  }

  @Test("streams are values: a copy changes independently")
  func valueSemantics() {
    let original = AudioStream(data: [1, 2])
    var copy = original
    copy.data[0] = 9
    #expect(original.data == [1, 2])
    #expect(copy != original)
  }
}
