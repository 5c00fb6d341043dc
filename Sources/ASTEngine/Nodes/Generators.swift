import Foundation

/// The waveforms of the oscillator node.
public enum Waveform: Sendable {
  /// `sin(2 pi phase)`.
  case sine
  /// A band-limited square (PolyBLEP) with a duty cycle.
  case square(width: Double)
  /// A band-limited rising sawtooth (PolyBLEP), 0 at phase 0.
  case saw
  /// A triangle starting at 0 and rising, like the sine.
  case triangle
}

/// The parameters every generator takes: its length, its sample rate and its level.
public enum GeneratorParameters {
  /// The length.
  public static let duration = NodeParameter.time("duration", "the length")
  /// The sample rate.
  public static let sampleRate = NodeParameter(
    "sampleRate", unit: .sampleRate, range: .sampleRates, "the sample rate")
  /// The peak level. A modulating amplitude scales each sample as it is, sign and all.
  public static let amplitude = NodeParameter(
    "amplitude", unit: .gain, default: 1, "the peak level")
  /// Every parameter, in order.
  public static let parameters = [duration, sampleRate, amplitude]
}

/// A phase-accumulating oscillator: sine, square, saw or triangle, with a frequency and
/// an amplitude that may be modulated at audio rate.
///
/// The phase is kept in cycles in `Double`; a modulated frequency is integrated sample
/// by sample. Square and saw subtract PolyBLEP residuals at their discontinuities.
public final class OscillatorNode: AudioNode {
  /// The frequency. A modulating frequency is used as it is: a negative one runs the
  /// waveform backwards, and one above the Nyquist frequency aliases.
  public static let frequency = NodeParameter(
    "frequency", unit: .hertz, range: .audible, "the frequency")
  /// The phase at the first sample.
  public static let phase = NodeParameter("phase", default: 0, "the start phase in radians")
  /// The duty cycle of ``Waveform/square(width:)``.
  public static let width = NodeParameter(
    "width", default: 0.5, range: ParameterRange(lower: .exclusive(0), upper: .exclusive(1)),
    "the fraction of each period spent high")
  /// Every parameter, in order, the generators' own among them.
  public static let parameters = GeneratorParameters.parameters + [frequency, phase, width]

  private let waveform: Waveform
  private let frequency: ParameterSignal
  private let amplitude: ParameterSignal
  private var cycles: Double
  /// Whether the frequency has moved since the start.
  private var varied = false
  /// The phase at the first sample, in cycles.
  private let startCycles: Double
  private var position = 0
  /// The sine's four lanes: lane `j` holds the cosine and sine of the phase of the next
  /// sample whose index is `j` modulo 4. Each lane turns by four steps at a time, so the
  /// rotation's loop-carried chain serves four samples. The lanes are recomputed exactly
  /// every ``resyncInterval`` samples (counted from the start, so block sizes never
  /// change the result).
  private var laneCos = SIMD4<Double>(repeating: 1)
  private var laneSin = SIMD4<Double>(repeating: 0)

  /// How often the sine's lanes are recomputed from the phase.
  static let resyncInterval = 1024

  /// Creates an oscillator of `frameCount` frames.
  public init(
    waveform: Waveform, frequency: ParameterSignal, amplitude: ParameterSignal,
    phase: Double = 0, sampleRate: Int, frameCount: Int, context: RenderContext
  ) {
    self.waveform = waveform
    self.frequency = frequency
    self.amplitude = amplitude
    let start = phase / (2 * Double.pi)
    self.cycles = start - start.rounded(.down)
    self.startCycles = cycles
    super.init(
      sampleRate: sampleRate, channelCount: 1, frameCount: frameCount, context: context,
      inputs: frequency.signals + amplitude.signals)
  }

  @inline(__always)
  private static func polyBLEP(_ t: Double, _ dt: Double) -> Double {
    if t < dt {
      let x = t / dt
      return x + x - x * x - 1
    }
    if t > 1 - dt {
      let x = (t - 1) / dt
      return x * x + x + x + 1
    }
    return 0
  }

