/// A feedback delay: `(1 - mix) x + mix w`, `w[n] = x[n - T] + feedback w[n - T]`,
/// ringing on after its input ends as its ``EffectTail`` says.
public final class DelayNode: AudioNode {
  /// The delay time.
  public static let time = NodeParameter.time("time", "the delay time")
  /// The share of each echo fed back into the line.
  public static let feedback = NodeParameter(
    "feedback", default: 0, range: ParameterRange(lower: .exclusive(-1), upper: .exclusive(1)),
    "how much of the echo is fed back")
  /// The share of the delayed signal in the output.
  public static let mix = NodeParameter(
    "mix", default: 0.5, range: .unit, "the share of the delayed signal")
  /// Every parameter, in order.
  public static let parameters = [time, feedback, mix, EffectTail.parameter]

  private let input: AudioNode
  private let delayFrames: Int
  private let feedback: Double
  private let mix: Double
  private let inputBuffer: AudioBuffer
  private var lines: [[Double]]
  /// The lines' memory in the run's budget.
  private let memory: MemoryReservation
  private var cursor = 0
  private var feed: TailFeed
  /// Tail frames in a row whose output was below ``EffectTail/silence``.
  private var quietFrames = 0

  /// Delays `input` by `delayFrames` frames; `tail` says how long the echoes go on after
  /// the input's end. Without feedback an echo lasts exactly the delay, so a tail until
  /// silent is then exactly `delayFrames` long.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for the delay line.
  public init(
    _ input: AudioNode, delayFrames: Int, feedback: Double, mix: Double,
    tail: EffectTail = .none
  ) throws {
    memory = try input.context.memory.reserve(
      frames: max(delayFrames, 1), channels: input.channelCount, width: 8,
      for: .part("the delay line"))
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
      frameCount: feed.frameCount(input: input.frameCount), context: input.context,
      inputs: [input])
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let (count, tailStart) = try feed.pull(input, into: inputBuffer, frames: frames)
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
