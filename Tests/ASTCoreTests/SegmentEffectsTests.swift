import ASTTestSupport
import Foundation
import Testing

@testable import ASTCore

@Suite("AudioSegment effects, against values computed by hand")
struct SegmentEffectsTests {
  /// A mono 16-bit segment at 1 kHz (one frame per millisecond) of Int16 values.
  func segment(_ values: [Int16], channelCount: Int = 1, rate: Int = 1_000) throws -> AudioSegment {
    try AudioSegment(
      data: int16Bytes(values), encoding: .int16, sampleRate: rate, channelCount: channelCount)
  }

  func values(_ segment: AudioSegment) -> [Int16] {
    int16Values(segment.data)
  }

  @Test("gain in dB multiplies by 10^(dB/20), truncating toward zero")
  func gain() throws {
    let base = try segment([16384, -16384, 100, 0])
    // 16384 * 10^(-6/20) = 8211.48 -> 8211; 100 * 0.501187 = 50.1 -> 50.
    #expect(values(base.applyingGain(decibels: -6)) == [8211, -8211, 50, 0])
    // +6 dB: 16384 * 1.995262 = 32690.4 -> 32690.
    #expect(values(base.applyingGain(decibels: 6)) == [32690, -32690, 199, 0])
    #expect(abs(AudioSegment.linearGain(decibels: -6) - 0.501187233627) < 1e-12)
  }

  @Test("gain clips integer samples at full scale")
  func gainClips() throws {
    let loud = try segment([16384, -16384]).applyingGain(decibels: 12)
    #expect(values(loud) == [32767, -32768])
    // Float segments are not clipped.
    let float = try AudioSegment(samples: [0.5], encoding: .float32).applyingGain(decibels: 12)
    #expect(abs(float.samples()[0] - 0.5 * pow(10, 12.0 / 20)) < 1e-6)
  }

  @Test("peak and RMS in dBFS")
  func levels() throws {
    let square = try segment([16384, -16384, 16384, -16384])
    #expect(abs(square.peakDBFS - 20 * log10(0.5)) < 1e-9)
    #expect(abs(square.rmsDBFS - 20 * log10(0.5)) < 1e-9)
    let sine = try AudioSegment(
      samples: sineSamples(frequencies: [1_000], sampleRate: 48_000, frames: 48_000),
      encoding: .float64, sampleRate: 48_000)
    #expect(abs(sine.rmsDBFS - 20 * log10(0.5 / 2.0.squareRoot())) < 0.001)
    #expect(abs(sine.peakDBFS - 20 * log10(0.5)) < 0.001)
    let silence = try AudioSegment.silent(milliseconds: 10)
    #expect(silence.peakDBFS == -.infinity)
    #expect(silence.rmsDBFS == -.infinity)
    #expect(abs(try segment([32767]).peakDBFS - 20 * log10(32767.0 / 32768)) < 1e-12)
  }

