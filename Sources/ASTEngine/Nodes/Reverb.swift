/// A Freeverb-style reverb: eight damped comb filters and four all-pass filters per
/// channel (the right channel's delays spread by 23 samples), tuned for 44.1 kHz and
/// scaled to the sample rate, ringing on after its input ends as its ``EffectTail``
/// says.
public final class ReverbNode: AudioNode {
  /// The room size.
  public static let room = NodeParameter("room", default: 0.5, range: .unit, "the room size")
  /// The damping of high frequencies.
  public static let damp = NodeParameter(
    "damp", default: 0.5, range: .unit, "the damping of high frequencies")
  /// The share of reverberated signal in the output.
  public static let wet = NodeParameter(
    "wet", default: 0.3, range: .unit, "the share of reverberated signal")
  /// Every parameter, in order.
  public static let parameters = [room, damp, wet, EffectTail.parameter]

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
  /// The filters' memory in the run's budget.
  private let memory: MemoryReservation

  /// Reverberates `input` with `room` size, `damp`ing and `wet` share, each 0 to 1;
  /// `tail` says how long it rings on after the input's end.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for the filters' lines.
  public init(
    _ input: AudioNode, room: Double, damp: Double, wet: Double, tail: EffectTail = .none
  ) throws {
    let scale = Double(input.sampleRate) / 44_100
    func length(_ tuning: Int, _ channel: Int) -> Int {
      max(1, Int(Double(tuning + 23 * (channel % 2)) * scale))
    }
    let channels = 0..<input.channelCount
    let samples = channels.reduce(0) { sum, channel in
      (Self.combTuning + Self.allpassTuning).reduce(sum) { $0 + length($1, channel) }
    }
    memory = try input.context.memory.reserve(
      MemoryBudget.bytes(samples, width: 4), for: .part("the filter lines"))
    self.input = input
    inputBuffer = input.makeBuffer()
    feedback = Float(room * 0.28 + 0.7)
    self.damp = Float(damp * 0.4)
    self.wet = Float(wet)
    combs = channels.map { channel in
      Self.combTuning.map { Comb(line: [Float](repeating: 0, count: length($0, channel))) }
    }
    allpasses = channels.map { channel in
      Self.allpassTuning.map { Allpass(line: [Float](repeating: 0, count: length($0, channel))) }
    }
    feed = TailFeed(wet == 0 ? .none : tail)
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: feed.frameCount(input: input.frameCount), context: input.context,
      inputs: [input])
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

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let (count, tailStart) = try feed.pull(input, into: inputBuffer, frames: frames)
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
