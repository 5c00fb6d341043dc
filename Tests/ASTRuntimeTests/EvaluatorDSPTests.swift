import ASTEngine
import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("DSP against closed forms")
struct EvaluatorDSPTests {
  @Test("sine: amp * sin(2 pi f n / r + phase), round(d r) frames")
  func sine() async throws {
    let audio = try await render("out = sine 440 0.5 phase:0.3 rate:48000 amp:0.8")
    #expect(audio.sampleRate == 48_000)
    #expect(audio.frameCount == 24_000)
    var worst = 0.0
    for n in 0..<audio.frameCount {
      let expected = 0.8 * sin(2 * Double.pi * 440 * Double(n) / 48_000 + 0.3)
      worst = max(worst, abs(Double(audio.channels[0][n]) - expected))
    }
    #expect(worst < 2e-6)
  }

  @Test("a modulated frequency integrates phase sample by sample")
  func modulatedFrequency() async throws {
    // A constant modulator gives the constant frequency's samples.
    let fixed = try await render("out = sine 440 0.2 rate:8000")
    let modulated = try await render("m = silence 0.2 rate:8000 + 440\nout = sine m 0.2 rate:8000")
    #expect(differenceDB(modulated.channels[0], fixed.channels[0]) < -100)
    // A frequency that doubles half-way: the phase after n samples is the sum of steps.
    let stepped = try await render(
      "m = concat [silence 0.1 rate:8000 + 100, silence 0.1 rate:8000 + 200]\nout = sine m 0.2 rate:8000"
    )
    var phase = 0.0
    var worst = 0.0
    for n in 0..<1_600 {
      worst = max(worst, abs(Double(stepped.channels[0][n]) - sin(2 * Double.pi * phase)))
      phase += (n < 800 ? 100.0 : 200.0) / 8000
    }
    #expect(worst < 1e-5)
  }

  @Test("square, saw and triangle: frequency, peak, start at phase 0, no DC")
  func waveforms() async throws {
    for shape in ["square", "saw", "triangle"] {
      let audio = try await render("out = \(shape) 100 1 rate:48000 amp:0.5")
      let samples = audio.channels[0]
      let peak = samples.map { abs($0) }.max() ?? 0
      #expect(abs(peak - 0.5) < 0.03, "\(shape) peak \(peak)")
      let mean = samples.reduce(0.0) { $0 + Double($1) } / Double(samples.count)
      #expect(abs(mean) < 0.002, "\(shape) mean \(mean)")
      var crossings = 0
      for n in 1..<samples.count where samples[n - 1] < 0 && samples[n] >= 0 { crossings += 1 }
      #expect(abs(crossings - 100) <= 1, "\(shape) crossings \(crossings)")
    }
    let triangle = try await render("out = triangle 1000 0.01 rate:8000")
    // 1 kHz at 8 kHz: 0, 0.5, 1, 0.5, 0, -0.5, -1, -0.5.
    #expect(Array(triangle.channels[0][0..<8]) == [0, 0.5, 1, 0.5, 0, -0.5, -1, -0.5])
  }

  @Test("band-limited saw: aliases folding into the audible band are far weaker than naive")
  func bandLimited() async throws {
    // A 3 kHz saw at 44.1 kHz: its 14th harmonic (42 kHz) folds down to 2.1 kHz.
    let audio = try await render("out = saw 3000 0.5 rate:44100")
    let samples = audio.channels[0].map(Double.init)
    func amplitude(_ signal: [Double], _ frequency: Double) -> Double {
      var re = 0.0
      var im = 0.0
      for (n, x) in signal.enumerated() {
        let angle = 2 * Double.pi * frequency * Double(n) / 44_100
        re += x * cos(angle)
        im -= x * sin(angle)
      }
      return 2 * (re * re + im * im).squareRoot() / Double(signal.count)
    }
    var naive: [Double] = []
    var t = 0.5
    for _ in 0..<samples.count {
      naive.append(2 * t - 1)
      t += 3000.0 / 44_100
      t -= t.rounded(.down)
    }
    let alias = 42_000 - 39_900.0
    #expect(amplitude(samples, alias) < amplitude(naive, alias) / 10)
    // The fundamental keeps the saw's 2 / pi.
    #expect(abs(amplitude(samples, 3000) - 2 / Double.pi) < 0.05)
  }

