/// The gain shapes of ``EnvelopeNode``, in frames.
public enum EnvelopeShape: Sendable, Equatable {
  /// 0 to 1 over the first `frames`: frame `i` is scaled by `i / frames`.
  case fadeIn(frames: Int)
  /// 1 to 0 over the last `frames`: frame `k` of them is scaled by `(frames - 1 - k) / frames`.
  case fadeOut(frames: Int)
  /// Attack 0 to 1, decay 1 to `sustain`, sustain held, release from the level reached
  /// to 0 over the last `release` frames of the signal.
  case adsr(attack: Int, decay: Int, sustain: Double, release: Int)
}

/// A gain envelope over a signal of known length.
public final class EnvelopeNode: AudioNode {
  /// The attack of ``EnvelopeShape/adsr(attack:decay:sustain:release:)``.
  public static let attack = NodeParameter.time("attack", "the time from 0 to 1")
  /// The decay of ``EnvelopeShape/adsr(attack:decay:sustain:release:)``.
  public static let decay = NodeParameter.time("decay", "the time from 1 to sustain")
  /// The sustain level of ``EnvelopeShape/adsr(attack:decay:sustain:release:)``.
  public static let sustain = NodeParameter(
    "sustain", unit: .gain, range: .unit, "the level held")
  /// The release of ``EnvelopeShape/adsr(attack:decay:sustain:release:)``.
  public static let release = NodeParameter.time(
    "release", "the time from sustain to 0, at the end of the signal")
  /// The length of a fade in or out.
  public static let fade = NodeParameter.time("duration", "the length of the fade")
  /// Every parameter, in order.
  public static let parameters = [attack, decay, sustain, release, fade]

  private let input: AudioNode
  private let shape: EnvelopeShape
  private let total: Int
  private var position = 0
  /// The gains of a block: made by the ready pass before the envelope first scales one
  /// and freed by the first after the signal ends, so a note that has not started or
  /// has ended holds none.
  private var gains: [Float] = []
  private var ended = false
  /// The gains' block in the run's memory.
  private var gainsMemory: MemoryReservation?

  /// Applies `shape` to `input`, whose length must be known.
  public init(_ input: AudioNode, shape: EnvelopeShape) {
    if case .fadeIn = shape {
    } else {
      precondition(input.frameCount != nil, "this envelope needs the length of its input")
    }
    self.input = input
    self.shape = shape
    self.total = input.frameCount ?? 0
    super.init(sameFormatAs: input)
  }

  /// The input's extent: the envelope scales it.
  override public var extent: SignalExtent { input.extent }

  /// Makes the gains' block before the first block the envelope scales, frees it after
  /// the last, and readies the input.
  override public func ready(frames: Int) async throws {
    if ended {
      releaseGains()
    } else if gainsMemory == nil, frames > 0, !isUnity(from: position, count: frames) {
      gainsMemory = try context.memory.reserve(
        context.blockSize * 4, for: .blocks, origin: origin)
      gains = [Float](repeating: 1, count: context.blockSize)
    }
    try await input.ready(frames: frames)
  }

  /// Makes the gains' block now, for a voice about to start, and prepares the input.
  override public func prepare() async throws {
    if gainsMemory == nil, !ended {
      gainsMemory = try context.memory.reserve(
        context.blockSize * 4, for: .blocks, origin: origin)
      gains = [Float](repeating: 1, count: context.blockSize)
    }
    try await input.prepare()
  }

  /// Frees the gains' block once the signal has ended, and settles the input.
  override public func finish() async throws {
    if ended { releaseGains() }
    try await input.finish()
  }

  /// Frees the gains' block and its memory.
  private func releaseGains() {
    gains = []
    gainsMemory = nil
  }

  /// Passes the input's frames; the envelope is a function of the frame alone.
  override public func skip(_ frames: Int) async throws -> Int {
    let skipped = try await input.skip(frames)
    position += skipped
    return skipped
  }

  /// The ADSR level before the release, at frame `i`.
  private static func sustained(_ i: Int, attack: Int, decay: Int, sustain: Double) -> Double {
    if i < attack { return Double(i) / Double(attack) }
    if i < attack + decay { return 1 - (1 - sustain) * Double(i - attack) / Double(decay) }
    return sustain
  }

