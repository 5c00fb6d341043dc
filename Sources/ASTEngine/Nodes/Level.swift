import Foundation

/// The arithmetic operations on signals.
public enum SignalOperation: Sendable {
  /// `a + b`.
  case add
  /// `a - b`.
  case subtract
  /// `a * b`.
  case multiply
  /// `a / b`.
  case divide

  @inline(__always)
  func apply(_ a: Float, _ b: Float) -> Float {
    switch self {
    case .add: a + b
    case .subtract: a - b
    case .multiply: a * b
    case .divide: a / b
    }
  }
}

/// Sample-by-sample arithmetic of two signals, or of a signal and a number.
///
/// Two signals give a signal as long as the longer, the shorter padded with silence; a
/// mono signal combines with every channel of the other. Division that makes NaN or
/// infinity reports it (as ``TroubleReport/Kind/nonFinite``) and writes 0.
public final class ArithmeticNode: AudioNode {
  private let operation: SignalOperation
  private let left: AudioNode?
  private let right: AudioNode?
  private let leftConstant: Float
  private let rightConstant: Float
  private let leftBuffer: AudioBuffer?
  private let rightBuffer: AudioBuffer?
  private var leftEnded = false
  private var rightEnded = false

  /// `left op right` for two signals.
  public init(_ operation: SignalOperation, _ left: AudioNode, _ right: AudioNode) {
    self.operation = operation
    self.left = left
    self.right = right
    leftConstant = 0
    rightConstant = 0
    leftBuffer = left.makeBuffer()
    rightBuffer = right.makeBuffer()
    let length = left.frameCount.flatMap { a in right.frameCount.map { b in max(a, b) } }
    super.init(
      sampleRate: left.sampleRate, channelCount: max(left.channelCount, right.channelCount),
      frameCount: length, context: left.context, inputs: [left, right])
  }

  /// `signal op number`, or `number op signal` when `numberFirst`.
  public init(_ operation: SignalOperation, signal: AudioNode, number: Double, numberFirst: Bool) {
    self.operation = operation
    self.left = numberFirst ? nil : signal
    self.right = numberFirst ? signal : nil
    leftConstant = Float(number)
    rightConstant = Float(number)
    leftBuffer = numberFirst ? nil : signal.makeBuffer()
    rightBuffer = numberFirst ? signal.makeBuffer() : nil
    super.init(
      sampleRate: signal.sampleRate, channelCount: signal.channelCount,
      frameCount: signal.frameCount, context: signal.context, inputs: [signal])
  }

  private func fill(_ node: AudioNode?, _ buffer: AudioBuffer?, ended: inout Bool, frames: Int)
    throws -> Int?
  {
    guard let node, let buffer else { return nil }
    return try pullPadded(node, into: buffer, frames: frames, ended: &ended)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let a = try fill(left, leftBuffer, ended: &leftEnded, frames: frames)
    let b = try fill(right, rightBuffer, ended: &rightEnded, frames: frames)
    let produced = max(a ?? 0, b ?? 0)
    guard produced > 0 else { return 0 }
    var bad = 0
    for channel in 0..<channelCount {
      let output = buffer.channel(channel)
      let x = leftBuffer.map { $0.channel($0.channelCount == 1 ? 0 : channel) }
      let y = rightBuffer.map { $0.channel($0.channelCount == 1 ? 0 : channel) }
      switch (x, y) {
      case (let x?, let y?):
        BlockKernels.apply(operation, x, y, into: output, count: produced)
      case (let x?, nil):
        BlockKernels.apply(
          operation, x, rightConstant, numberFirst: false, into: output, count: produced)
      case (nil, let y?):
        BlockKernels.apply(
          operation, y, leftConstant, numberFirst: true, into: output, count: produced)
      case (nil, nil):
        break
      }
      if operation == .divide { bad += scrubNonFinite(output, count: produced) }
    }
    replacedSamples += bad
    return produced
  }
}

/// A signal multiplied by a gain that may be a constant or a modulating signal.
public final class GainNode: AudioNode {
  /// The linear gain.
  public static let gain = NodeParameter("gain", unit: .gain, "the linear gain")
  /// Every parameter, in order.
  public static let parameters = [gain]

  private let input: AudioNode
  private let gain: ParameterSignal

  /// `input * gain`.
  public init(_ input: AudioNode, gain: ParameterSignal) {
    self.input = input
    self.gain = gain
    super.init(sameFormatAs: input, more: gain.signals)
  }

  /// The input's extent (a modulating gain does not widen it).
  override public var extent: SignalExtent { input.extent }

  /// Passes the input's frames, and the gain signal's with them.
  override public func skip(_ frames: Int) async throws -> Int {
    guard !gain.isModulated else { return try await super.skip(frames) }
    return try await input.skip(frames)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    // In place: the input renders into the output, which is then scaled.
    let count = try input.render(into: buffer, frames: frames)
    guard count > 0 else { return 0 }
    let gains = try gain.next(count)
    let fixed = gain.constant
    for channel in 0..<channelCount {
      let y = buffer.channel(channel)
      if let gains {
        BlockKernels.multiply(y, by: gains, count: count)
      } else {
        BlockKernels.scale(y, count: count, by: fixed)
      }
    }
    return count
  }
}

