import Foundation

/// The RBJ Audio EQ Cookbook filter types.
public enum BiquadKind: Sendable, Hashable {
  /// Low-pass.
  case lowpass
  /// High-pass.
  case highpass
  /// Band-pass with a constant 0 dB peak gain.
  case bandpass
  /// Notch.
  case notch
  /// Peaking EQ with a gain in decibels.
  case peaking(gainDB: Double)
  /// Low shelf with a gain in decibels.
  case lowShelf(gainDB: Double)
  /// High shelf with a gain in decibels.
  case highShelf(gainDB: Double)
}

/// Normalised biquad coefficients (a0 = 1).
public struct BiquadCoefficients: Sendable, Equatable {
  /// Feed-forward coefficients.
  public var b0, b1, b2: Double
  /// Feedback coefficients.
  public var a1, a2: Double

  /// The RBJ cookbook coefficients for a filter at `frequency` Hz with quality `q`.
  public init(kind: BiquadKind, frequency: Double, q: Double, sampleRate: Double) {
    let w0 = 2 * Double.pi * frequency / sampleRate
    let cosine = cos(w0)
    let alpha = sin(w0) / (2 * q)
    var b0 = 0.0
    var b1 = 0.0
    var b2 = 0.0
    var a0 = 1.0
    var a1 = 0.0
    var a2 = 0.0
    switch kind {
    case .lowpass:
      (b0, b1, b2) = ((1 - cosine) / 2, 1 - cosine, (1 - cosine) / 2)
      (a0, a1, a2) = (1 + alpha, -2 * cosine, 1 - alpha)
    case .highpass:
      (b0, b1, b2) = ((1 + cosine) / 2, -(1 + cosine), (1 + cosine) / 2)
      (a0, a1, a2) = (1 + alpha, -2 * cosine, 1 - alpha)
    case .bandpass:
      (b0, b1, b2) = (alpha, 0, -alpha)
      (a0, a1, a2) = (1 + alpha, -2 * cosine, 1 - alpha)
    case .notch:
      (b0, b1, b2) = (1, -2 * cosine, 1)
      (a0, a1, a2) = (1 + alpha, -2 * cosine, 1 - alpha)
    case .peaking(let gain):
      let a = pow(10, gain / 40)
      (b0, b1, b2) = (1 + alpha * a, -2 * cosine, 1 - alpha * a)
      (a0, a1, a2) = (1 + alpha / a, -2 * cosine, 1 - alpha / a)
    case .lowShelf(let gain):
      let a = pow(10, gain / 40)
      let root = 2 * a.squareRoot() * alpha
      b0 = a * ((a + 1) - (a - 1) * cosine + root)
      b1 = 2 * a * ((a - 1) - (a + 1) * cosine)
      b2 = a * ((a + 1) - (a - 1) * cosine - root)
      a0 = (a + 1) + (a - 1) * cosine + root
      a1 = -2 * ((a - 1) + (a + 1) * cosine)
      a2 = (a + 1) + (a - 1) * cosine - root
    case .highShelf(let gain):
      let a = pow(10, gain / 40)
      let root = 2 * a.squareRoot() * alpha
      b0 = a * ((a + 1) + (a - 1) * cosine + root)
      b1 = -2 * a * ((a - 1) + (a + 1) * cosine)
      b2 = a * ((a + 1) + (a - 1) * cosine - root)
      a0 = (a + 1) - (a - 1) * cosine + root
      a1 = 2 * ((a - 1) - (a + 1) * cosine)
      a2 = (a + 1) - (a - 1) * cosine - root
    }
    self.b0 = b0 / a0
    self.b1 = b1 / a0
    self.b2 = b2 / a0
    self.a1 = a1 / a0
    self.a2 = a2 / a0
  }
}

/// The RBJ filters as a state-variable filter in topology-preserving (trapezoidal) form
/// (Zavalishin; Simper's "linear trapezoidal" SVF), for a frequency that changes from
/// sample to sample.
///
/// With the parameters held, its transfer function is the RBJ biquad's (both are the
/// bilinear transform, prewarped at the frequency, of one analog prototype), so it
/// matches the fixed filter to rounding. Unlike a direct-form biquad whose coefficients
/// jump, its state stays meaningful while the frequency moves, and a new frequency costs
/// one `tan` and three multiplications instead of the cookbook's `sin`, `cos` and
/// divisions.
struct StateVariableFilter {
  /// The damping, `1 / Q` (over the gain, for a peaking filter).
  let k: Double
  /// The weights of the input, the band-pass and the low-pass outputs.
  let m0, m1, m2: Double
  /// The factor on `tan(pi f / rate)`: a shelf moves its corner by the square root of
  /// its gain.
  let warp: Double

