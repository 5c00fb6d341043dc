import ASTTestSupport
import Foundation
import Testing

@testable import ASTCore

@Suite("Conversions between samples and AudioStream")
struct ConversionTests {
  let context = ProcessingContext()

  func int16Values(_ stream: AudioStream) -> [Int16] {
    ASTTestSupport.int16Values(stream.data)
  }

  // MARK: From samples

  @Test("Int16 samples are stored as they are, little-endian")
  func fromInt16() throws {
    let stream = try context.audioStream(fromSamples: [Int16(0), 1, -1, 32767, -32768, 258])
    #expect(stream.data == [0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x80, 0x02, 0x01])
    #expect(stream.sampleWidth == 2)
    #expect(stream.format == "pcm_s16le")
  }

  static let floatVectors: [(Double, Int16)] = [
    (1.0, 32767), (-1.0, -32768), (0.5, 16384), (-0.5, -16384), (0.1, 3276),
    (0.99999, 32767), (1.0 / 32768, 1), (-0.5 / 32768, 0), (2.0, 32767), (-2.0, -32768),
    (0.0, 0),
  ]

  @Test("Float samples follow x32768, clip, truncate", arguments: floatVectors)
  func fromFloat(input: Double, expected: Int16) throws {
    let stream = try context.audioStream(fromSamples: [Float(input)])
    #expect(int16Values(stream) == [expected])
  }

  @Test("Double samples follow x32768, clip, truncate", arguments: floatVectors)
  func fromDouble(input: Double, expected: Int16) throws {
    let stream = try context.audioStream(fromSamples: [input])
    #expect(int16Values(stream) == [expected])
  }

  @Test("NaN becomes 0, +inf 32767, -inf -32768")
  func nonFinite() throws {
    let floats = try context.audioStream(fromSamples: [Float.nan, .infinity, -.infinity])
    #expect(int16Values(floats) == [0, 32767, -32768])
    let doubles = try context.audioStream(fromSamples: [Double.nan, .infinity, -.infinity])
    #expect(int16Values(doubles) == [0, 32767, -32768])
  }

  @Test("the output is always 16-bit pcm_s16le with the given rate, channels and metadata")
  func outputFormat() throws {
    let stream = try context.audioStream(
      fromSamples: [0.0, 0.5, -0.5, 1.0], sampleRate: 48_000, channelCount: 2,
      timestamp: Timestamp(start: 3, end: 7), metadata: ["k": "v"])
    #expect(stream.sampleWidth == 2)
    #expect(stream.format == "pcm_s16le")
    #expect(stream.sampleRate == 48_000)
    #expect(stream.channelCount == 2)
    // The timestamp is stored as given, not computed from the sample count.
    #expect(stream.timestamp == Timestamp(start: 3, end: 7))
    #expect(stream.metadata == ["k": "v"])
    #expect(int16Values(stream) == [0, 16384, -16384, 32767])
  }