  /// Whether the gain is 1 for frames `start..<start + count`.
  private func isUnity(from start: Int, count: Int) -> Bool {
    switch shape {
    case .fadeIn(let frames): start >= frames
    case .fadeOut(let frames): start + count <= total - frames
    case .adsr: false
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    // The input renders straight into the output, which is scaled in place, and only
    // where the envelope is not 1.
    let count = try input.render(into: buffer, frames: frames)
    guard count > 0 else { return 0 }
    let start = position
    position += count
    if count < frames || position == total { ended = true }
    if isUnity(from: start, count: count) { return count }
    guard !gains.isEmpty else { throw RenderError.notReady(self) }
    apply(to: buffer, from: start, count: count)
    return count
  }

  /// The gains of frames `start..<start + count` into `levels`, a segment at a time
  /// (each a loop without branches): a fade's ramp, or an ADSR's attack, decay, sustain
  /// and release.
  private func fill(_ levels: UnsafeMutablePointer<Float>, from start: Int, count: Int) {
    let end = start + count
    var i = start
    switch shape {
    case .fadeIn(let frames):
      let stop = min(end, frames)
      if i < stop {
        let length = Double(frames)
        Self.ramp(levels, count: stop - i, from: Double(i), by: 1) { $0 / length }
        i = stop
      }
      if i < end { (levels + (i - start)).update(repeating: 1, count: end - i) }
    case .fadeOut(let frames):
      let rampStart = total - frames
      if i < min(end, rampStart) {
        (levels + (i - start)).update(repeating: 1, count: min(end, rampStart) - i)
        i = min(end, rampStart)
      }
      if i < end {
        let length = Double(frames)
        Self.ramp(levels + (i - start), count: end - i, from: Double(total - 1 - i), by: -1) {
          $0 / length
        }
      }
    case .adsr(let attack, let decay, let sustain, let release):
      fillADSR(
        levels, from: start, count: count, attack: attack, decay: decay, sustain: sustain,
        release: release)
    }
  }

  /// `Float(value(n))` into `count` levels for `n = first, first + step, …`, four at a
  /// time: the same arithmetic for each frame as one at a time, whole numbers held
  /// exactly in `Double`.
  @inline(__always)
  private static func ramp(
    _ levels: UnsafeMutablePointer<Float>, count: Int, from first: Double, by step: Double,
    _ value: (SIMD4<Double>) -> SIMD4<Double>
  ) {
    var n = SIMD4<Double>(0, 1, 2, 3) * step + first
    let stride = 4 * step
    var at = 0
    while at + 4 <= count {
      let v = value(n)
      levels[at] = Float(v[0])
      levels[at + 1] = Float(v[1])
      levels[at + 2] = Float(v[2])
      levels[at + 3] = Float(v[3])
      n += stride
      at += 4
    }
    if at < count {
      let v = value(n)
      for lane in 0..<(count - at) { levels[at + lane] = Float(v[lane]) }
    }
  }

  /// An ADSR's gains of frames `start..<start + count` into `levels`: attack, decay,
  /// sustain and release a segment at a time.
  private func fillADSR(
    _ levels: UnsafeMutablePointer<Float>, from start: Int, count: Int, attack: Int, decay: Int,
    sustain: Double, release: Int
  ) {
    let end = start + count
    var i = start
    let releaseStart = release > 0 ? max(0, total - release) : Int.max
    var stop = min(end, attack, releaseStart)
    if i < stop {
      let length = Double(attack)
      Self.ramp(levels, count: stop - i, from: Double(i), by: 1) { $0 / length }
      i = stop
    }
    stop = min(end, attack + decay, releaseStart)
    if i < stop {
      let drop = 1 - sustain
      let length = Double(decay)
      Self.ramp(levels + (i - start), count: stop - i, from: Double(i - attack), by: 1) {
        1 - drop * $0 / length
      }
      i = stop
    }
    stop = min(end, releaseStart)
    if i < stop {
      (levels + (i - start)).update(repeating: Float(sustain), count: stop - i)
      i = stop
    }
    guard i < end else { return }
    let level = Self.sustained(releaseStart, attack: attack, decay: decay, sustain: sustain)
    let length = Double(release)
    Self.ramp(levels + (i - start), count: end - i, from: Double(total - 1 - i), by: -1) {
      level * $0 / length
    }
  }

  /// Scales `count` frames of `buffer`, frame `start` of the signal first, by the
  /// envelope. Not inlined into the async `render`, so its loops keep their values in
  /// registers.
  @inline(never)
  private func apply(to buffer: AudioBuffer, from start: Int, count: Int) {
    gains.withUnsafeMutableBufferPointer { gains in
      guard let levels = gains.baseAddress else { return }
      fill(levels, from: start, count: count)
      for channel in 0..<channelCount {
        BlockKernels.multiply(buffer.channel(channel), by: levels, count: count)
      }
    }
  }
}
