#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A parameter value for a node: a constant, or a signal rendered block by block
/// alongside the node's input (modulation at audio rate).
///
/// A modulating signal that ends before the node holds its last value. A constant made
/// to glide (``init(constant:glideCapacity:)``, in a live patch) moves to a new value
/// over a few milliseconds when ``glide(to:frames:logarithmic:)`` asks it to, giving the
/// ramp's values as a modulating signal gives its own, and is a constant again after.
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
  /// Whether the node using this constant can follow a glide (a fixed filter cannot).
  public private(set) var acceptsGlide: Bool
  private var glideStart = 0.0
  private var glideTarget = 0.0
  private var glideDone = 0
  private var glideFrames = 0
  private var glideLogarithmic = false

  /// A constant parameter.
  public init(constant: Double) {
    self.value = constant
    self.node = nil
    self.buffer = nil
    acceptsGlide = false
  }

  /// A constant that can glide to another value, in blocks of at most `glideCapacity`
  /// frames, its ramp's memory made now so that a glide allocates nothing.
  public init(constant: Double, glideCapacity: Int) {
    self.value = constant
    self.node = nil
    self.buffer = AudioBuffer(channelCount: 1, capacity: max(glideCapacity, 1))
    acceptsGlide = true
  }

  /// A parameter driven by a signal; its first channel is used.
  public init(signal: AudioNode) {
    self.value = 0
    self.node = signal
    self.buffer = signal.makeBuffer()
    acceptsGlide = false
  }

  /// Says that the node using this constant reads it once, so it cannot glide (a change
  /// of it rebuilds the node instead).
  public func refuseGlide() { acceptsGlide = false }

  /// Moves the constant from its value now to `target` over `frames` frames: along a
  /// straight line, or in equal ratios when `logarithmic` (a frequency) and both values
  /// are positive. Allocates nothing; a constant that cannot glide takes `target` at once.
  public func glide(to target: Double, frames: Int, logarithmic: Bool) {
    guard acceptsGlide, node == nil, frames > 0 else {
      value = target
      return
    }
    glideStart = value
    glideTarget = target
    glideDone = 0
    glideFrames = frames
    glideLogarithmic = logarithmic && value > 0 && target > 0
  }

  /// Whether a glide is under way.
  public var isGliding: Bool { glideDone < glideFrames }

  /// The next `frames` values of a glide under way, ending exactly on its target.
  private func nextGlide(_ frames: Int, into values: UnsafeMutablePointer<Float>) {
    let logStart = glideLogarithmic ? log(glideStart) : 0
    let logTarget = glideLogarithmic ? log(glideTarget) : 0
    for frame in 0..<frames {
      if glideDone >= glideFrames {
        value = glideTarget
      } else {
        glideDone += 1
        let x = Double(glideDone) / Double(glideFrames)
        value =
          glideDone == glideFrames
          ? glideTarget
          : glideLogarithmic
            ? exp(logStart + (logTarget - logStart) * x)
            : glideStart + (glideTarget - glideStart) * x
      }
      values[frame] = Float(value)
    }
  }

  /// The modulating signal, when there is one: what a node using the parameter pulls
  /// besides its input.
  public var signals: [AudioNode] { node.map { [$0] } ?? [] }

  /// Whether the value changes from sample to sample.
  public var isModulated: Bool { node != nil }

  /// Renders the next `frames` values and returns them (for a modulated parameter), or
  /// `nil` for a constant one.
  public func next(_ frames: Int) throws -> UnsafeMutablePointer<Float>? {
    if node == nil, let buffer, isGliding {
      nextGlide(min(frames, buffer.capacity), into: buffer.channel(0))
      return buffer.channel(0)
    }
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
