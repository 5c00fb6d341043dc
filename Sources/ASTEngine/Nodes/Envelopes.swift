import Foundation

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
  private let input: AudioNode
  private let shape: EnvelopeShape
  private let total: Int
  private var position = 0
  private var gains: [Float]

  /// Applies `shape` to `input`, whose length must be known.
  public init(_ input: AudioNode, shape: EnvelopeShape) {
    if case .fadeIn = shape {
    } else {
      precondition(input.frameCount != nil, "this envelope needs the length of its input")
    }
    self.input = input
    self.shape = shape
    self.total = input.frameCount ?? 0
    gains = [Float](repeating: 1, count: input.context.blockSize)
    super.init(sameFormatAs: input)
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

  /// The gain at frame `i` of the signal.
  @inline(__always)
  private func gain(at i: Int) -> Double {
    switch shape {
    case .fadeIn(let frames):
      return i < frames ? Double(i) / Double(frames) : 1
    case .fadeOut(let frames):
      let start = total - frames
      return i >= start ? Double(total - 1 - i) / Double(frames) : 1
    case .adsr(let attack, let decay, let sustain, let release):
      let start = max(0, total - release)
      if release > 0, i >= start {
        let level = Self.sustained(start, attack: attack, decay: decay, sustain: sustain)
        return level * Double(total - 1 - i) / Double(release)
      }
      return Self.sustained(i, attack: attack, decay: decay, sustain: sustain)
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    // The input renders straight into the output, which is scaled in place, and only
    // where the envelope is not 1.
    let count = try await input.render(into: buffer, frames: frames)
    guard count > 0 else { return 0 }
    let start = position
    position += count
    if isUnity(from: start, count: count) { return count }
    gains.withUnsafeMutableBufferPointer { gains in
      for index in 0..<count { gains[index] = Float(gain(at: start + index)) }
      for channel in 0..<channelCount {
        let y = buffer.channel(channel)
        BlockKernels.multiply(y, by: gains.baseAddress!, count: count)
      }
    }
    return count
  }
}

/// A feedback delay: `(1 - mix) x + mix w`, `w[n] = x[n - T] + feedback w[n - T]`,
/// ringing on after its input ends as its ``EffectTail`` says.
public final class DelayNode: AudioNode {
  private let input: AudioNode
  private let delayFrames: Int
  private let feedback: Double
  private let mix: Double
  private let inputBuffer: AudioBuffer
  private var lines: [[Double]]
  private var cursor = 0
  private var feed: TailFeed
  /// Tail frames in a row whose output was below ``EffectTail/silence``.
  private var quietFrames = 0

  /// Delays `input` by `delayFrames` frames; `tail` says how long the echoes go on after
  /// the input's end. Without feedback an echo lasts exactly the delay, so a tail until
  /// silent is then exactly `delayFrames` long.
  public init(
    _ input: AudioNode, delayFrames: Int, feedback: Double, mix: Double,
    tail: EffectTail = .none
  ) {
    self.input = input
    self.delayFrames = delayFrames
    self.feedback = feedback
    self.mix = mix
    inputBuffer = input.makeBuffer()
    lines = Array(
      repeating: [Double](repeating: 0, count: max(delayFrames, 1)), count: input.channelCount)
    var tail = tail
    if case .untilSilent = tail, feedback == 0 || mix == 0 || delayFrames == 0 {
      tail = mix == 0 || delayFrames == 0 ? .none : .frames(delayFrames)
    }
    feed = TailFeed(tail)
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: feed.frameCount(input: input.frameCount), context: input.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let (count, tailStart) = try await feed.pull(input, into: inputBuffer, frames: frames)
    guard count > 0 else { return 0 }
    let length = max(delayFrames, 1)
    var position = cursor
    for channel in 0..<channelCount {
      let x = inputBuffer.channel(channel)
      let y = buffer.channel(channel)
      position = cursor
      lines[channel].withUnsafeMutableBufferPointer { line in
        for index in 0..<count {
          let dry = Double(x[index])
          let w: Double
          if delayFrames == 0 {
            w = dry / (1 - feedback)
          } else {
            w = line[position]
            line[position] = dry + feedback * w
            position += 1
            if position == length { position = 0 }
          }
          y[index] = Float((1 - mix) * dry + mix * w)
        }
      }
    }
    cursor = position
    if case .untilSilent = feed.tail, tailStart < count {
      // Once a whole delay line's worth of output is quiet, everything the line holds
      // is, and each further echo is quieter still.
      // The end is found frame by frame, so it is the same at every block size.
      for index in tailStart..<count {
        var loud = false
        for channel in 0..<channelCount
        where abs(buffer.channel(channel)[index]) >= EffectTail.silence {
          loud = true
        }
        quietFrames = loud ? 0 : quietFrames + 1
        if quietFrames >= delayFrames {
          feed.isSilent = true
          return index + 1
        }
      }
    }
    return count
  }
}

/// A Freeverb-style reverb: eight damped comb filters and four all-pass filters per
/// channel (the right channel's delays spread by 23 samples), tuned for 44.1 kHz and
/// scaled to the sample rate, ringing on after its input ends as its ``EffectTail``
/// says.
public final class ReverbNode: AudioNode {
  private struct Comb {
    var line: [Float]
    var index = 0
    var store: Float = 0
  }

  private struct Allpass {
    var line: [Float]
    var index = 0
  }

  private static let combTuning = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617]
  private static let allpassTuning = [556, 441, 341, 225]

  private let input: AudioNode
  private let inputBuffer: AudioBuffer
  private let feedback: Float
  private let damp: Float
  private let wet: Float
  private var combs: [[Comb]]
  private var allpasses: [[Allpass]]
  private var feed: TailFeed

  /// Reverberates `input` with `room` size, `damp`ing and `wet` share, each 0 to 1;
  /// `tail` says how long it rings on after the input's end.
  public init(
    _ input: AudioNode, room: Double, damp: Double, wet: Double, tail: EffectTail = .none
  ) {
    self.input = input
    inputBuffer = input.makeBuffer()
    feedback = Float(room * 0.28 + 0.7)
    self.damp = Float(damp * 0.4)
    self.wet = Float(wet)
    let scale = Double(input.sampleRate) / 44_100
    combs = (0..<input.channelCount).map { channel in
      Self.combTuning.map {
        Comb(
          line: [Float](repeating: 0, count: max(1, Int(Double($0 + 23 * (channel % 2)) * scale))))
      }
    }
    allpasses = (0..<input.channelCount).map { channel in
      Self.allpassTuning.map {
        Allpass(
          line: [Float](repeating: 0, count: max(1, Int(Double($0 + 23 * (channel % 2)) * scale))))
      }
    }
    feed = TailFeed(wet == 0 ? .none : tail)
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: feed.frameCount(input: input.frameCount), context: input.context)
  }

  /// Whether everything the filters hold is so small that the output stays below
  /// ``EffectTail/silence``: the eight combs' sum, scaled as the output scales it.
  private var holdsOnlySilence: Bool {
    var largest: Float = 0
    for channel in 0..<channelCount {
      for comb in combs[channel] {
        largest = max(largest, abs(comb.store))
        for value in comb.line { largest = max(largest, abs(value)) }
      }
      for allpass in allpasses[channel] {
        for value in allpass.line { largest = max(largest, abs(value)) }
      }
    }
    return largest * Float(combs.first?.count ?? 8) * 3 * wet < EffectTail.silence
  }

  /// How often, in frames of the tail, a reverb looks whether it has fallen silent: at
  /// the same frames whatever the block size.
  static let silenceCheckInterval = 256

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let (count, tailStart) = try await feed.pull(input, into: inputBuffer, frames: frames)
    guard count > 0 else { return 0 }
    guard case .untilSilent = feed.tail, tailStart < count else {
      process(buffer, 0..<count)
      return count
    }
    process(buffer, 0..<tailStart)
    // The tail frames of this block are the last of the `tailFrames` given so far.
    var tailIndex = feed.tailFrames - (count - tailStart)
    var start = tailStart
    while start < count {
      let interval = Self.silenceCheckInterval
      let end = min(count, start + interval - tailIndex % interval)
      process(buffer, start..<end)
      tailIndex += end - start
      start = end
      if tailIndex % interval == 0, holdsOnlySilence {
        feed.isSilent = true
        return end
      }
    }
    return count
  }

  /// Reverberates the input buffer's frames `frames` into `buffer`.
  private func process(_ buffer: AudioBuffer, _ frames: Range<Int>) {
    guard !frames.isEmpty else { return }
    let damp1 = damp
    let damp2 = 1 - damp
    for channel in 0..<channelCount {
      let x = inputBuffer.channel(channel)
      let y = buffer.channel(channel)
      for index in frames {
        let feed = x[index] * 0.03
        var sum: Float = 0
        for c in 0..<combs[channel].count {
          let output = combs[channel][c].line[combs[channel][c].index]
          combs[channel][c].store = output * damp2 + combs[channel][c].store * damp1
          combs[channel][c].line[combs[channel][c].index] =
            feed + combs[channel][c].store * feedback
          combs[channel][c].index += 1
          if combs[channel][c].index == combs[channel][c].line.count { combs[channel][c].index = 0 }
          sum += output
        }
        for a in 0..<allpasses[channel].count {
          let delayed = allpasses[channel][a].line[allpasses[channel][a].index]
          let output = delayed - sum
          allpasses[channel][a].line[allpasses[channel][a].index] = sum + delayed * 0.5
          allpasses[channel][a].index += 1
          if allpasses[channel][a].index == allpasses[channel][a].line.count {
            allpasses[channel][a].index = 0
          }
          sum = output
        }
        y[index] = (1 - wet) * x[index] + wet * 3 * sum
      }
    }
  }
}