  init(kind: BiquadKind, q: Double) {
    var k = 1 / q
    var warp = 1.0
    switch kind {
    case .lowpass: (m0, m1, m2) = (0, 0, 1)
    case .highpass: (m0, m1, m2) = (1, -k, -1)
    case .bandpass: (m0, m1, m2) = (0, k, 0)
    case .notch: (m0, m1, m2) = (1, -k, 0)
    case .peaking(let gain):
      let a = pow(10, gain / 40)
      k = 1 / (q * a)
      (m0, m1, m2) = (1, k * (a * a - 1), 0)
    case .lowShelf(let gain):
      let a = pow(10, gain / 40)
      warp = 1 / a.squareRoot()
      (m0, m1, m2) = (1, k * (a - 1), a * a - 1)
    case .highShelf(let gain):
      let a = pow(10, gain / 40)
      warp = a.squareRoot()
      (m0, m1, m2) = (a * a, k * (1 - a) * a, 1 - a * a)
    }
    self.k = k
    self.warp = warp
  }

  /// Filters `count` samples of `x` into `y` with the frequency of each sample from
  /// `frequencies` (held within 0.001 Hz and just below the Nyquist frequency), from
  /// the state `(ic1, ic2)`; returns the new state.
  @inline(never)
  func filter(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
    frequencies: UnsafePointer<Float>, sampleRate rate: Double, state: (Double, Double)
  ) -> (Double, Double) {
    var (ic1, ic2) = state
    let nyquist = rate * 0.4999
    let scale = Double.pi / rate
    for index in 0..<count {
      let f = min(max(Double(frequencies[index]), 1e-3), nyquist)
      let g = tan(f * scale) * warp
      let a1 = 1 / (1 + g * (g + k))
      let a2 = g * a1
      let a3 = g * a2
      let v0 = Double(x[index])
      let v3 = v0 - ic2
      let v1 = a1 * ic1 + a2 * v3
      let v2 = ic2 + a2 * ic1 + a3 * v3
      ic1 = 2 * v1 - ic1
      ic2 = 2 * v2 - ic2
      y[index] = Float(m0 * v0 + m1 * v1 + m2 * v2)
    }
    return (ic1, ic2)
  }
}