  /// A sine of constant frequency and level without a `sin` per sample: each lane's
  /// cosine and sine turn by the rotation of four steps every four samples. At every
  /// ``resyncInterval``-th sample the lanes are recomputed from the phases that the
  /// sample indices give, so no per-sample phase arithmetic sits in the loop and the
  /// result depends on the index alone, never on where blocks begin. Not inlined into
  /// the async `render`, so its loop keeps its values in registers.
  @inline(never)
  private func renderFixedSine(
    _ output: UnsafeMutablePointer<Float>, count: Int, step: Double, amplitude: Double
  ) {
    let tc = cos(2 * Double.pi * 4 * step)
    let ts = sin(2 * Double.pi * 4 * step)
    var c = laneCos
    var s = laneSin
    var offset = 0
    while offset < count {
      let index = position + offset
      let intoInterval = index % Self.resyncInterval
      if intoInterval == 0 {
        for lane in 0..<4 {
          let phase = Self.fraction(startCycles + Double(index + lane) * step)
          c[lane] = cos(2 * Double.pi * phase)
          s[lane] = sin(2 * Double.pi * phase)
        }
      }
      let end = offset + min(count - offset, Self.resyncInterval - intoInterval)
      // One sample of one lane: the same operations as the four-lane step below.
      func single(_ at: Int) {
        let lane = (position + at) & 3
        output[at] = Float(amplitude * s[lane])
        let nextC = c[lane] * tc - s[lane] * ts
        s[lane] = s[lane] * tc + c[lane] * ts
        c[lane] = nextC
      }
      var at = offset
      while at < end, (position + at) & 3 != 0 {
        single(at)
        at += 1
      }
      while at + 4 <= end {
        let values = s * amplitude
        output[at] = Float(values[0])
        output[at + 1] = Float(values[1])
        output[at + 2] = Float(values[2])
        output[at + 3] = Float(values[3])
        let nextC = c * tc - s * ts
        s = s * tc + c * ts
        c = nextC
        at += 4
      }
      while at < end {
        single(at)
        at += 1
      }
      offset = end
    }
    laneCos = c
    laneSin = s
    position += count
    cycles = Self.fraction(startCycles + Double(position) * step)
  }

  @inline(__always)
  private static func fraction(_ x: Double) -> Double { x - x.rounded(.down) }

