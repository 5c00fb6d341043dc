/// Makes a fresh copy of a signal's graph, for nodes that play a signal more than once.
public typealias NodeFactory = () async throws -> AudioNode

/// Signals one after another. Inputs with fewer channels than the widest are spread
/// to all channels (mono) or padded with silence.
public final class ConcatNode: AudioNode {
  private let inputs: [AudioNode]
  private let scratch: AudioBuffer
  private var current = 0

  /// `inputs` in order (at least one, of one sample rate).
  public init(_ inputs: [AudioNode]) {
    precondition(!inputs.isEmpty, "concat needs at least one input")
    self.inputs = inputs
    let channels = inputs.map(\.channelCount).max() ?? 1
    scratch = inputs[0].makeBuffer(channels: channels)
    let lengths = inputs.compactMap(\.frameCount)
    super.init(
      sampleRate: inputs[0].sampleRate, channelCount: channels,
      frameCount: lengths.count == inputs.count
        ? lengths.reduce(Optional(0)) { sum, length in
          sum.flatMap { value in
            let (total, overflow) = value.addingReportingOverflow(length)
            return overflow ? nil : total
          }
        } : nil,
      context: inputs[0].context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    var filled = 0
    while filled < frames, current < inputs.count {
      let input = inputs[current]
      let count = try await input.render(into: scratch, frames: frames - filled)
      for channel in 0..<channelCount {
        let source: UnsafeMutablePointer<Float>
        if input.channelCount == 1 {
          source = scratch.channel(0)
        } else if channel < input.channelCount {
          source = scratch.channel(channel)
        } else {
          (buffer.channel(channel) + filled).update(repeating: 0, count: count)
          continue
        }
        (buffer.channel(channel) + filled).update(from: source, count: count)
      }
      filled += count
      if count < frames - (filled - count) { current += 1 }
    }
    return filled
  }
}

/// Frames `[start, end)` of a signal, clamped to it.
public final class SliceNode: AudioNode {
  /// Where the part starts.
  public static let start = NodeParameter.time("start", "where the part starts")
  /// Where the part ends.
  public static let end = NodeParameter.time("end", "where the part ends")
  /// Every parameter, in order.
  public static let parameters = [start, end]

  private let input: AudioNode
  private let start: Int
  private let end: Int
  private let scratch: AudioBuffer
  private var position = 0

  /// The part of `input` from frame `start` up to, not including, frame `end`.
  public init(_ input: AudioNode, start: Int, end: Int) {
    let first = max(0, start)
    var stop = max(first, end)
    if let total = input.frameCount { stop = min(stop, total) }
    self.input = input
    self.start = first
    self.end = stop
    scratch = input.makeBuffer()
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: input.frameCount.map { max(0, min($0, stop) - min($0, first)) },
      context: input.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    while position < start {
      try context.cancellation.check()
      let skipped = try await input.render(
        into: scratch, frames: min(context.blockSize, start - position))
      if skipped == 0 { return 0 }
      position += skipped
    }
    let wanted = min(frames, end - position)
    guard wanted > 0 else { return 0 }
    let count = try await input.render(into: buffer, frames: wanted)
    position += count
    return count
  }
}

/// A signal `count` times in a row, each time from a fresh copy of its graph, so that
/// nothing is held in memory.
public final class RepeatNode: AudioNode {
  /// How many times the signal plays.
  public static let count = NodeParameter(
    "count", unit: .count, range: ParameterRange(lower: .inclusive(0), isInteger: true),
    "how many times")
  /// Every parameter, in order.
  public static let parameters = [count]

  private let factory: NodeFactory
  private let count: Int
  private var done = 0
  private var current: AudioNode?
  private let scratch: AudioBuffer

  /// Plays the signal made by `factory` `count` times.
  public static func make(factory: @escaping NodeFactory, count: Int) async throws -> RepeatNode {
    RepeatNode(factory: factory, first: try await factory(), count: count)
  }