  @Test("fade in scales frame i of n by i/n; fade out mirrors it")
  func fades() throws {
    let flat = try segment([Int16](repeating: 16384, count: 8))
    #expect(
      values(flat.fadingIn(milliseconds: 4)) == [0, 4096, 8192, 12288, 16384, 16384, 16384, 16384])
    #expect(
      values(flat.fadingOut(milliseconds: 4)) == [16384, 16384, 16384, 16384, 12288, 8192, 4096, 0])
    // A fade longer than the segment covers it all.
    #expect(values(try segment([16384, 16384]).fadingIn(milliseconds: 100)) == [0, 8192])
    // Both channels of a frame get the same gain.
    let stereo = try segment([16384, -16384, 16384, -16384], channelCount: 2)
    #expect(values(stereo.fadingIn(milliseconds: 2)) == [0, 0, 8192, -8192])
    #expect(flat.fadingIn(milliseconds: 0) == flat)
  }

  @Test("slices take frames [round(start), round(end)) in milliseconds, clamped, like Python")
  func slicing() throws {
    let ramp = try segment([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    #expect(values(ramp.slice(fromMilliseconds: 2, toMilliseconds: 5)) == [2, 3, 4])
    #expect(values(ramp.slice(fromMilliseconds: 7)) == [7, 8, 9])
    #expect(values(ramp.slice(toMilliseconds: 2)) == [0, 1])
    #expect(values(ramp.slice(fromMilliseconds: -3)) == [7, 8, 9])
    #expect(values(ramp.slice(fromMilliseconds: 2, toMilliseconds: -6)) == [2, 3])
    #expect(values(ramp.slice(fromMilliseconds: -50, toMilliseconds: 50)) == Array(0...9))
    #expect(values(ramp.slice(fromMilliseconds: 6, toMilliseconds: 3)).isEmpty)
    #expect(values(ramp.slice(fromMilliseconds: 20, toMilliseconds: 30)).isEmpty)
    #expect(values(ramp.slice(fromMilliseconds: 1.4, toMilliseconds: 2.6)) == [1, 2])
    // At 44.1 kHz, 10 ms is 441 frames.
    let long = try AudioSegment.silent(milliseconds: 1_000, sampleRate: 44_100)
    #expect(long.slice(fromMilliseconds: 0, toMilliseconds: 10).frameCount == 441)
  }

  @Test("concatenation puts one after the other; a cross-fade overlaps them linearly")
  func concatenation() throws {
    let a = try segment([100, 100, 100, 100])
    let b = try segment([200, 200, 200])
    #expect(values(try a + b) == [100, 100, 100, 100, 200, 200, 200])
    let crossed = try a.appending(b, crossfadeMilliseconds: 2)
    // Frame i of the 2-frame cross-fade: (2 - i) / 2 of a's tail plus i / 2 of b's head.
    #expect(values(crossed) == [100, 100, 100, 150, 200])
    // A steady level stays steady through a cross-fade.
    let steady = try segment([Int16](repeating: 1000, count: 8))
    #expect(
      values(try steady.appending(steady, crossfadeMilliseconds: 4))
        == Array(repeating: 1000, count: 12))
    #expect(throws: AudioStreamError.self) { try a.appending(b, crossfadeMilliseconds: 5) }
  }

  @Test("segments of different formats are brought to a common one")
  func synchronization() throws {
    let mono8k = try AudioSegment(samples: [0.5, 0.5], encoding: .int16, sampleRate: 1_000)
    let stereo = try AudioSegment(
      samples: [0.25, -0.25, 0.25, -0.25], encoding: .float32, sampleRate: 1_000, channelCount: 2)
    let joined = try mono8k + stereo
    #expect(joined.channelCount == 2)
    #expect(joined.encoding == .float32)
    #expect(joined.samples() == [0.5, 0.5, 0.5, 0.5, 0.25, -0.25, 0.25, -0.25])
  }

  @Test("overlay adds the second segment from a position, keeps the first's length, clips")
  func overlay() throws {
    let base = try segment([1000, 1000, 1000, 1000, 1000])
    let top = try segment([10, 20, 30])
    #expect(values(try base.overlaying(top)) == [1010, 1020, 1030, 1000, 1000])
    #expect(values(try base.overlaying(top, atMilliseconds: 3)) == [1000, 1000, 1000, 1010, 1020])
    #expect(values(try base.overlaying(top, atMilliseconds: 9)) == [1000, 1000, 1000, 1000, 1000])
    let loud = try segment([30000, -30000])
    #expect(values(try loud.overlaying(loud)) == [32767, -32768])
    // The result keeps the base's format: a float stereo overlay at twice the rate is
    // resampled and mixed down onto a 16-bit mono base.
    let quiet = try AudioSegment(
      samples: [Double](repeating: 0.25, count: 200 * 2), encoding: .float32, sampleRate: 2_000,
      channelCount: 2)
    let mixed = try base.overlaying(quiet)
    #expect(mixed.encoding == .int16)
    #expect(mixed.sampleRate == 1_000)
    #expect(mixed.channelCount == 1)
    #expect(mixed.frameCount == 5)
    #expect(throws: AudioStreamError.self) { try base.overlaying(top, atMilliseconds: -1) }
  }

  @Test("reverse reverses frames and keeps channel order; repeat repeats")
  func reverseAndRepeat() throws {
    let stereo = try segment([1, -1, 2, -2, 3, -3], channelCount: 2)
    #expect(values(stereo.reversed()) == [3, -3, 2, -2, 1, -1])
    #expect(values(try stereo.repeated(2)) == [1, -1, 2, -2, 3, -3, 1, -1, 2, -2, 3, -3])
    #expect(try stereo.repeated(0).frameCount == 0)
    #expect(throws: AudioStreamError.self) { try stereo.repeated(-1) }
    let wide = try AudioSegment(samples: [0.1, 0.2, 0.3], encoding: .int24)
    #expect(wide.reversed().reversed() == wide)
  }

  @Test("channel changes: mono to stereo copies, stereo to mono averages, others fail")
  func channels() throws {
    let mono = try segment([100, -200])
    #expect(values(try mono.withChannelCount(2)) == [100, 100, -200, -200])
    let stereo = try segment([100, 300, -200, 0], channelCount: 2)
    #expect(values(try stereo.withChannelCount(1)) == [200, -100])
    #expect(throws: AudioStreamError.self) { try stereo.withChannelCount(3) }
    #expect(throws: AudioStreamError.self) { try stereo.withChannelCount(0) }
    let split = stereo.splitToMono()
    #expect(split.map(values) == [[100, -200], [300, 0]])
    #expect(try AudioSegment.interleaving(split) == stereo)
  }

  @Test("sample width changes: widening is exact, integer narrowing is floor division")
  func widths() throws {
    let base = try segment([16384, -300, 32767, -32768])
    let wide = try base.withSampleWidth(3)
    #expect(wide.encoding == .int24)
    #expect(wide.samples() == base.samples())
    #expect(try wide.withSampleWidth(2) == base)
    let narrow = try base.withSampleWidth(1)
    // 16384/256 = 64; -300/256 = -1.17 -> -2; 32767/256 = 127.99 -> 127; -32768/256 = -128.
    #expect(narrow.data.map { Int8(bitPattern: $0) } == [64, -2, 127, -128])
    // Int32 to Int16 follows the contract's rule: -1 -> -1, 65535 -> 0, -65537 -> -2.
    let int32 = try AudioSegment(
      data: int32Bytes([-1, 65_535, -65_536, -65_537]), encoding: .int32, sampleRate: 8_000,
      channelCount: 1)
    #expect(values(try int32.withSampleWidth(2)) == [-1, 0, -1, -2])
    // 24-bit to 16-bit drops the low byte the same way.
    let int24 = try AudioSegment(samples: [-1.0 / 8_388_608, 0.5], encoding: .int24)
    #expect(values(try int24.withSampleWidth(2)) == [-1, 16384])
    // Floats become integers by the float-to-int rule (truncation toward zero).
    let floats = try AudioSegment(samples: [-0.5 / 32768, 0.1], encoding: .float64)
    #expect(values(floats.converted(to: .int16)) == [0, 3276])
    #expect(throws: AudioStreamError.unsupportedSampleWidth(5)) { try base.withSampleWidth(5) }
    #expect(base.converted(to: .float64).samples() == base.samples())
  }

  @Test("normalize scales the peak to the target")
  func normalize() throws {
    let quiet = try AudioSegment(samples: [0.1, -0.2, 0.05], encoding: .float64)
    let loud = quiet.normalized(peakDBFS: -6)
    #expect(abs(loud.peak - pow(10, -6.0 / 20)) < 1e-12)
    let silence = try AudioSegment.silent(milliseconds: 5)
    #expect(silence.normalized() == silence)
  }

  @Test(
    "resampling 44.1 kHz to 48 kHz gives round(n * 48000 / 44100) frames at the same level and pitch"
  )
  func resampling() throws {
    let input = try AudioSegment(
      samples: sineSamples(frequencies: [1_000, 3_000], sampleRate: 44_100, frames: 44_100),
      encoding: .float32, sampleRate: 44_100, channelCount: 2)
    let output = try input.resampled(to: 48_000)
    #expect(output.sampleRate == 48_000)
    #expect(output.frameCount == 48_000)
    #expect(output.channelCount == 2)
    // Away from the edges, the level is kept within 0.01 dB.
    let middle = output.slice(fromMilliseconds: 100, toMilliseconds: 900)
    #expect(abs(middle.rmsDBFS - 20 * log10(0.5 / 2.0.squareRoot())) < 0.01)
    // And the result matches the ideal sine at 48 kHz closely (libsoxr's delay is compensated).
    let ideal = sineSamples(frequencies: [1_000, 3_000], sampleRate: 48_000, frames: 48_000)
    let got = output.samples()
    var worst = 0.0
    for index in (4_800 * 2)..<(43_200 * 2) { worst = max(worst, abs(got[index] - ideal[index])) }
    #expect(worst < 1e-4)
    // Odd lengths round: 1001 frames at 8 kHz to 11025 Hz -> 1379.503 -> 1380.
    let odd = try AudioSegment(samples: [Double](repeating: 0.1, count: 1_001), sampleRate: 8_000)
    #expect(try odd.resampled(to: 11_025).frameCount == 1_380)
    #expect(throws: AudioStreamError.self) { try odd.resampled(to: 0) }
  }
}