  /// The waveform's value at phase `t` (in cycles, 0..<1) for a phase step `dt`.
  @inline(__always)
  private func shape(_ t: Double, _ dt: Double) -> Double {
    switch waveform {
    case .sine:
      return sin(2 * Double.pi * t)
    case .square(let width):
      var value = t < width ? 1.0 : -1.0
      let step = min(abs(dt), 0.5)
      value += Self.polyBLEP(t, step)
      var shifted = t - width
      if shifted < 0 { shifted += 1 }
      value -= Self.polyBLEP(shifted, step)
      return value
    case .saw:
      var shifted = t + 0.5
      if shifted >= 1 { shifted -= 1 }
      return 2 * shifted - 1 - Self.polyBLEP(shifted, min(abs(dt), 0.5))
    case .triangle:
      if t < 0.25 { return 4 * t }
      if t < 0.75 { return 2 - 4 * t }
      return 4 * t - 4
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = min(frames, (frameCount ?? 0) - position)
    guard count > 0 else { return 0 }
    let output = buffer.channel(0)
    let rate = Double(sampleRate)
    let frequencies = try frequency.next(count)
    let amplitudes = try amplitude.next(count)
    let fixedStep = frequency.value / rate
    let fixedAmplitude = amplitude.value
    // Once its frequency has moved (a glide in a live patch), the phase is no longer
    // that of a constant frequency from the start, so it is integrated from then on.
    if frequencies != nil { varied = true }
    if frequencies == nil, amplitudes == nil, !varied {
      renderFixed(output, count: count, step: fixedStep, amplitude: fixedAmplitude)
      return count
    }
    var phase = cycles
    for index in 0..<count {
      let step = frequencies.map { Double($0[index]) / rate } ?? fixedStep
      let level = amplitudes.map { Double($0[index]) } ?? fixedAmplitude
      output[index] = Float(level * shape(phase, step))
      phase += step
      phase -= phase.rounded(.down)
    }
    cycles = phase
    position += count
    return count
  }

  /// A square, saw or triangle of constant frequency and level, four samples at a time
  /// with no loop-carried arithmetic: the phase of sample `n` is computed from `n`
  /// alone, as the fraction of the phase at the start of its ``resyncInterval`` plus
  /// the steps since, so the result never depends on where blocks begin. Not inlined
  /// into `render`, so its loop keeps its values in registers and the waveform is
  /// chosen once.
  @inline(never)
  private func renderFixed(
    _ output: UnsafeMutablePointer<Float>, count: Int, step: Double, amplitude: Double
  ) {
    switch waveform {
    case .sine:
      renderFixedSine(output, count: count, step: step, amplitude: amplitude)
      return
    case .square(let width):
      let shape = SquareLanes(width: width, dt: min(abs(step), 0.5))
      renderLanes(output, count: count, step: step, amplitude: amplitude, offset: 0, shape: shape)
    case .saw:
      // The saw's ramp starts half-way up, so its phase runs half a cycle ahead.
      let shape = SawLanes(dt: min(abs(step), 0.5))
      renderLanes(output, count: count, step: step, amplitude: amplitude, offset: 0.5, shape: shape)
    case .triangle:
      renderLanes(
        output, count: count, step: step, amplitude: amplitude, offset: 0, shape: TriangleLanes())
    }
    position += count
    cycles = Self.fraction(startCycles + Double(position) * step)
  }

  /// Fills `count` samples with `amplitude * shape(phase)`, where the phase of sample
  /// `n` (counted from the start) is `frac(frac(c + b * step) + (n - b) * step)`, `c`
  /// the start phase plus `offset` cycles and `b` the start of `n`'s
  /// ``resyncInterval``. A partial group of four is computed as a whole group and only
  /// its first samples stored, so every sample has the same arithmetic wherever blocks
  /// begin.
  @inline(__always)
  private func renderLanes<Shape: LaneShape>(
    _ output: UnsafeMutablePointer<Float>, count: Int, step: Double, amplitude: Double,
    offset: Double, shape: Shape
  ) {
    let start = startCycles + offset
    let lanes = SIMD4<Double>(0, 1, 2, 3)
    var done = 0
    while done < count {
      let index = position + done
      let intoInterval = index % Self.resyncInterval
      let base = Self.fraction(start + Double(index - intoInterval) * step)
      let end = done + min(count - done, Self.resyncInterval - intoInterval)
      var at = done
      while at < end {
        let steps = lanes + Double(intoInterval + at - done)
        var phase = base + steps * step
        phase -= phase.rounded(.down)
        let values = shape.values(phase) * amplitude
        if at + 4 <= end {
          output[at] = Float(values[0])
          output[at + 1] = Float(values[1])
          output[at + 2] = Float(values[2])
          output[at + 3] = Float(values[3])
        } else {
          for lane in 0..<(end - at) { output[at + lane] = Float(values[lane]) }
        }
        at += 4
      }
      done = end
    }
  }
}

/// A waveform as a function of four phases at once (in cycles, 0..<1), for the
/// oscillator's fixed loop.
protocol LaneShape {
  /// The waveform's values at the phases `t`.
  func values(_ t: SIMD4<Double>) -> SIMD4<Double>
}

extension LaneShape {
  /// The PolyBLEP residual at phases `t` for a phase step `dt`, without branches: the
  /// polynomial that smooths a unit step down at phase 0 (ahead of it and after it).
  @inline(__always)
  func polyBLEP(_ t: SIMD4<Double>, _ dt: Double) -> SIMD4<Double> {
    let inverse = 1 / dt
    let rising = t * inverse
    let falling = (t - 1) * inverse
    var residual = SIMD4<Double>(repeating: 0)
    residual.replace(with: falling * falling + falling + falling + 1, where: t .> 1 - dt)
    residual.replace(with: rising + rising - rising * rising - 1, where: t .< dt)
    return residual
  }
}

/// A band-limited rising saw, its phase counted from the middle of the ramp.
struct SawLanes: LaneShape {
  /// The phase step, at most 0.5.
  let dt: Double