  private init(factory: @escaping NodeFactory, first: AudioNode, count: Int) {
    self.factory = factory
    self.count = count
    current = count > 0 ? first : nil
    scratch = first.makeBuffer()
    super.init(
      sampleRate: first.sampleRate, channelCount: first.channelCount,
      frameCount: first.frameCount.flatMap { length in
        let (total, overflow) = length.multipliedReportingOverflow(by: count)
        return overflow ? nil : total
      }, context: first.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    var filled = 0
    while filled < frames, let node = current {
      let wanted = frames - filled
      let got = try await node.render(into: scratch, frames: wanted)
      for channel in 0..<channelCount {
        (buffer.channel(channel) + filled).update(from: scratch.channel(channel), count: got)
      }
      filled += got
      if got < wanted {
        done += 1
        // Many repetitions of a short signal are many builds: each may be stopped.
        try context.cancellation.check()
        current = done < count ? try await factory() : nil
      }
    }
    return filled
  }
}

/// Silence before and after a signal.
public final class PadNode: AudioNode {
  /// The silence before the signal.
  public static let before = NodeParameter.time("before", "the silence before")
  /// The silence after the signal.
  public static let after = NodeParameter.time("after", "the silence after")
  /// Every parameter, in order.
  public static let parameters = [before, after]

  private let input: AudioNode
  private let before: Int
  private let after: Int
  private var position = 0
  private var inputEnded = false
  private var trailing = 0

  /// `before` frames of silence, `input`, then `after` frames of silence.
  public init(_ input: AudioNode, before: Int, after: Int) {
    self.input = input
    self.before = before
    self.after = after
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: input.frameCount.flatMap { length in
        // Unknown when the sum cannot be counted, as for `ConcatNode`.
        let (first, overflow1) = length.addingReportingOverflow(before)
        let (total, overflow2) = first.addingReportingOverflow(after)
        return overflow1 || overflow2 ? nil : total
      }, context: input.context)
  }

  /// The input's extent, `before` frames later.
  override public var extent: SignalExtent { input.extent.shifted(by: before) }

  /// Passes the leading silence without pulling the input, the rest by rendering it.
  override public func skip(_ frames: Int) async throws -> Int {
    let silent = max(0, min(frames, before - position))
    position += silent
    return silent + (frames > silent ? try await super.skip(frames - silent) : 0)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    var filled = 0
    if position < before {
      let silent = min(frames, before - position)
      buffer.clear(from: 0, to: silent)
      position += silent
      filled = silent
    }
    if filled < frames, !inputEnded {
      let wanted = frames - filled
      if filled == 0 {
        let got = try await input.render(into: buffer, frames: wanted)
        filled += got
        if got < wanted { inputEnded = true }
      } else {
        // Only the block where the silence ends needs a second buffer: made for it and
        // freed after, so a padded note holds no block of its own.
        let scratch = try AudioBuffer(
          channelCount: channelCount, capacity: context.blockSize, reservingIn: context.memory,
          for: .blocks, origin: origin)
        let got = try await input.render(into: scratch, frames: wanted)
        for channel in 0..<channelCount {
          (buffer.channel(channel) + filled).update(from: scratch.channel(channel), count: got)
        }
        filled += got
        if got < wanted { inputEnded = true }
      }
    }
    if filled < frames, inputEnded, trailing < after {
      let silent = min(frames - filled, after - trailing)
      buffer.clear(from: filled, to: filled + silent)
      trailing += silent
      filled += silent
    }
    return filled
  }
}

/// `y` added onto `x` from frame `at`, cut to `x`'s length.
public final class OverlayNode: AudioNode {
  /// Where the signal laid over starts.
  public static let offset = NodeParameter.time(
    "offset", default: 0, "where the signal laid over starts")
  /// Every parameter, in order.
  public static let parameters = [offset]

  private let base: AudioNode
  private let top: AudioNode
  private let at: Int
  private let topBuffer: AudioBuffer
  private var position = 0
  private var topEnded = false

  /// Lays `top` over `base` from frame `at`.
  public init(_ base: AudioNode, _ top: AudioNode, at: Int) {
    self.base = base
    self.top = top
    self.at = max(0, at)
    topBuffer = top.makeBuffer()
    super.init(
      sampleRate: base.sampleRate, channelCount: max(base.channelCount, top.channelCount),
      frameCount: base.frameCount, context: base.context)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    let count = try await base.render(into: buffer, frames: frames)
    guard count > 0 else { return 0 }
    if base.channelCount == 1, channelCount > 1 {
      for channel in 1..<channelCount {
        buffer.channel(channel).update(from: buffer.channel(0), count: count)
      }
    }
    let blockEnd = position + count
    if !topEnded, blockEnd > at {
      let offset = max(0, at - position)
      let wanted = count - offset
      let got = try await top.render(into: topBuffer, frames: wanted)
      if got < wanted { topEnded = true }
      for channel in 0..<channelCount {
        let x = buffer.channel(channel) + offset
        let y = topBuffer.channel(top.channelCount == 1 ? 0 : min(channel, top.channelCount - 1))
        for index in 0..<got { x[index] += y[index] }
      }
    }
    position = blockEnd
    return count
  }
}
