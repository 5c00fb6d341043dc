/// A node of the audio graph: a signal pulled in blocks.
///
/// Rendering has two passes per block. ``ready(frames:)`` comes first, outside the
/// render: it may suspend, allocate and make system calls, and it does whatever waits
/// (reading a file or standard input, building a fresh copy of a graph, handing blocks
/// to a file writer) so that the renders after it can be served from memory.
/// ``render(into:frames:)`` then fills a block synchronously: it does not suspend, take
/// a lock, allocate, free or make a system call. `render` fills exactly `frames` frames
/// unless the signal ends, in which case it returns how many it filled; after the end
/// it returns 0. Subclasses override `render`, and `ready` when they do more than pass
/// the same demand to their ``inputs``; dispatch happens once per block, never per
/// sample.
open class AudioNode {
  /// Frames per second.
  public let sampleRate: Int
  /// Channels.
  public let channelCount: Int
  /// The total number of frames, when known before rendering.
  public let frameCount: Int?
  /// The render's shared settings.
  public let context: RenderContext
  /// An opaque tag naming where in a script the node comes from, for reports.
  public var origin: Int?
  /// The nodes this one pulls, readied by the default ``ready(frames:)`` and settled by
  /// the default ``finish()``.
  public let inputs: [AudioNode]

  /// Creates a node that pulls `inputs`.
  public init(
    sampleRate: Int, channelCount: Int, frameCount: Int?, context: RenderContext,
    inputs: [AudioNode] = []
  ) {
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    self.frameCount = frameCount
    self.context = context
    self.inputs = inputs
  }

  /// Creates a node with the rate, channels, length and context of `input`, which it
  /// pulls (with `more` inputs, such as modulating signals): the common case of an
  /// effect that keeps its input's format.
  public init(sameFormatAs input: AudioNode, more: [AudioNode] = []) {
    self.sampleRate = input.sampleRate
    self.channelCount = input.channelCount
    self.frameCount = input.frameCount
    self.context = input.context
    self.inputs = [input] + more
  }

  /// Makes ready the renders that follow, up to `frames` frames in all, so that they
  /// need not wait: the pass before each block, which may suspend. By default each of
  /// ``inputs`` is readied for as many frames: right for a node that pulls as many
  /// frames as it gives. A node that pulls more or fewer, or at other times, says so.
  open func ready(frames: Int) async throws {
    for input in inputs { try await input.ready(frames: frames) }
  }

  /// Makes, ahead of its first block, what the node would otherwise make in the ready
  /// pass of that block (an envelope's gains): called on a voice built off the render
  /// thread just before it starts (``VoicesNode``), so the render thread need not
  /// allocate it. By default each of ``inputs`` is prepared.
  open func prepare() async throws {
    for input in inputs { try await input.prepare() }
  }

  /// Settles what this node holds once its consumer will render it no more (it ended, or
  /// the consumer stopped): blocks a tap still holds go to the file or picture they are
  /// for. By default each of ``inputs`` is settled.
  open func finish() async throws {
    reportReplacedSamples()
    for input in inputs { try await input.finish() }
  }

  /// NaN and infinite samples this node replaced by 0 since it was last settled: the
  /// render counts them here, taking no lock, and ``finish()`` adds them to the
  /// context's ``TroubleReport``.
  public final var replacedSamples = 0

  /// Adds the samples counted in ``replacedSamples`` to the context's report. A node
  /// that counts them and overrides ``finish()`` calls this in it.
  public final func reportReplacedSamples() {
    guard replacedSamples > 0 else { return }
    context.trouble.add(.nonFinite, count: replacedSamples, origin: origin)
    replacedSamples = 0
  }

