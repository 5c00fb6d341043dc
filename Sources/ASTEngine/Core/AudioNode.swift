/// A node of the audio graph: a signal pulled in blocks.
///
/// Each node renders its output on request into a buffer it is given, pulling its
/// inputs into buffers it allocated once. `render` fills exactly `frames` frames unless
/// the signal ends, in which case it returns how many it filled; after the end it
/// returns 0. Subclasses override ``render(into:frames:)``; dispatch happens once per
/// block, never per sample.
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

  /// Creates a node.
  public init(sampleRate: Int, channelCount: Int, frameCount: Int?, context: RenderContext) {
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    self.frameCount = frameCount
    self.context = context
  }

  /// Creates a node with the rate, channels, length and context of `input`: the common
  /// case of an effect that keeps its input's format.
  public init(sameFormatAs input: AudioNode) {
    self.sampleRate = input.sampleRate
    self.channelCount = input.channelCount
    self.frameCount = input.frameCount
    self.context = input.context
  }

  /// Renders up to `frames` frames (at most the context's block size) into `buffer`.
  open func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    fatalError("AudioNode.render must be overridden by \(type(of: self))")
  }

  /// The frames where the signal may be non-zero; outside them every sample is 0, so a
  /// consumer that adds signals (``MixNode``) need not pull them. By default the whole
  /// signal.
  open var extent: SignalExtent { SignalExtent(start: 0, end: frameCount) }

  /// Passes over the next `frames` frames without giving them, as if they were rendered
  /// and dropped; returns how many it passed (fewer when the signal ends). A node whose
  /// leading frames are known to be silent (``PadNode``) passes them without pulling its
  /// input; by default the frames are rendered into a scratch buffer.
  open func skip(_ frames: Int) async throws -> Int {
    guard frames > 0 else { return 0 }
    let scratch = try AudioBuffer(
      channelCount: channelCount, capacity: context.blockSize, reservingIn: context.memory,
      for: .blocks, origin: origin)
    var skipped = 0
    while skipped < frames {
      try context.cancellation.check()
      let wanted = min(context.blockSize, frames - skipped)
      let count = try await render(into: scratch, frames: wanted)
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
  async throws -> Int
{
  var got = 0
  if !ended {
    got = try await node.render(into: buffer, frames: frames)
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