/// The sum of several signals, as long as the longest; no normalisation.
///
/// Inputs are pulled only where they may sound (their ``AudioNode/extent``): an input
/// whose extent has not begun is not pulled at all, and is brought to the mix's
/// position with ``AudioNode/skip(_:)`` when it begins (a ``PadNode`` passes its leading
/// silence without pulling its own input); an input that has ended is dropped. A block
/// costs the inputs that sound, not every input.
public final class MixNode: AudioNode {
  private let scratch: AudioBuffer
  /// The inputs by the frame where their extent starts (an empty extent: never).
  private let schedule: [(start: Int, index: Int)]
  /// The next input of ``schedule`` still to start.
  private var nextToStart = 0
  /// The inputs being pulled, by index, in increasing order.
  private var active: [Int] = []
  /// The inputs that ended in the renders since the last ready pass, to be settled by
  /// the next.
  private var ended: [Int] = []
  /// Frames given so far.
  private var position = 0
  /// The mix lasts at least this long: the longest known length, or the start of an
  /// input whose length is not known.
  private let leastLength: Int

  /// The sum of `inputs` (at least one, of one sample rate).
  public init(_ inputs: [AudioNode]) {
    precondition(!inputs.isEmpty, "mix needs at least one input")
    let channels = inputs.map(\.channelCount).max() ?? 1
    scratch = inputs[0].makeBuffer(channels: channels)
    let extents = inputs.map(\.extent)
    var schedule: [(start: Int, index: Int)] = []
    for (index, input) in inputs.enumerated() {
      // An input that may have side effects at its end (a tap) has the whole extent,
      // so only a silent one is left out; its length still counts.
      if !extents[index].isEmpty || input.frameCount == nil {
        schedule.append((extents[index].start, index))
      }
    }
    self.schedule = schedule.sorted { ($0.start, $0.index) < ($1.start, $1.index) }
    leastLength = zip(inputs, extents).map { $0.frameCount ?? $1.start }.max() ?? 0
    // Room for every input, so that neither list grows while rendering.
    active.reserveCapacity(inputs.count)
    ended.reserveCapacity(inputs.count)
    let lengths = inputs.compactMap(\.frameCount)
    super.init(
      sampleRate: inputs[0].sampleRate, channelCount: channels,
      frameCount: lengths.count == inputs.count ? lengths.max() : nil, context: inputs[0].context,
      inputs: inputs)
  }

  /// The union of the inputs' extents.
  override public var extent: SignalExtent {
    inputs.reduce(SignalExtent.empty) { $0.union($1.extent) }
  }

  /// Settles the inputs that ended, starts those whose extent begins within the next
  /// `frames` frames, and readies the inputs being pulled; the others are not touched.
  override public func ready(frames: Int) async throws {
    for index in ended { try await inputs[index].finish() }
    ended.removeAll(keepingCapacity: true)
    let (windowEnd, overflow) = position.addingReportingOverflow(frames)
    let end = overflow ? Int.max : windowEnd
    while nextToStart < schedule.count, schedule[nextToStart].start < end {
      let index = schedule[nextToStart].index
      nextToStart += 1
      // Bring the input to the mix's position: the frames it missed are silent.
      let skipped = try await inputs[index].skip(position)
      // Kept in the order of the inputs, so the sum is added up as a dense mix adds it.
      if skipped == position {
        active.insert(index, at: active.firstIndex { $0 > index } ?? active.count)
      } else {
        ended.append(index)
      }
    }
    for index in active { try await inputs[index].ready(frames: frames) }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    buffer.clear(from: 0, to: frames)
    var produced = max(0, min(frames, leastLength - position))
    var stillActive = 0
    for slot in active.indices {
      let index = active[slot]
      let input = inputs[index]
      let count = try input.render(into: scratch, frames: frames)
      produced = max(produced, count)
      buffer.add(
        scratch, sourceChannels: input.channelCount, channels: channelCount, count: count)
      if count == frames {
        active[stillActive] = index
        stillActive += 1
      } else {
        ended.append(index)
      }
    }
    active.removeLast(active.count - stillActive)
    position += produced
    return produced
  }
}

/// Equal-power panning: a mono signal becomes stereo, left `x cos((p + 1) pi / 4)` and
/// right `x sin((p + 1) pi / 4)`; a stereo signal is balanced with the same law.
public final class PanNode: AudioNode {
  /// The position, -1 left to 1 right. A modulating position is held within -1 and 1.
  public static let position = NodeParameter(
    "position", range: ParameterRange(lower: .inclusive(-1), upper: .inclusive(1)),
    "-1 left, 0 centre, 1 right")
  /// Every parameter, in order.
  public static let parameters = [position]

  private let input: AudioNode
  private let position: ParameterSignal
  private let inputBuffer: AudioBuffer