/// The transposed direct form II biquad advanced four samples at a time, as a state-space
/// system: with the state `s = (z1, z2)` at the start of a group of four inputs `x`,
/// the four outputs are `O s + T x` and the next state `A⁴ s + G x`, where `A`, `B`,
/// `C` and `D` are the filter's state-space matrices, `O` stacks `C Aʲ`, `T` is the
/// lower-triangular matrix of the impulse response (`D`, `C B`, `C A B`, `C A² B`) and
/// `G` holds `A³ B … B`. The loop-carried work is the state's update, two fused
/// multiply-adds per four samples instead of two per sample, and the outputs are
/// computed four at a time in vector registers.
///
/// Groups are counted from the filter's first sample, so every output has the same
/// arithmetic wherever blocks begin: a group that a block cuts keeps its first inputs
/// and its start state, its first outputs come from the inputs so far (the later ones
/// count as zero, and an output never depends on later inputs), and the state moves on
/// once the group is complete.
struct BiquadGroups {
  /// The columns of `O`: the weights of `z1` and of `z2` in the four outputs.
  let stateWeights: (SIMD4<Double>, SIMD4<Double>)
  /// The columns of `T`: the weights of each of the four inputs in the four outputs.
  let inputWeights: (SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>)
  /// The columns of `A⁴`.
  let stateStep: (SIMD2<Double>, SIMD2<Double>)
  /// The columns of `G`: where each of the four inputs moves the state.
  let inputStep: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>, SIMD2<Double>)

  /// The state of one channel: the filter's state at the start of the current group
  /// and the group's inputs so far (zero beyond them).
  struct State {
    /// The state at the start of the group.
    var z: SIMD2<Double> = .zero
    /// The group's inputs so far.
    var inputs: SIMD4<Double> = .zero
  }

  init(_ c: BiquadCoefficients) {
    // y = z1 + b0 x; z1' = -a1 z1 + z2 + (b1 - a1 b0) x; z2' = -a2 z1 + (b2 - a2 b0) x.
    func times(_ v: SIMD2<Double>) -> SIMD2<Double> {
      SIMD2(-c.a1 * v[0] + v[1], -c.a2 * v[0])
    }
    func rowTimes(_ r: SIMD2<Double>) -> SIMD2<Double> {
      SIMD2(r[0] * -c.a1 + r[1] * -c.a2, r[0])
    }
    let b = SIMD2(c.b1 - c.a1 * c.b0, c.b2 - c.a2 * c.b0)
    // Rows C Aʲ, and the columns Aᵏ B.
    var rows = [SIMD2<Double>(1, 0)]
    var columns = [b]
    for _ in 0..<3 {
      rows.append(rowTimes(rows[rows.count - 1]))
      columns.append(times(columns[columns.count - 1]))
    }
    stateWeights = (
      SIMD4(rows[0][0], rows[1][0], rows[2][0], rows[3][0]),
      SIMD4(rows[0][1], rows[1][1], rows[2][1], rows[3][1])
    )
    // The response to an input k samples earlier: D, then C Aᵏ⁻¹ B.
    let response = [c.b0] + (0..<3).map { (rows[$0] * columns[0]).sum() }
    func column(_ i: Int) -> SIMD4<Double> {
      var weights = SIMD4<Double>.zero
      for j in i..<4 { weights[j] = response[j - i] }
      return weights
    }
    inputWeights = (column(0), column(1), column(2), column(3))
    let e1 = times(times(times(times(SIMD2(1, 0)))))
    let e2 = times(times(times(times(SIMD2(0, 1)))))
    stateStep = (e1, e2)
    inputStep = (columns[3], columns[2], columns[1], columns[0])
  }

  /// The four outputs of a group from its start state and its inputs.
  @inline(__always)
  func outputs(_ z: SIMD2<Double>, _ x: SIMD4<Double>) -> SIMD4<Double> {
    let fromInputs = (inputWeights.0 * x[0]).addingProduct(inputWeights.1, x[1])
      .addingProduct(inputWeights.2, x[2]).addingProduct(inputWeights.3, x[3])
    return fromInputs.addingProduct(stateWeights.0, z[0]).addingProduct(stateWeights.1, z[1])
  }

  /// The state after a complete group.
  @inline(__always)
  func next(_ z: SIMD2<Double>, _ x: SIMD4<Double>) -> SIMD2<Double> {
    let fromInputs = (inputStep.0 * x[0]).addingProduct(inputStep.1, x[1])
      .addingProduct(inputStep.2, x[2]).addingProduct(inputStep.3, x[3])
    return fromInputs.addingProduct(stateStep.0, z[0]).addingProduct(stateStep.1, z[1])
  }

  /// Filters `count` samples of `x` into `y` (which may be `x`), the first of them at
  /// place `lane` of its group (the filter's position modulo 4).
  @inline(never)
  func filter(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int, lane: Int,
    state: inout State
  ) {
    var z = state.z
    var inputs = state.inputs
    var filled = lane
    var at = 0
    while at < count {
      if filled == 0, count - at >= 4 {
        let group = SIMD4<Double>(
          Double(x[at]), Double(x[at + 1]), Double(x[at + 2]), Double(x[at + 3]))
        let out = outputs(z, group)
        y[at] = Float(out[0])
        y[at + 1] = Float(out[1])
        y[at + 2] = Float(out[2])
        y[at + 3] = Float(out[3])
        z = next(z, group)
        at += 4
        continue
      }
      let take = min(4 - filled, count - at)
      for k in 0..<take { inputs[filled + k] = Double(x[at + k]) }
      let out = outputs(z, inputs)
      for k in 0..<take { y[at + k] = Float(out[filled + k]) }
      filled += take
      at += take
      if filled == 4 {
        z = next(z, inputs)
        inputs = .zero
        filled = 0
      }
    }
    state = State(z: z, inputs: inputs)
  }
}

/// An RBJ biquad filter, one per channel, in transposed direct form II with `Double`
/// state. A modulated frequency runs the same filter as a state-variable filter
/// (``StateVariableFilter``), whose frequency may change at every sample.
public final class BiquadNode: AudioNode {
  /// The cutoff, centre or corner frequency. A modulating frequency is held within
  /// 0.001 Hz and just below the Nyquist frequency, sample by sample.
  public static let frequency = NodeParameter(
    "frequency", unit: .hertz, range: .audible, "the cutoff, centre or corner frequency")
  /// The quality factor (RBJ cookbook).
  public static let q = NodeParameter(
    "q", default: 0.7071, range: .positive, "the filter's Q (RBJ cookbook)")
  /// The gain of a peaking or shelving filter, in dB.
  public static let gain = NodeParameter("gain", unit: .decibels, "the gain in decibels")
  /// Every parameter, in order.
  public static let parameters = [frequency, q, gain]