@Suite("Resampler")
struct ResamplerTests {
  @Test("processing in blocks gives the same samples as processing at once")
  func blocksMatchWhole() throws {
    let input = sineSamples(frequencies: [440, 550], sampleRate: 44_100, frames: 20_000).map(
      Float.init)
    let whole = try Resampler<Float>(inputRate: 44_100, outputRate: 48_000, channelCount: 2)
    var wholeOutput: [Float] = []
    try input.withUnsafeBufferPointer { try whole.process($0, into: &wholeOutput) }
    try whole.flush(into: &wholeOutput)

    let blocks = try Resampler<Float>(inputRate: 44_100, outputRate: 48_000, channelCount: 2)
    var blockOutput: [Float] = []
    var start = 0
    while start < input.count {
      let end = min(start + 2 * 777, input.count)
      try input[start..<end].withUnsafeBufferPointer { try blocks.process($0, into: &blockOutput) }
      start = end
    }
    try blocks.flush(into: &blockOutput)
    #expect(blockOutput == wholeOutput)
    #expect(abs(wholeOutput.count / 2 - 21_769) <= 1)
  }

  @Test("invalid settings are refused")
  func invalid() {
    #expect(throws: AudioStreamError.self) {
      try Resampler<Double>(inputRate: 0, outputRate: 48_000, channelCount: 1)
    }
    #expect(throws: AudioStreamError.self) {
      try Resampler<Double>(inputRate: 44_100, outputRate: 48_000, channelCount: 0)
    }
  }
}

