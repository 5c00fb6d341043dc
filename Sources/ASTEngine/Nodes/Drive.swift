import Foundation

/// A tanh waveshaper: `tanh(a x) / a`, so a small signal passes with gain 1 and a loud
/// one is rounded off below `1 / a`; `a` may be a signal. An amount at or below zero
/// (computed while running) passes the signal through unchanged, the limit of the curve.
public final class DriveNode: AudioNode {
  /// How hard the signal is driven. A modulating amount at or below zero passes the
  /// signal through unchanged.
  public static let amount = NodeParameter(
    "amount", default: 1, range: .positive, "how hard the signal is driven")
  /// Every parameter, in order.
  public static let parameters = [amount]

  private let input: AudioNode
  private let amount: ParameterSignal

  /// Drives `input` by `amount`.
  public init(_ input: AudioNode, amount: ParameterSignal) {
    self.input = input
    self.amount = amount
    super.init(sameFormatAs: input, more: amount.signals)
  }

  /// `tanh(a x) / a`, or `x` when `a` is not positive.
  @inline(__always)
  static func shape(_ x: Float, amount a: Float) -> Float {
    a > 0 ? tanh(a * x) / a : x
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try input.render(into: buffer, frames: frames)
    guard count > 0 else { return 0 }
    let amounts = try amount.next(count)
    let fixed = amount.constant
    for channel in 0..<channelCount {
      let y = buffer.channel(channel)
      if let amounts {
        for index in 0..<count { y[index] = Self.shape(y[index], amount: amounts[index]) }
      } else {
        for index in 0..<count { y[index] = Self.shape(y[index], amount: fixed) }
      }
    }
    return count
  }
}