  @inline(__always)
  func values(_ t: SIMD4<Double>) -> SIMD4<Double> { 2 * t - 1 - polyBLEP(t, dt) }
}

/// A band-limited square that is high for the first `width` of each cycle.
struct SquareLanes: LaneShape {
  /// The duty cycle.
  let width: Double
  /// The phase step, at most 0.5.
  let dt: Double

  @inline(__always)
  func values(_ t: SIMD4<Double>) -> SIMD4<Double> {
    let high = SIMD4<Double>(repeating: 1).replacing(with: -1, where: t .>= width)
    var shifted = t - width
    shifted.replace(with: shifted + 1, where: shifted .< 0)
    return high + polyBLEP(t, dt) - polyBLEP(shifted, dt)
  }
}

/// A triangle rising from 0 at phase 0.
struct TriangleLanes: LaneShape {
  @inline(__always)
  func values(_ t: SIMD4<Double>) -> SIMD4<Double> {
    var value = 4 * t
    value.replace(with: 2 - 4 * t, where: t .>= 0.25)
    value.replace(with: 4 * t - 4, where: t .>= 0.75)
    return value
  }
}

/// Silence of a given length.
public final class SilenceNode: AudioNode {
  private var position = 0

  /// Creates `frameCount` frames of silence with `channelCount` channels.
  public init(sampleRate: Int, channelCount: Int = 1, frameCount: Int, context: RenderContext) {
    super.init(
      sampleRate: sampleRate, channelCount: channelCount, frameCount: frameCount, context: context)
  }

  /// Nothing: silence throughout.
  override public var extent: SignalExtent { .empty }

  /// Passes frames without writing them.
  override public func skip(_ frames: Int) async throws -> Int {
    let count = max(0, min(frames, (frameCount ?? 0) - position))
    position += count
    return count
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = min(frames, (frameCount ?? 0) - position)
    guard count > 0 else { return 0 }
    buffer.clear(from: 0, to: count)
    position += count
    return count
  }
}

/// The colours of noise.
public enum NoiseColor: String, Sendable, CaseIterable {
  /// Uniform, flat spectrum.
  case white
  /// -3 dB per octave (Paul Kellet's filter of white noise).
  case pink
  /// -6 dB per octave (leaky integration of white noise).
  case brown
}

/// Seeded noise: the same seed, length and rate give the same samples on every machine.
///
/// White noise is uniform in [-amp, amp] from a SplitMix64 generator. Pink and brown
/// noise are white noise filtered, then scaled so that their peak is `amp`: the filter
/// runs once over the whole length before rendering to find that peak, which costs time
/// but no memory.
public final class NoiseNode: AudioNode {
  /// The seed of the generator.
  public static let seed = NodeParameter(
    "seed", unit: .count, default: 0, range: ParameterRange(lower: .inclusive(0), isInteger: true),
    "the random seed")
  /// Every parameter, in order, the generators' own among them.
  public static let parameters = GeneratorParameters.parameters + [seed]

  private let color: NoiseColor
  private let seed: UInt64
  private let amplitude: ParameterSignal
  private var generator: NoiseGenerator
  private var scale: Double = 1
  private var prepared = false
  private var position = 0

  /// Creates `frameCount` frames of noise.
  public init(
    color: NoiseColor, seed: UInt64, amplitude: ParameterSignal, sampleRate: Int, frameCount: Int,
    context: RenderContext
  ) {
    self.color = color
    self.seed = seed
    self.amplitude = amplitude
    self.generator = NoiseGenerator(seed: seed, color: color)
    super.init(
      sampleRate: sampleRate, channelCount: 1, frameCount: frameCount, context: context,
      inputs: amplitude.signals)
  }

