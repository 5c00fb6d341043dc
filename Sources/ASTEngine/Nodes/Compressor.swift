import Foundation

/// A feed-forward compressor with a peak detector linked across channels.
///
/// The detector follows the largest absolute sample of each frame with the attack and
/// release times; above the threshold the gain falls by `(1 - 1 / ratio)` dB per dB.
public final class CompressorNode: AudioNode {
  /// The level above which gain is reduced, in dB.
  public static let threshold = NodeParameter(
    "threshold", unit: .decibels, default: -20, range: ParameterRange(upper: .inclusive(0)),
    "the level above which gain is reduced")
  /// The compression ratio: dB in per dB out above the threshold.
  public static let ratio = NodeParameter(
    "ratio", default: 4, range: ParameterRange(lower: .inclusive(1)), "the compression ratio")
  /// How fast gain reduction starts.
  public static let attack = NodeParameter.time(
    "attack", default: 0.005, "how fast gain reduction starts")
  /// How fast gain reduction ends.
  public static let release = NodeParameter.time("release", default: 0.05, "how fast it ends")
  /// Every parameter, in order.
  public static let parameters = [threshold, ratio, attack, release]

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

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try input.render(into: inputBuffer, frames: frames)
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
