/// A parameter value for a node: a constant, or a signal rendered block by block
/// alongside the node's input (modulation at audio rate).
///
/// A modulating signal that ends before the node holds its last value.
public final class ParameterSignal {
  /// The constant in full precision (a frequency rounded to Float drifts audibly over
  /// minutes), or the value held after a modulating signal ends.
  public private(set) var value: Double

  /// ``value`` as a sample.
  public var constant: Float { Float(value) }
  private let node: AudioNode?
  private let buffer: AudioBuffer?
  private var ended = false
  private var rendered = 0

  /// A constant parameter.
  public init(constant: Double) {
    self.value = constant
    self.node = nil
    self.buffer = nil
  }

  /// A parameter driven by a signal; its first channel is used.
  public init(signal: AudioNode) {
    self.value = 0
    self.node = signal
    self.buffer = signal.makeBuffer()
  }

  /// The modulating signal, when there is one: what a node using the parameter pulls
  /// besides its input.
  public var signals: [AudioNode] { node.map { [$0] } ?? [] }

  /// Whether the value changes from sample to sample.
  public var isModulated: Bool { node != nil }

  /// Renders the next `frames` values and returns them (for a modulated parameter), or
  /// `nil` for a constant one.
  public func next(_ frames: Int) throws -> UnsafeMutablePointer<Float>? {
    guard let node, let buffer else { return nil }
    let values = buffer.channel(0)
    var filled = 0
    if !ended {
      filled = try node.render(into: buffer, frames: frames)
      if filled > 0 { value = Double(values[filled - 1]) }
      rendered += filled
      if filled < frames || rendered == node.frameCount { ended = true }
    }
    if filled < frames {
      (values + filled).update(repeating: constant, count: frames - filled)
    }
    return values
  }
}
