import ASTTestSupport
import Foundation
import Testing

@testable import ASTCore

@Suite("AudioStream and AudioSegment")
struct SegmentConversionTests {
  let context = ProcessingContext()

  @Test("a segment's data, rate, channels and width are copied; the format comes from the width")
  func fromSegment() throws {
    let segment = try AudioSegment(
      data: int16Bytes([1, -1, 300, -300]), encoding: .int16, sampleRate: 22_050, channelCount: 2)
    let stream = context.audioStream(from: segment)
    #expect(stream.data == segment.data)
    #expect(stream.sampleRate == 22_050)
    #expect(stream.channelCount == 2)
    #expect(stream.sampleWidth == 2)
    #expect(stream.format == "pcm_s16le")
    let wide = try AudioSegment(
      data: int32Bytes([7, -7]), encoding: .int32, sampleRate: 8_000, channelCount: 1)
    #expect(context.audioStream(from: wide).format == "pcm_s32le")
    #expect(context.audioStream(from: wide).sampleWidth == 4)
  }

  @Test("a stream becomes a segment with the same four fields")
  func toSegment() throws {
    let stream = AudioStream(data: int16Bytes([5, 6, 7, 8]), sampleRate: 16_000, channelCount: 2)
    let segment = try context.audioSegment(from: stream)
    #expect(segment.data == stream.data)
    #expect(segment.sampleRate == 16_000)
    #expect(segment.channelCount == 2)
    #expect(segment.sampleWidth == 2)
    #expect(segment.encoding == .int16)
  }

  @Test("a pcm_f32le stream becomes a float segment, and back")
  func floatStaysFloat() throws {
    let stream = AudioStream(
      data: float32Bytes([0.5, -0.25, 1.5]), sampleWidth: 4, format: "pcm_f32le")
    let segment = try context.audioSegment(from: stream)
    #expect(segment.encoding == .float32)
    #expect(segment.samples() == [0.5, -0.25, 1.5])
    let back = context.audioStream(from: segment)
    #expect(back.format == "pcm_f32le")
    #expect(try context.samples(from: back, as: Float.self) == [0.5, -0.25, 1.5])
  }

  @Test("data that does not make whole frames is rejected with the contract's message")
  func partialFrames() {
    let stream = AudioStream(data: [1, 2, 3, 4, 5, 6], channelCount: 2)
    #expect(throws: AudioStreamError.dataLengthNotFrameMultiple(byteCount: 6, frameWidth: 4)) {
      try context.audioSegment(from: stream)
    }
    #expect(
      AudioStreamError.dataLengthNotFrameMultiple(byteCount: 6, frameWidth: 4).description
        == "data length must be a multiple of '(sample_width * channels)'")
  }

  @Test("8 and 24-bit segments become 16 and 32-bit streams")
  func narrowAndOddWidths() throws {
    let int24 = try AudioSegment(samples: [0.5, -0.5], encoding: .int24)
    let stream = context.audioStream(from: int24)
    #expect(stream.format == "pcm_s32le")
    #expect(try context.samples(from: stream, as: Double.self) == [0.5, -0.5])
    let int8 = try AudioSegment(samples: [0.5], encoding: .int8)
    #expect(try context.samples(from: context.audioStream(from: int8), as: Double.self) == [0.5])
  }

  @Test("an unknown format with width 3 is read as 24-bit integers")
  func unknownFormatByWidth() throws {
    let stream = AudioStream(data: [0, 0, 0x40], sampleWidth: 3, format: "raw")
    let segment = try context.audioSegment(from: stream)
    #expect(segment.encoding == .int24)
    #expect(segment.samples() == [0.5])
  }
}

@Suite("Chunking")
struct ChunkingTests {
  let context = ProcessingContext()

  @Test("2.0 s in 0.5 s chunks gives 4 chunks with timestamps and chunk_index 0...3")
  func exampleThree() throws {
    let samples = sineSamples(frequencies: [440], sampleRate: 44_100, frames: 88_200)
    let stream = try context.audioStream(fromSamples: samples)
    let chunks = Array(try context.chunks(of: stream, duration: 0.5))
    #expect(chunks.count == 4)
    let expected: [(Double, Double)] = [(0, 0.5), (0.5, 1.0), (1.0, 1.5), (1.5, 2.0)]
    for (index, chunk) in chunks.enumerated() {
      #expect(chunk.timestamp == Timestamp(start: expected[index].0, end: expected[index].1))
      #expect(chunk.durationSeconds == 0.5)
      #expect(chunk.metadata?["chunk_index"] == .int(index))
      #expect(chunk.format == "pcm_s16le")
    }
    #expect(chunks.flatMap(\.data) == stream.data)
  }

  @Test("the last chunk may be shorter and ends at its true end")
  func shortLastChunk() throws {
    let stream = AudioStream(
      data: [UInt8](repeating: 0, count: 2 * 2 * 1_100), sampleRate: 1_000, channelCount: 2,
      metadata: ["take": 2])
    let chunks = Array(try context.chunks(of: stream, duration: 0.25))
    #expect(chunks.count == 5)
    #expect(chunks.last?.timestamp == Timestamp(start: 1.0, end: 1.1))
    #expect(chunks.last?.frameCount == 100)
    #expect(chunks.last?.metadata == ["take": 2, "chunk_index": 4])
  }

  @Test("chunks of sample arrays are 16-bit streams with timestamps")
  func sampleChunks() throws {
    let samples = sineSamples(frequencies: [220, 330], sampleRate: 8_000, frames: 8_000)
    let chunks = try context.chunks(
      ofSamples: samples, sampleRate: 8_000, channelCount: 2, duration: 0.3)
    #expect(chunks.count == 4)
    let all = Array(chunks)
    #expect(all.map(\.timestamp.end) == [0.3, 0.6, 0.9, 1.0])
    #expect(all[3].metadata?["chunk_index"] == .int(3))
    let whole = try context.audioStream(fromSamples: samples, sampleRate: 8_000, channelCount: 2)
    #expect(all.flatMap(\.data) == whole.data)
  }

  @Test("a chunk shorter than one frame is an error", arguments: [0.0, -1.0, Double.nan, 1e-9])
  func invalidDuration(duration: Double) {
    #expect(throws: AudioStreamError.self) {
      try context.chunks(of: AudioStream(data: [0, 0]), duration: duration)
    }
  }
}