/// A feed-forward compressor with a peak detector linked across channels.
///
/// The detector follows the largest absolute sample of each frame with the attack and
/// release times; above the threshold the gain falls by `(1 - 1 / ratio)` dB per dB.
public final class CompressorNode: AudioNode {
  private let input: AudioNode
  private let inputBuffer: AudioBuffer
  private let threshold: Double
  private let ratio: Double
  private let attack: Double
  private let release: Double
  private var envelope = 0.0

  /// Compresses `input`.
  public init(
    _ input: AudioNode, thresholdDB: Double, ratio: Double, attack: Double, release: Double
  ) {
    self.input = input
    inputBuffer = input.makeBuffer()
    threshold = thresholdDB
    self.ratio = ratio
    let rate = Double(input.sampleRate)
    self.attack = attack > 0 ? exp(-1 / (attack * rate)) : 0
    self.release = release > 0 ? exp(-1 / (release * rate)) : 0
    super.init(sameFormatAs: input)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let count = try await input.render(into: inputBuffer, frames: frames)
    guard count > 0 else { return 0 }
    let slope = 1 - 1 / ratio
    for index in 0..<count {
      var level = 0.0
      for channel in 0..<channelCount {
        level = max(level, Double(abs(inputBuffer.channel(channel)[index])))
      }
      let coefficient = level > envelope ? attack : release
      envelope = coefficient * envelope + (1 - coefficient) * level
      var gain: Float = 1
      if envelope > 0 {
        let over = 20 * log10(envelope) - threshold
        if over > 0 { gain = Float(pow(10, -over * slope / 20)) }
      }
      for channel in 0..<channelCount {
        buffer.channel(channel)[index] = inputBuffer.channel(channel)[index] * gain
      }
    }
    return count
  }
}