  private let input: AudioNode
  private let kind: BiquadKind
  private let frequency: ParameterSignal
  private let q: Double
  private var state: [(Double, Double)]
  /// The fixed filter's per-channel state, for ``groups``.
  private var groupState: [BiquadGroups.State]
  private let fixed: BiquadCoefficients
  /// The fixed filter, four samples at a time.
  private let groups: BiquadGroups
  /// The filter for a modulated frequency.
  private let variable: StateVariableFilter?
  /// Frames given or passed so far.
  private var position = 0

  /// Filters `input` at `frequency` with quality `q`.
  public init(_ input: AudioNode, kind: BiquadKind, frequency: ParameterSignal, q: Double) {
    self.input = input
    self.kind = kind
    self.frequency = frequency
    self.q = q
    state = Array(repeating: (0, 0), count: input.channelCount)
    groupState = Array(repeating: BiquadGroups.State(), count: input.channelCount)
    fixed = BiquadCoefficients(
      kind: kind, frequency: frequency.value, q: q, sampleRate: Double(input.sampleRate))
    groups = BiquadGroups(fixed)
    variable = frequency.isModulated ? StateVariableFilter(kind: kind, q: q) : nil
    // The fixed filter's coefficients are made once: a change of its frequency in a
    // live patch crossfades to a new filter instead.
    frequency.refuseGlide()
    super.init(sameFormatAs: input, more: frequency.signals)
  }

  /// The filter with fixed coefficients over one block, returning the new state. Kept
  /// out of `render` so the loop's bounds stay in registers, and arranged so
  /// that each loop-carried path is one fused multiply-add: `output` from `z1`, and `z1`
  /// from `output` (the `b1 x + z2` part does not wait on the new output).
  @inline(never)
  static func filter(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
    _ c: BiquadCoefficients, state: (Double, Double)
  ) -> (Double, Double) {
    var (z1, z2) = state
    for index in 0..<count {
      let input = Double(x[index])
      let output = z1.addingProduct(c.b0, input)
      z1 = (z2.addingProduct(c.b1, input)).addingProduct(-c.a1, output)
      z2 = (c.b2 * input).addingProduct(-c.a2, output)
      y[index] = Float(output)
    }
    return (z1, z2)
  }

  /// From where the input may sound to the end: the filter rings on after its input.
  override public var extent: SignalExtent {
    let start = input.extent
    return start.isEmpty ? .empty : SignalExtent(start: start.start, end: frameCount)
  }

  /// Passes the frames before the input sounds without filtering them, where the state
  /// stays at rest; the rest by rendering them.
  override public func skip(_ frames: Int) async throws -> Int {
    guard !frequency.isModulated, position + frames <= input.extent.start else {
      return try await super.skip(frames)
    }
    let skipped = try await input.skip(frames)
    position += skipped
    return skipped
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    // In place: each output sample depends on the input sample at the same index.
    let count = try input.render(into: buffer, frames: frames)
    guard count > 0 else { return 0 }
    let lane = position % 4
    position += count
    let frequencies = try frequency.next(count)
    let rate = Double(sampleRate)
    var bad = 0
    for channel in 0..<channelCount {
      let x = buffer.channel(channel)
      let y = buffer.channel(channel)
      if let frequencies, let variable {
        var (z1, z2) = state[channel]
        (z1, z2) = variable.filter(
          x, into: y, count: count, frequencies: frequencies, sampleRate: rate, state: (z1, z2))
        if !z1.isFinite || !z2.isFinite {
          bad += scrubNonFinite(y, count: count)
          (z1, z2) = (0, 0)
        }
        state[channel] = (z1, z2)
      } else {
        groups.filter(x, into: y, count: count, lane: lane, state: &groupState[channel])
        let group = groupState[channel]
        if !group.z[0].isFinite || !group.z[1].isFinite || !group.inputs.sum().isFinite {
          bad += scrubNonFinite(y, count: count)
          groupState[channel] = BiquadGroups.State()
        }
      }
    }
    replacedSamples += bad
    return count
  }
}
