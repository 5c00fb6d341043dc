/// Makes a fresh copy of a signal's graph, for nodes that play a signal more than once.
public typealias NodeFactory = () async throws -> AudioNode

/// Signals one after another. Inputs with fewer channels than the widest are spread
/// to all channels (mono) or padded with silence.
///
/// Where one input ends and the next begins cannot be known before it happens, so the
/// ready pass renders ahead into a queue what the next renders will take.
public final class ConcatNode: AudioNode {
  private let scratch: AudioBuffer
  private let queue: FrameQueue
  private var current = 0

  /// `inputs` in order (at least one, of one sample rate).
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for the queue.
  public init(_ inputs: [AudioNode]) throws {
    precondition(!inputs.isEmpty, "concat needs at least one input")
    let channels = inputs.map(\.channelCount).max() ?? 1
    scratch = inputs[0].makeBuffer(channels: channels)
    queue = try FrameQueue(channels: channels, context: inputs[0].context, origin: nil)
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
      context: inputs[0].context, inputs: inputs)
  }

  /// Renders the inputs in turn into the queue until it holds `frames` frames or the
  /// last has ended; an input that ends is settled before the next starts.
  override public func ready(frames: Int) async throws {
    let block = context.blockSize
    while queue.frames < frames, current < inputs.count {
      let input = inputs[current]
      let wanted = min(block, frames - queue.frames)
      try queue.reserve(wanted)
      try await input.ready(frames: wanted)
      let count = try input.render(into: scratch, frames: wanted)
      spread(input.channelCount, count: count)
      try queue.append(scratch, frames: count)
      if count < wanted {
        try await input.finish()
        current += 1
      }
    }
  }

  /// Makes the first `count` frames of `scratch`, rendered by an input of `channels`
  /// channels, as wide as the output: a mono input on every channel, another padded.
  private func spread(_ channels: Int, count: Int) {
    guard channels < channelCount else { return }
    for channel in channels..<channelCount {
      if channels == 1 {
        scratch.channel(channel).update(from: scratch.channel(0), count: count)
      } else {
        scratch.channel(channel).update(repeating: 0, count: count)
      }
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = min(frames, queue.frames)
    queue.read(into: buffer, frames: count)
    if count < frames, current < inputs.count { throw RenderError.notReady(self) }
    return count
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
  private var position = 0
  /// Whether the input ended before the part starts.
  private var endedEarly = false

  /// The part of `input` from frame `start` up to, not including, frame `end`.
  public init(_ input: AudioNode, start: Int, end: Int) {
    let first = max(0, start)
    var stop = max(first, end)
    if let total = input.frameCount { stop = min(stop, total) }
    self.input = input
    self.start = first
    self.end = stop
    super.init(
      sampleRate: input.sampleRate, channelCount: input.channelCount,
      frameCount: input.frameCount.map { max(0, min($0, stop) - min($0, first)) },
      context: input.context, inputs: [input])
  }

  /// Passes the frames before the part (in the first ready pass), then readies the
  /// input for what the part still holds.
  override public func ready(frames: Int) async throws {
    if position < start, !endedEarly {
      let wanted = start - position
      let skipped = try await input.skip(wanted)
      position += skipped
      if skipped < wanted { endedEarly = true }
    }
    let wanted = min(frames, end - position)
    if wanted > 0, !endedEarly { try await input.ready(frames: wanted) }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    guard !endedEarly else { return 0 }
    guard position >= start else { throw RenderError.notReady(self) }
    let wanted = min(frames, end - position)
    guard wanted > 0 else { return 0 }
    let count = try input.render(into: buffer, frames: wanted)
    position += count
    return count
  }
}

/// A signal `count` times in a row, each time from a fresh copy of its graph, so that
/// nothing is held in memory.
///
/// The copies are built, and rendered ahead into a queue, by the ready pass: the renders
/// only copy from the queue.
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
  private let queue: FrameQueue

  /// Plays the signal made by `factory` `count` times.
  ///
  /// - Throws: what building the signal throws, or ``MemoryLimitError`` when the run
  ///   has no room for the queue.
  public static func make(factory: @escaping NodeFactory, count: Int) async throws -> RepeatNode {
    try RepeatNode(factory: factory, first: try await factory(), count: count)
  }

  private init(factory: @escaping NodeFactory, first: AudioNode, count: Int) throws {
    self.factory = factory
    self.count = count
    current = count > 0 ? first : nil
    scratch = first.makeBuffer()
    queue = try FrameQueue(channels: first.channelCount, context: first.context, origin: nil)
    super.init(
      sampleRate: first.sampleRate, channelCount: first.channelCount,
      frameCount: first.frameCount.flatMap { length in
        let (total, overflow) = length.multipliedReportingOverflow(by: count)
        return overflow ? nil : total
      }, context: first.context)
  }

  /// Renders the copies in turn into the queue until it holds `frames` frames or the
  /// last has ended, building each copy when the one before ends.
  override public func ready(frames: Int) async throws {
    let block = context.blockSize
    while queue.frames < frames, let node = current {
      let wanted = min(block, frames - queue.frames)
      try queue.reserve(wanted)
      try await node.ready(frames: wanted)
      let got = try node.render(into: scratch, frames: wanted)
      try queue.append(scratch, frames: got)
      if got < wanted {
        try await node.finish()
        done += 1
        // Many repetitions of a short signal are many builds: each may be stopped.
        try context.cancellation.check()
        current = done < count ? try await factory() : nil
      }
    }
  }

  /// Settles the copy being played.
  override public func finish() async throws {
    try await current?.finish()
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = min(frames, queue.frames)
    queue.read(into: buffer, frames: count)
    if count < frames, current != nil { throw RenderError.notReady(self) }
    return count
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
      }, context: input.context, inputs: [input])
  }

  /// The input's extent, `before` frames later.
  override public var extent: SignalExtent { input.extent.shifted(by: before) }

  /// Passes the leading silence without pulling the input, the rest by rendering it.
  override public func skip(_ frames: Int) async throws -> Int {
    let silent = max(0, min(frames, before - position))
    position += silent
    return silent + (frames > silent ? try await super.skip(frames - silent) : 0)
  }

  /// Readies the input for the frames of the next `frames` that are not leading silence.
  override public func ready(frames: Int) async throws {
    let silent = max(0, min(frames, before - position))
    if frames > silent, !inputEnded { try await input.ready(frames: frames - silent) }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    var filled = 0
    if position < before {
      let silent = min(frames, before - position)
      buffer.clear(from: 0, to: silent)
      position += silent
      filled = silent
    }
    if filled < frames, !inputEnded {
      let wanted = frames - filled
      // Rendered at the block's start, then moved after the silence: the block where
      // the silence ends needs no second buffer.
      let got = try input.render(into: buffer, frames: wanted)
      if filled > 0 {
        for channel in 0..<channelCount {
          let samples = buffer.channel(channel)
          (samples + filled).update(from: samples, count: got)
        }
        buffer.clear(from: 0, to: filled)
      }
      filled += got
      if got < wanted { inputEnded = true }
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
      frameCount: base.frameCount, context: base.context, inputs: [base, top])
  }

  /// Readies the base, and the top for the part of the next `frames` frames it covers.
  override public func ready(frames: Int) async throws {
    try await base.ready(frames: frames)
    let (windowEnd, overflow) = position.addingReportingOverflow(frames)
    if !topEnded, overflow || windowEnd > at {
      try await top.ready(frames: frames - max(0, at - position))
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try base.render(into: buffer, frames: frames)
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
      let got = try top.render(into: topBuffer, frames: wanted)
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