  private func prepare() throws {
    prepared = true
    guard color != .white, let total = frameCount, total > 0 else { return }
    var probe = NoiseGenerator(seed: seed, color: color)
    var peak = 0.0
    var done = 0
    while done < total {
      try context.cancellation.check()
      let stop = min(total, done + 65_536)
      for _ in done..<stop { peak = max(peak, abs(probe.next())) }
      done = stop
    }
    scale = peak > 0 ? 1 / peak : 1
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    if !prepared { try prepare() }
    let count = min(frames, (frameCount ?? 0) - position)
    guard count > 0 else { return 0 }
    let output = buffer.channel(0)
    let amplitudes = try amplitude.next(count)
    let fixed = amplitude.value
    for index in 0..<count {
      let level = amplitudes.map { Double($0[index]) } ?? fixed
      output[index] = Float(level * scale * generator.next())
    }
    position += count
    return count
  }
}

/// The sample source of ``NoiseNode``: SplitMix64, uniform doubles, colour filters.
struct NoiseGenerator {
  private var state: UInt64
  private let color: NoiseColor
  private var b0 = 0.0
  private var b1 = 0.0
  private var b2 = 0.0
  private var b3 = 0.0
  private var b4 = 0.0
  private var b5 = 0.0
  private var b6 = 0.0
  private var brown = 0.0

  init(seed: UInt64, color: NoiseColor) {
    self.state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x2545_F491_4F6C_DD1D
    self.color = color
  }

  /// A uniform value in [-1, 1).
  @inline(__always)
  mutating func white() -> Double {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) * 0x1p-52 - 1
  }

  @inline(__always)
  mutating func next() -> Double {
    let w = white()
    switch color {
    case .white:
      return w
    case .pink:
      b0 = 0.99886 * b0 + w * 0.0555179
      b1 = 0.99332 * b1 + w * 0.0750759
      b2 = 0.96900 * b2 + w * 0.1538520
      b3 = 0.86650 * b3 + w * 0.3104856
      b4 = 0.55000 * b4 + w * 0.5329522
      b5 = -0.7616 * b5 - w * 0.0168980
      let value = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362
      b6 = w * 0.115926
      return value
    case .brown:
      brown = 0.998 * brown + 0.02 * w
      return brown
    }
  }
}

/// The curves of a sweep.
public enum SweepCurve: String, Sendable {
  /// Frequency changes linearly with time.
  case linear = "lin"
  /// Frequency changes exponentially (equal time per octave).
  case exponential = "exp"
}

/// A sine sweeping from one frequency to another over its length.
public final class SweepNode: AudioNode {
  /// The frequency at the start. A modulating one is used as it is, like an
  /// oscillator's.
  public static let from = NodeParameter(
    "from", unit: .hertz, range: .audible, "the start frequency")
  /// The frequency at the end.
  public static let to = NodeParameter("to", unit: .hertz, range: .audible, "the end frequency")
  /// Every parameter, in order, the generators' own among them.
  public static let parameters = GeneratorParameters.parameters + [from, to]

  private let start: ParameterSignal
  private let end: ParameterSignal
  private let amplitude: ParameterSignal
  private let curve: SweepCurve
  private var cycles = 0.0
  private var position = 0

  /// Creates a sweep of `frameCount` frames.
  public init(
    from start: ParameterSignal, to end: ParameterSignal, curve: SweepCurve,
    amplitude: ParameterSignal, sampleRate: Int, frameCount: Int, context: RenderContext
  ) {
    self.start = start
    self.end = end
    self.amplitude = amplitude
    self.curve = curve
    super.init(
      sampleRate: sampleRate, channelCount: 1, frameCount: frameCount, context: context,
      inputs: start.signals + end.signals + amplitude.signals)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let total = frameCount ?? 0
    let count = min(frames, total - position)
    guard count > 0 else { return 0 }
    let output = buffer.channel(0)
    let starts = try start.next(count)
    let ends = try end.next(count)
    let amplitudes = try amplitude.next(count)
    let rate = Double(sampleRate)
    let span = Double(max(total - 1, 1))
    for index in 0..<count {
      let from = starts.map { Double($0[index]) } ?? start.value
      let to = ends.map { Double($0[index]) } ?? end.value
      let t = Double(position + index) / span
      let frequency: Double
      switch curve {
      case .linear: frequency = from + (to - from) * t
      case .exponential: frequency = from * pow(to / from, t)
      }
      let level = amplitudes.map { Double($0[index]) } ?? amplitude.value
      output[index] = Float(level * sin(2 * Double.pi * cycles))
      cycles += frequency / rate
      cycles -= cycles.rounded(.down)
    }
    position += count
    return count
  }
}