  /// The RBJ magnitude at `f`, computed from the cookbook's formulas here, independently.
  func magnitude(_ b: [Double], _ a: [Double], _ f: Double, _ rate: Double) -> Double {
    let w = 2 * Double.pi * f / rate
    func eval(_ c: [Double]) -> (Double, Double) {
      (c[0] + c[1] * cos(-w) + c[2] * cos(-2 * w), c[1] * sin(-w) + c[2] * sin(-2 * w))
    }
    let (nr, ni) = eval(b)
    let (dr, di) = eval(a)
    return ((nr * nr + ni * ni) / (dr * dr + di * di)).squareRoot()
  }

  /// The steady-state gain of `filter` for a sine at `f` (RMS after the transient).
  func measuredGain(_ filter: String, at f: Double) async throws -> Double {
    let audio = try await render("x = sine \(f) 1 rate:48000\nout = x |> \(filter)")
    let reference = try await render("out = sine \(f) 1 rate:48000")
    return rms(audio.channels[0], 24_000..<48_000) / rms(reference.channels[0], 24_000..<48_000)
  }

  @Test("every filter type's gain at chosen frequencies matches the cookbook's response")
  func filterResponses() async throws {
    let rate = 48_000.0
    func rbj(_ f0: Double, _ q: Double) -> (cosine: Double, alpha: Double) {
      let w0 = 2 * Double.pi * f0 / rate
      return (cos(w0), sin(w0) / (2 * q))
    }
    let (c, al) = rbj(1000, 0.7071)
    let lowpass = ([(1 - c) / 2, 1 - c, (1 - c) / 2], [1 + al, -2 * c, 1 - al])
    let highpass = ([(1 + c) / 2, -(1 + c), (1 + c) / 2], [1 + al, -2 * c, 1 - al])
    let (c1, a1) = rbj(1000, 1)
    let bandpass = ([a1, 0, -a1], [1 + a1, -2 * c1, 1 - a1])
    let notch = ([1, -2 * c1, 1], [1 + a1, -2 * c1, 1 - a1])
    let gainA = pow(10, 6.0 / 40)
    let peaking = (
      [1 + a1 * gainA, -2 * c1, 1 - a1 * gainA], [1 + a1 / gainA, -2 * c1, 1 - a1 / gainA]
    )
    let cases: [(String, ([Double], [Double]), [Double])] = [
      ("lowpass 1000", lowpass, [250, 1000, 4000]),
      ("highpass 1000", highpass, [250, 1000, 4000]),
      ("bandpass 1000", bandpass, [300, 1000, 3000]),
      ("notch 1000", notch, [300, 900, 3000]),
      ("eq 1000 6", peaking, [300, 1000, 3000]),
    ]
    for (filter, (b, a), frequencies) in cases {
      for f in frequencies {
        let expected = magnitude(b, a, f, rate)
        let measured = try await measuredGain(filter, at: f)
        #expect(
          abs(20 * log10(measured / expected)) < 0.05,
          "\(filter) at \(f) Hz: \(measured) vs \(expected)")
      }
    }
    // Closed forms: the cookbook low-pass has gain Q at its cutoff; shelves reach their gain.
    #expect(
      abs(20 * log10(try await measuredGain("lowpass 1000 q:2", at: 1000)) - 20 * log10(2)) < 0.05)
    #expect(abs(20 * log10(try await measuredGain("lowshelf 1000 6", at: 40)) - 6) < 0.05)
    #expect(abs(20 * log10(try await measuredGain("lowshelf 1000 6", at: 15_000))) < 0.05)
    #expect(abs(20 * log10(try await measuredGain("highshelf 1000 -6", at: 20_000)) + 6) < 0.1)
    #expect(abs(20 * log10(try await measuredGain("highshelf 1000 -6", at: 40))) < 0.05)
  }

  @Test("a modulated cutoff updates the coefficients; constant modulation equals the constant")
  func modulatedCutoff() async throws {
    let fixed = try await render("x = saw 110 0.5 rate:8000\nout = lowpass x 800")
    let modulated = try await render(
      "x = saw 110 0.5 rate:8000\nc = silence 0.5 rate:8000 + 800\nout = lowpass x c")
    #expect(differenceDB(modulated.channels[0], fixed.channels[0]) < -100)
  }

  @Test("ADSR: segment levels and times")
  func adsr() async throws {
    let audio = try await render("x = silence 1 rate:1000 + 1\nout = adsr x 0.1 0.2 0.5 0.3")
    let y = audio.channels[0]
    #expect(y.count == 1000)
    #expect(y[0] == 0)
    #expect(y[50] == 0.5)
    #expect(y[100] == 1)
    #expect(abs(y[200] - 0.75) < 1e-6)
    #expect(y[400] == 0.5)
    #expect(y[699] == 0.5)
    #expect(abs(y[700] - 0.5 * 299 / 300) < 1e-6)
    #expect(abs(y[850] - 0.5 * 149 / 300) < 1e-6)
    #expect(y[999] == 0)
  }

  @Test("fades: frame i of n gets i / n in, (n - 1 - k) / n out")
  func fades() async throws {
    let fadeIn = try await render("x = silence 0.01 rate:1000 + 1\nout = fadein x 0.004")
    #expect(fadeIn.channels[0] == [0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1, 1])
    let fadeOut = try await render("x = silence 0.01 rate:1000 + 1\nout = fadeout x 0.004")
    #expect(fadeOut.channels[0] == [1, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25, 0])
  }

  @Test("delay: echoes at T, 2T, 3T decaying by the feedback")
  func delay() async throws {
    let audio = try await render(
      "impulse = pad (silence 0.001 rate:1000 + 1) 0 0.1\nout = delay impulse 10ms feedback:0.5 mix:1 tail:0"
    )
    let y = audio.channels[0]
    #expect(y.count == 101)
    #expect(y[0] == 0)
    #expect(y[10] == 1)
    #expect(y[20] == 0.5)
    #expect(y[30] == 0.25)
    #expect(y[40] == 0.125)
    #expect(
      y.enumerated().filter { ![10, 20, 30, 40, 50, 60, 70, 80, 90, 100].contains($0.offset) }
        .allSatisfy { $0.element == 0 })
    let dry = try await render(
      "impulse = pad (silence 0.001 rate:1000 + 1) 0 0.1\nout = delay impulse 10ms")
    #expect(dry.channels[0][0] == 0.5)
    #expect(dry.channels[0][10] == 0.5)
  }

  @Test("pan: equal-power law")
  func pan() async throws {
    for (position, left, right) in [
      (0.0, 0.7071068, 0.7071068), (-1, 1, 0), (1, 0, 1),
      (0.5, cos(0.375 * Double.pi), sin(0.375 * Double.pi)),
    ] {
      let audio = try await render("x = silence 0.01 rate:1000 + 1\nout = pan x \(position)")
      #expect(audio.channels.count == 2)
      #expect(abs(Double(audio.channels[0][5]) - left) < 1e-6)
      #expect(abs(Double(audio.channels[1][5]) - right) < 1e-6)
    }
  }

  @Test("mix is as long as its longest input; concat, pad, slice and repeat lengths")
  func lengths() async throws {
    #expect(
      try await render("out = mix [sine 1 1 rate:1000, sine 1 2 rate:1000]").frameCount == 2000)
    #expect(
      try await render("out = concat [sine 1 1 rate:1000, sine 1 0.5 rate:1000]").frameCount == 1500
    )
    #expect(try await render("out = pad (sine 1 1 rate:1000) 0.25 0.5").frameCount == 1750)
    #expect(try await render("out = slice (sine 1 1 rate:1000) 0.25 0.5").frameCount == 250)
    #expect(try await render("out = slice (sine 1 1 rate:1000) 0.75 5").frameCount == 250)
    #expect(try await render("out = repeat (sine 1 0.1 rate:1000) 3").frameCount == 300)
    #expect(
      try await render("out = overlay (sine 1 1 rate:1000) (sine 1 3 rate:1000) at:0.5").frameCount
        == 1000)
  }

  @Test("resample: round(n * new / old) frames at the same level")
  func resample() async throws {
    let audio = try await render("out = resample (sine 1000 1 rate:44100 amp:0.5) 48000")
    #expect(audio.sampleRate == 48_000)
    #expect(audio.frameCount == 48_000)
    let level = 20 * log10(rms(audio.channels[0], 4_800..<43_200))
    #expect(abs(level - 20 * log10(0.5 / 2.0.squareRoot())) < 0.01)
  }

  @Test("noise: seeded, uniform white within amp, pink and brown scaled to the peak")
  func noise() async throws {
    let a = try await render("out = noise 0.5 seed:3 rate:8000")
    let b = try await render("out = noise 0.5 seed:3 rate:8000")
    let c = try await render("out = noise 0.5 seed:4 rate:8000")
    #expect(a == b)
    #expect(a != c)
    #expect(a.channels[0].allSatisfy { abs($0) <= 1 })
    #expect(abs(rms(a.channels[0]) - 1 / 3.0.squareRoot()) < 0.02)
    for color in ["pink", "brown"] {
      let colored = try await render("out = noise 1 color:\"\(color)\" seed:9 rate:8000 amp:0.5")
      let peak = colored.channels[0].map { abs($0) }.max() ?? 0
      #expect(abs(peak - 0.5) < 1e-6, "\(color) peak \(peak)")
    }
    // Fixed samples for seed 1, so a change of generator is noticed.
    let fixed = try await render("out = noise 0.001 seed:1 rate:8000")
    #expect(fixed.frameCount == 8)
  }

  @Test("normalize, clip, reverse, mono and stereo")
  func levelAndStructure() async throws {
    let normalized = try await render("out = normalize (sine 440 0.1 rate:8000 amp:0.2) peak:-6db")
    #expect(
      abs(Double(normalized.channels[0].map { abs($0) }.max() ?? 0) - pow(10, -6.0 / 20)) < 1e-6)
    let clipped = try await render("out = clip (sine 440 0.1 rate:8000) limit:0.5")
    #expect(clipped.channels[0].map { abs($0) }.max() == 0.5)
    let forward = try await render("out = sine 440 0.1 rate:8000")
    let backward = try await render("out = reverse (sine 440 0.1 rate:8000)")
    #expect(backward.channels[0] == Array(forward.channels[0].reversed()))
    let stereo = try await render("a = sine 440 0.1 rate:8000\nout = stereo a (a * 0.5)")
    #expect(stereo.channels.count == 2)
    #expect(stereo.channels[1] == stereo.channels[0].map { $0 * 0.5 })
    let mono = try await render("a = sine 440 0.1 rate:8000\nout = mono (stereo a (a * 0.5))")
    #expect(differenceDB(mono.channels[0], forward.channels[0].map { $0 * 0.75 }) < -120)
  }

  @Test("reverb (with tail:0) and compressor keep the length and behave")
  func reverbAndCompressor() async throws {
    let impulse = "impulse = pad (silence 0.001 rate:8000 + 1) 0 1"
    let wet = try await render("\(impulse)\nout = reverb impulse room:0.8 wet:1 tail:0")
    #expect(wet.frameCount == 8_008)
    // The tail rings on long after the impulse.
    #expect(rms(wet.channels[0], 4_000..<8_000) > 1e-4)
    let loud = try await render(
      "out = compress (sine 440 1 rate:8000) threshold_db:-20 ratio:4 attack:1ms release:50ms")
    let level = 20 * log10(loud.channels[0][4_000..<8_000].map { abs($0) }.max() ?? 0)
    // 0 dBFS in, 20 dB over the threshold: 20 * (1 - 1/4) = 15 dB of reduction.
    #expect(abs(level - -15) < 0.5)
  }
}