  /// Renders up to `frames` frames (at most the context's block size) into `buffer`,
  /// without suspending or allocating; ``ready(frames:)`` has made the frames ready.
  open func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    fatalError("AudioNode.render must be overridden by \(type(of: self))")
  }

  /// The frames where the signal may be non-zero; outside them every sample is 0, so a
  /// consumer that adds signals (``MixNode``) need not pull them. By default the whole
  /// signal.
  open var extent: SignalExtent { SignalExtent(start: 0, end: frameCount) }

  /// Passes over the next `frames` frames without giving them, as if they were readied,
  /// rendered and dropped; returns how many it passed (fewer when the signal ends). Part
  /// of the ready pass: a consumer that starts pulling a node late (``MixNode``,
  /// ``SliceNode``) calls it from its own ``ready(frames:)``. A node whose leading frames
  /// are known to be silent (``PadNode``) passes them without pulling its input; by
  /// default the frames are rendered into a scratch buffer.
  open func skip(_ frames: Int) async throws -> Int {
    guard frames > 0 else { return 0 }
    let scratch = try AudioBuffer(
      channelCount: channelCount, capacity: context.blockSize, reservingIn: context.memory,
      for: .blocks, origin: origin)
    var skipped = 0
    while skipped < frames {
      try context.cancellation.check()
      let wanted = min(context.blockSize, frames - skipped)
      try await ready(frames: wanted)
      let count = try render(into: scratch, frames: wanted)
      skipped += count
      if count < wanted { break }
    }
    return skipped
  }

  /// A buffer for pulling this node's input blocks, counted in the run's memory
  /// (``RenderContext/memory``) when it is made, as a node's blocks are: not refused at
  /// once, but by the builder's ``MemoryBudget/requireWithinLimit(origin:)``.
  public func makeBuffer(channels: Int? = nil) -> AudioBuffer {
    AudioBuffer(
      channelCount: channels ?? channelCount, capacity: context.blockSize,
      chargingTo: context.memory)
  }
}

/// Pulls up to `frames` frames of `node` into `buffer` unless it has already `ended`
/// (set when it gives fewer than asked), and fills the rest of the `frames` with
/// silence; returns how many frames the node gave. For nodes that combine inputs of
/// different lengths, the shorter padded with silence.
func pullPadded(_ node: AudioNode, into buffer: AudioBuffer, frames: Int, ended: inout Bool)
  throws -> Int
{
  var got = 0
  if !ended {
    got = try node.render(into: buffer, frames: frames)
    if got < frames { ended = true }
  }
  buffer.clear(from: got, to: frames)
  return got
}

/// Where a signal may be non-zero: from frame ``start`` up to, not including, ``end``
/// (`nil`: up to the signal's end, known or not). Every sample outside it is 0.
public struct SignalExtent: Sendable, Hashable {
  /// The first frame that may be non-zero.
  public var start: Int
  /// The frame after the last that may be non-zero; `nil` for the signal's end.
  public var end: Int?

  /// The frames `start..<end`.
  public init(start: Int, end: Int?) {
    self.start = start
    self.end = end
  }

  /// No frame: a signal that is silent throughout.
  public static let empty = SignalExtent(start: 0, end: 0)

  /// Whether no frame may be non-zero.
  public var isEmpty: Bool { end.map { $0 <= start } ?? false }

  /// The extent `frames` later (an end beyond what can be counted becomes `nil`).
  public func shifted(by frames: Int) -> SignalExtent {
    guard !isEmpty else { return self }
    let (first, overflow) = start.addingReportingOverflow(frames)
    guard !overflow else { return SignalExtent(start: Int.max, end: nil) }
    return SignalExtent(
      start: first,
      end: end.flatMap { last in
        let (shifted, overflow) = last.addingReportingOverflow(frames)
        return overflow ? nil : shifted
      })
  }

  /// The smallest extent that holds both.
  public func union(_ other: SignalExtent) -> SignalExtent {
    if isEmpty { return other }
    if other.isEmpty { return self }
    return SignalExtent(
      start: min(start, other.start),
      end: end.flatMap { a in other.end.map { b in max(a, b) } })
  }
}