  /// Pans `input` (mono or stereo) by `position` in [-1, 1].
  public init(_ input: AudioNode, position: ParameterSignal) {
    self.input = input
    self.position = position
    inputBuffer = input.makeBuffer()
    super.init(
      sampleRate: input.sampleRate, channelCount: 2, frameCount: input.frameCount,
      context: input.context, inputs: [input] + position.signals)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try input.render(into: inputBuffer, frames: frames)
    guard count > 0 else { return 0 }
    let positions = try position.next(count)
    let left = buffer.channel(0)
    let right = buffer.channel(1)
    let inLeft = inputBuffer.channel(0)
    let inRight = inputBuffer.channel(input.channelCount > 1 ? 1 : 0)
    let fixed = position.value
    var fixedLeft = Float(cos((fixed + 1) * Double.pi / 4))
    var fixedRight = Float(sin((fixed + 1) * Double.pi / 4))
    for index in 0..<count {
      if let positions {
        let angle = (Double(min(max(positions[index], -1), 1)) + 1) * Double.pi / 4
        fixedLeft = Float(cos(angle))
        fixedRight = Float(sin(angle))
      }
      left[index] = inLeft[index] * fixedLeft
      right[index] = inRight[index] * fixedRight
    }
    return count
  }
}

/// Two mono signals as the left and right channels, padded to the longer.
public final class StereoNode: AudioNode {
  private let left: AudioNode
  private let right: AudioNode
  private let leftBuffer: AudioBuffer
  private let rightBuffer: AudioBuffer
  private var leftEnded = false
  private var rightEnded = false

  /// `left` and `right` side by side.
  public init(left: AudioNode, right: AudioNode) {
    self.left = left
    self.right = right
    leftBuffer = left.makeBuffer()
    rightBuffer = right.makeBuffer()
    let length = left.frameCount.flatMap { a in right.frameCount.map { b in max(a, b) } }
    super.init(
      sampleRate: left.sampleRate, channelCount: 2, frameCount: length, context: left.context,
      inputs: [left, right])
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let a = try pullPadded(left, into: leftBuffer, frames: frames, ended: &leftEnded)
    let b = try pullPadded(right, into: rightBuffer, frames: frames, ended: &rightEnded)
    let produced = max(a, b)
    guard produced > 0 else { return 0 }
    buffer.channel(0).update(from: leftBuffer.channel(0), count: produced)
    buffer.channel(1).update(from: rightBuffer.channel(0), count: produced)
    return produced
  }
}

/// The mean of a signal's channels.
public final class MonoNode: AudioNode {
  private let input: AudioNode
  private let inputBuffer: AudioBuffer

  /// `input` mixed down to one channel.
  public init(_ input: AudioNode) {
    self.input = input
    inputBuffer = input.makeBuffer()
    super.init(
      sampleRate: input.sampleRate, channelCount: 1, frameCount: input.frameCount,
      context: input.context, inputs: [input])
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try input.render(into: inputBuffer, frames: frames)
    guard count > 0 else { return 0 }
    let output = buffer.channel(0)
    output.update(from: inputBuffer.channel(0), count: count)
    let channels = input.channelCount
    for channel in 1..<max(channels, 1) {
      let x = inputBuffer.channel(channel)
      BlockKernels.accumulate(output, x, count: count)
    }
    if channels > 1 {
      let scale = 1 / Float(channels)
      BlockKernels.scale(output, count: count, by: scale)
    }
    return count
  }
}

/// Hard clipping at ±limit.
public final class ClipNode: AudioNode {
  /// The largest absolute sample.
  public static let limit = NodeParameter(
    "limit", unit: .gain, default: 1, range: .positive, "the largest absolute sample")
  /// Every parameter, in order.
  public static let parameters = [limit]

  private let input: AudioNode
  private let limit: Float
  private let inputBuffer: AudioBuffer

  /// `input` clipped to [-limit, limit].
  public init(_ input: AudioNode, limit: Double) {
    self.input = input
    self.limit = Float(limit)
    inputBuffer = input.makeBuffer()
    super.init(sameFormatAs: input)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try input.render(into: inputBuffer, frames: frames)
    for channel in 0..<channelCount {
      let x = inputBuffer.channel(channel)
      let y = buffer.channel(channel)
      BlockKernels.clip(x, into: y, count: count, limit: limit)
    }
    return count
  }
}

/// A signal negated.
public final class NegateNode: AudioNode {
  private let input: AudioNode
  private let inputBuffer: AudioBuffer

  /// `-input`.
  public init(_ input: AudioNode) {
    self.input = input
    inputBuffer = input.makeBuffer()
    super.init(sameFormatAs: input)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try input.render(into: inputBuffer, frames: frames)
    for channel in 0..<channelCount {
      let x = inputBuffer.channel(channel)
      let y = buffer.channel(channel)
      // Times -1 is negation exactly, signed zeros and NaN included.
      BlockKernels.apply(.multiply, x, -1, numberFirst: false, into: y, count: count)
    }
    return count
  }
}