@Suite("AudioSegment limits")
struct SegmentLimitTests {
  @Test("absurd lengths are refused with an error, not a crash")
  func absurdLengths() throws {
    #expect(throws: AudioStreamError.self) {
      try AudioSegment.silent(milliseconds: 1e300)
    }
    #expect(throws: AudioStreamError.self) {
      try AudioSegment.silent(milliseconds: .infinity)
    }
    let one = try AudioSegment.silent(milliseconds: 1_000)
    #expect(throws: AudioStreamError.self) { try one.repeated(Int.max / 2) }
    #expect(throws: AudioStreamError.self) {
      try AudioSegment.silent(milliseconds: 10, channelCount: Int.max)
    }
    #expect(throws: AudioStreamError.self) { try one.withChannelCount(Int.max / 2) }
    #expect(throws: AudioStreamError.self) { try one.resampled(to: Int.max) }
    let slow = try AudioSegment.silent(milliseconds: 1_000, sampleRate: 1)
    #expect(throws: AudioStreamError.self) { try slow.resampled(to: 1_000_000) }
    #expect(throws: AudioStreamError.self) {
      try Resampler<Double>(inputRate: 1e-300, outputRate: 1e300, channelCount: 1)
    }
    // A stream whose fields would overflow has no frames rather than crashing.
    let hostile = AudioStream(data: [0, 0, 0, 0], channelCount: Int.max, sampleWidth: 2)
    #expect(hostile.frameCount == 0)
    #expect(hostile.durationSeconds == 0)
    #expect(throws: AudioStreamError.self) { try ProcessingContext().audioSegment(from: hostile) }
  }
}
