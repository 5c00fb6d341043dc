import ASTCore

/// A whole signal rendered into memory, then played from there; the one place where a
/// whole signal is held (reverse, normalize, envelopes of signals of unknown length).
public final class MaterializedNode: AudioNode {
  /// The peak a normalized signal is scaled to.
  public static let peak = NodeParameter(
    "peak", unit: .gain, default: AudioSegment.linearGain(decibels: -1), range: .positive,
    "the target peak")
  /// Every parameter, in order.
  public static let parameters = [peak]

  private var channels: [[Float]]
  private var position = 0
  private let reversed: Bool
  private let scale: Float

  /// Renders all of `input` now.
  ///
  /// - Parameters:
  ///   - reversed: play it backwards.
  ///   - normalizeTo: scale so the largest absolute sample is this (silence stays silent).
  public static func make(
    _ input: AudioNode, reversed: Bool = false, normalizeTo peak: Double? = nil
  ) async throws -> MaterializedNode {
    let context = input.context
    let purpose = "'\(reversed ? "reverse" : "normalize")' holds the whole signal"
    if let frames = input.frameCount {
      try context.checkMemory(
        frames: frames, channels: input.channelCount, width: 4, for: purpose)
    }
    var channels = [[Float]](repeating: [], count: input.channelCount)
    let buffer = input.makeBuffer()
    var largest: Float = 0
    var held = 0
    while true {
      try context.cancellation.check()
      let count = try await input.render(into: buffer, frames: context.blockSize)
      // A signal of unknown length is measured as it comes.
      held += count
      try context.checkMemory(frames: held, channels: input.channelCount, width: 4, for: purpose)
      for channel in 0..<input.channelCount {
        let samples = UnsafeBufferPointer(start: buffer.channel(channel), count: count)
        channels[channel].append(contentsOf: samples)
        if peak != nil {
          for sample in samples { largest = max(largest, abs(sample)) }
        }
      }
      if count < input.context.blockSize { break }
    }
    var scale: Float = 1
    if let peak, largest > 0 { scale = Float(peak) / largest }
    return MaterializedNode(input: input, channels: channels, reversed: reversed, scale: scale)
  }

  private init(input: AudioNode, channels: [[Float]], reversed: Bool, scale: Float) {
    self.channels = channels
    self.reversed = reversed
    self.scale = scale
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: channels.first?.count ?? 0, context: input.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let total = frameCount ?? 0
    let count = min(frames, total - position)
    guard count > 0 else { return 0 }
    for channel in 0..<channelCount {
      let output = buffer.channel(channel)
      channels[channel].withUnsafeBufferPointer { samples in
        if reversed {
          for index in 0..<count { output[index] = samples[total - 1 - position - index] * scale }
        } else {
          for index in 0..<count { output[index] = samples[position + index] * scale }
        }
      }
    }
    position += count
    return count
  }
}