  @Test("samples of another type are rejected naming the type")
  func unsupportedType() {
    #expect(throws: AudioStreamError.unsupportedSampleType("Int32")) {
      try context.audioStream(fromSamples: [Int32(1), 2])
    }
    #expect(throws: AudioStreamError.unsupportedSampleType("UInt8")) {
      try context.audioStream(fromSamples: [UInt8(1)])
    }
    let message = AudioStreamError.unsupportedSampleType("Int32").description
    #expect(message == "Unsupported dtype Int32. Use int16, float32, or float64.")
  }

  @Test("empty input gives empty data and duration 0")
  func emptyInput() throws {
    let stream = try context.audioStream(fromSamples: [Float]())
    #expect(stream.data.isEmpty)
    #expect(stream.durationSeconds == 0)
  }

  @Test("a sample count that is not a multiple of the channel count is an error")
  func partialFrameInput() {
    #expect(
      throws: AudioStreamError.sampleCountNotMultipleOfChannels(sampleCount: 3, channelCount: 2)
    ) {
      try context.audioStream(fromSamples: [Int16(1), 2, 3], channelCount: 2)
    }
  }

  @Test("a rate or channel count below 1 is an error")
  func invalidParameters() {
    #expect(throws: AudioStreamError.self) {
      try context.audioStream(fromSamples: [Int16(1)], sampleRate: 0)
    }
    #expect(throws: AudioStreamError.self) {
      try context.audioStream(fromSamples: [Int16(1)], channelCount: 0)
    }
  }

  // MARK: To samples

  @Test("Int16 reads as float divided by 32768")
  func int16ToFloat() throws {
    let stream = AudioStream(data: int16Bytes([32767, -32768, 0, 16384]))
    #expect(try context.samples(from: stream, as: Float.self) == [0.999969482421875, -1, 0, 0.5])
    #expect(try context.samples(from: stream, as: Double.self) == [0.999969482421875, -1, 0, 0.5])
    #expect(try context.samples(from: stream, as: Int16.self) == [32767, -32768, 0, 16384])
  }

  @Test("Int32 reads as float divided by 2^31 and as Int16 by floor division by 65536")
  func int32Conversions() throws {
    let stream = AudioStream(
      data: int32Bytes([-1, 65535, -65536, -65537, Int32.max, Int32.min]), sampleWidth: 4,
      format: "pcm_s32le")
    #expect(try context.samples(from: stream, as: Int16.self) == [-1, 0, -1, -2, 32767, -32768])
    let doubles = try context.samples(from: stream, as: Double.self)
    #expect(
      doubles
        == [-1, 65535, -65536, -65537, 2_147_483_647, -2_147_483_648].map { $0 / 2_147_483_648 })
    let floats = try context.samples(from: stream, as: Float.self)
    #expect(floats[5] == -1.0)
    #expect(floats[2] == Float(-65536.0 / 2_147_483_648))
  }

  @Test("float sources read as float are not normalised or clipped")
  func floatSourcesAsStored() throws {
    let f32 = AudioStream(
      data: float32Bytes([2.0, -3.5, 0.25]), sampleWidth: 4, format: "pcm_f32le")
    #expect(try context.samples(from: f32, as: Float.self) == [2.0, -3.5, 0.25])
    #expect(try context.samples(from: f32, as: Double.self) == [2.0, -3.5, 0.25])
    let f64 = AudioStream(data: float64Bytes([2.0, 0.1]), sampleWidth: 8, format: "pcm_f64le")
    #expect(try context.samples(from: f64, as: Double.self) == [2.0, 0.1])
  }

  @Test("float sources read as Int16 follow the float-to-int16 rule")
  func floatSourcesToInt16() throws {
    let values = Self.floatVectors.map(\.0) + [.nan, .infinity, -.infinity]
    let expected = Self.floatVectors.map(\.1) + [0, 32767, -32768]
    let f32 = AudioStream(
      data: float32Bytes(values.map(Float.init)), sampleWidth: 4, format: "pcm_f32le")
    #expect(try context.samples(from: f32, as: Int16.self) == expected)
    let f64 = AudioStream(data: float64Bytes(values), sampleWidth: 8, format: "pcm_f64le")
    #expect(try context.samples(from: f64, as: Int16.self) == expected)
  }

  @Test("a known format wins over a disagreeing sample width")
  func formatWins() throws {
    let stream = AudioStream(data: float32Bytes([0.25]), sampleWidth: 2, format: "PCM_F32LE")
    #expect(try context.samples(from: stream, as: Float.self) == [0.25])
    let s16 = AudioStream(data: int16Bytes([100, 200]), sampleWidth: 4, format: "pcm_s16le")
    #expect(try context.samples(from: s16, as: Int16.self) == [100, 200])
  }

  @Test("an unknown format falls back on the width: 2 is Int16, 4 is Float32")
  func widthFallback() throws {
    let int16 = AudioStream(data: int16Bytes([16384]), sampleWidth: 2, format: "raw")
    #expect(try context.samples(from: int16, as: Double.self) == [0.5])
    let float32 = AudioStream(data: float32Bytes([0.75]), sampleWidth: 4, format: "")
    #expect(try context.samples(from: float32, as: Double.self) == [0.75])
  }

  @Test("an unknown format with another width is an error", arguments: [1, 3, 8])
  func unsupportedWidth(width: Int) {
    let stream = AudioStream(data: [0, 0, 0, 0, 0, 0, 0, 0], sampleWidth: width, format: "x")
    #expect(throws: AudioStreamError.unsupportedSampleWidth(width)) {
      try context.samples(from: stream, as: Float.self)
    }
    #expect(
      AudioStreamError.unsupportedSampleWidth(width).description
        == "Unsupported sample_width \(width)")
  }

  @Test("a byte count that is not a multiple of the sample size is an error")
  func partialSample() {
    #expect(
      throws: AudioStreamError.byteCountNotMultipleOfSampleSize(
        byteCount: 3, sampleSize: 2, format: "pcm_s16le")
    ) {
      try context.samples(from: AudioStream(data: [1, 2, 3]), as: Int16.self)
    }
    let f64 = AudioStream(
      data: [UInt8](repeating: 0, count: 12), sampleWidth: 8, format: "pcm_f64le")
    #expect(
      throws: AudioStreamError.byteCountNotMultipleOfSampleSize(
        byteCount: 12, sampleSize: 8, format: "pcm_f64le")
    ) {
      try context.samples(from: f64, as: Double.self)
    }
  }

  @Test("empty data gives no samples")
  func emptyData() throws {
    #expect(try context.samples(from: AudioStream(), as: Float.self).isEmpty)
    #expect(try context.samples(from: AudioStream(format: "pcm_f64le"), as: Int16.self).isEmpty)
  }

  @Test("round trip Float [0, 0.5, 1, -0.5, -1] gives [0, 0.5, 0.999969482421875, -0.5, -1]")
  func roundTrip() throws {
    let stream = try context.audioStream(fromSamples: [Float(0), 0.5, 1, -0.5, -1])
    #expect(
      try context.samples(from: stream, as: Float.self) == [0, 0.5, 0.999969482421875, -0.5, -1])
  }

  @Test("a long multichannel round trip keeps every sample within one LSB")
  func longRoundTrip() throws {
    let samples = sineSamples(frequencies: [440, 660, 1000], sampleRate: 48_000, frames: 48_000)
    let stream = try context.audioStream(fromSamples: samples, sampleRate: 48_000, channelCount: 3)
    #expect(stream.durationSeconds == 1.0)
    let back = try context.samples(from: stream, as: Double.self)
    #expect(back.count == samples.count)
    #expect(maxDifference(samples, back) <= 1.0 / 32768)
  }

  @Test("unsafe buffer input converts like arrays")
  func bufferInput() throws {
    let values: [Float] = [0.25, -0.75]
    let stream = try values.withUnsafeBufferPointer {
      try context.audioStream(fromSamples: $0)
    }
    #expect(int16Values(stream) == [8192, -24576])
  }
}

@Suite("The in-range float-to-int16 kernel")
struct InRangeKernelTests {
  @Test("gives the rule's value for every sample in [-1, 1], at every step and between steps")
  func matchesTheRule() {
    var samples: [Float] = [-1, 1, 0, -0.0, 32767 / 32768, -32767.5 / 32768, 0.99999, -0.99999]
    for step in -32768...32768 {
      let x = Float(step) / 32768
      samples += [x, x + 0.3 / 32768, x - 0.3 / 32768].filter { abs($0) <= 1 }
    }
    var fast = [Int16](repeating: 0, count: samples.count * 2)
    let converted = samples.withUnsafeBufferPointer { source in
      fast.withUnsafeMutableBufferPointer { output in
        PCMKernels.int16InRange(
          source.baseAddress!, count: source.count, to: output.baseAddress! + 1, stride: 2)
      }
    }
    #expect(converted)
    var mismatches = 0
    for (index, sample) in samples.enumerated()
    where fast[index * 2 + 1] != PCMKernels.int16(fromFloat: sample) || fast[index * 2] != 0 {
      mismatches += 1
    }
    #expect(mismatches == 0)
  }

  @Test("the stereo kernel interleaves both channels by the rule, and refuses a bad sample")
  func stereo() {
    var left: [Float] = []
    for step in -32768...32768 { left += [Float(step) / 32768, Float(step) / 32768 * 0.99993] }
    let right = left.reversed().map { -$0 * 0.7 }
    var output = [Int16](repeating: 0, count: left.count * 2)
    let converted = output.withUnsafeMutableBufferPointer { target in
      PCMKernels.int16InRange(
        left: left, right: right, count: left.count, to: target.baseAddress!)
    }
    #expect(converted)
    let expected = zip(left, right).flatMap {
      [PCMKernels.int16(fromFloat: $0), PCMKernels.int16(fromFloat: $1)]
    }
    #expect(output == expected)
    for bad in [Float(1.0001), .nan] {
      var target = [Int16](repeating: 7, count: 4)
      let done = target.withUnsafeMutableBufferPointer {
        PCMKernels.int16InRange(
          left: [0.5, 0.1], right: [0.2, bad], count: 2, to: $0.baseAddress!)
      }
      #expect(!done)
      #expect(target == [7, 7, 7, 7])
    }
  }

  @Test("refuses a block with a sample outside [-1, 1] or not finite, writing nothing")
  func refuses() {
    for bad in [Float(1.0001), -2, .nan, .infinity] {
      let samples: [Float] = [0.5, bad, -0.5]
      var output = [Int16](repeating: 7, count: 3)
      let converted = samples.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target in
          PCMKernels.int16InRange(source.baseAddress!, count: 3, to: target.baseAddress!, stride: 1)
        }
      }
      #expect(!converted)
      #expect(output == [7, 7, 7])
    }
  }
}
