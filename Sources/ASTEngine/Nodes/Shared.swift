/// A signal that several parts of one graph read: rendered once, read by each reader.
///
/// A named signal used twice (`stereo mixed mixed`) would otherwise be built and
/// rendered twice. Its readers, made with ``makeReader()``, pull in near lockstep: the
/// first to ask for a block renders it from the source into a ring of recent frames,
/// and the others copy it from there. A reader that falls further behind than the ring
/// holds (the second `x` of `concat [x, x]`) detaches: it builds a private graph of the
/// signal with the factory and skips to its position, so every reader sees the same
/// samples whatever the order of pulls, and memory stays bounded (the signal is then
/// computed, and its `print` runs, once more). A signal that can be read only once
/// (standard input, a channel) has no factory, and a reader left behind is an error.
/// With a single reader, blocks go straight from the source to it.
public final class SharedSignal {
  /// The signal, held until this is released; see `deinit`.
  private var heldSource: AudioNode?
  private var source: AudioNode { heldSource! }
  private let name: String
  private let factory: NodeFactory?
  private let ringCapacity: Int
  private var ring: AudioBuffer?
  private var scratch: AudioBuffer?
  /// Readers made so far.
  private var readerCount = 0
  /// Frames pulled from the source so far.
  private var produced = 0
  /// The first frame still held in the ring.
  private var ringStart = 0
  private var ended = false

  /// Shares `source`; `factory` builds an equal signal afresh for a reader left behind.
  ///
  /// - Parameters:
  ///   - name: how errors name the signal (`'x'`).
  ///   - factory: `nil` for a signal that can be read only once (standard input, a
  ///     channel): a reader left behind is then an error.
  ///   - ringFrames: how far (in frames) readers may drift apart before the one behind
  ///     detaches; at least two blocks.
  public init(
    _ source: AudioNode, name: String = "the signal", factory: NodeFactory?,
    ringFrames: Int = 1 << 16
  ) {
    heldSource = source
    self.name = name
    self.factory = factory
    ringCapacity = max(ringFrames, 2 * source.context.blockSize)
  }

  deinit {
    // A chain of named signals (`b = a |> gain 1`, `c = b |> gain 1`, ...) holds each
    // signal through the next: released in turn, not inside one another, so a long chain
    // does not overflow the stack.
    ReleaseInTurn.release(&heldSource)
  }

  /// A new reader of the signal, starting at its first frame.
  public func makeReader() -> SharedSignalReader {
    readerCount += 1
    return SharedSignalReader(self)
  }

  /// Renders up to `frames` frames from `position` into `buffer` for a reader; `nil`
  /// when the frames at `position` are no longer held (the reader must detach).
  fileprivate func read(
    into buffer: AudioBuffer, frames: Int, at position: Int
  ) async throws -> Int? {
    if readerCount == 1, position == produced, ring == nil {
      // A single reader: no ring, no copy.
      let count = ended ? 0 : try await source.render(into: buffer, frames: frames)
      if count < frames { ended = true }
      produced += count
      ringStart = produced
      return count
    }
    guard position >= ringStart else { return nil }
    while produced < position + frames, !ended {
      try await pullBlock()
    }
    let count = max(0, min(frames, produced - position))
    copyFromRing(into: buffer, frames: count, at: position)
    return count
  }

  private func pullBlock() async throws {
    let blockSize = source.context.blockSize
    if scratch == nil || ring == nil {
      // Made for the second reader's first block, and counted then.
      let memory = source.context.memory
      let use = MemoryUse.named("the ring buffer of \(name), read at more than one place")
      scratch = try AudioBuffer(
        channelCount: source.channelCount, capacity: blockSize, reservingIn: memory, for: use)
      ring = try AudioBuffer(
        channelCount: source.channelCount, capacity: ringCapacity, reservingIn: memory, for: use)
    }
    guard let block = scratch, let ring else { return }
    let count = try await source.render(into: block, frames: blockSize)
    if count < blockSize { ended = true }
    copy(block, ring, frames: count, at: produced, intoRing: true)
    produced += count
    ringStart = max(ringStart, produced - ringCapacity)
  }

  private func copyFromRing(into buffer: AudioBuffer, frames: Int, at position: Int) {
    guard let ring else { return }
    copy(buffer, ring, frames: frames, at: position, intoRing: false)
  }

  /// Copies `frames` frames between the start of `buffer` and the ring's frames from
  /// absolute frame `position` on, which may wrap around the ring's end.
  private func copy(
    _ buffer: AudioBuffer, _ ring: AudioBuffer, frames: Int, at position: Int, intoRing: Bool
  ) {
    var copied = 0
    while copied < frames {
      let offset = (position + copied) % ringCapacity
      let run = min(frames - copied, ringCapacity - offset)
      for channel in 0..<ring.channelCount {
        let inRing = ring.channel(channel) + offset
        let inBuffer = buffer.channel(channel) + copied
        if intoRing {
          inRing.update(from: inBuffer, count: run)
        } else {
          inBuffer.update(from: inRing, count: run)
        }
      }
      copied += run
    }
  }

  /// A fresh, private graph of the signal, already advanced by `frames` frames.
  fileprivate func detachedSource(skipping frames: Int) async throws -> AudioNode {
    guard let factory else {
      throw RenderError.failed(
        "\(name) is used at two places more than \(ringCapacity) frames apart, but it reads "
          + "standard input or a channel, which can be read only once; use it at places "
          + "closer together")
    }
    let node = try await factory()
    guard frames > 0 else { return node }
    let discard = try AudioBuffer(
      channelCount: node.channelCount, capacity: node.context.blockSize,
      reservingIn: node.context.memory, for: .blocks)
    var skipped = 0
    while skipped < frames {
      try node.context.cancellation.check()
      let wanted = min(node.context.blockSize, frames - skipped)
      let count = try await node.render(into: discard, frames: wanted)
      skipped += count
      if count < wanted { break }
    }
    return node
  }

  fileprivate var format: AudioNode { source }
}

/// One reader of a ``SharedSignal``: a node that yields the shared signal from its start.
public final class SharedSignalReader: AudioNode {
  private let shared: SharedSignal
  private var position = 0
  private var detached: AudioNode?

  fileprivate init(_ shared: SharedSignal) {
    self.shared = shared
    super.init(sameFormatAs: shared.format)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    if detached == nil,
      let count = try await shared.read(into: buffer, frames: frames, at: position)
    {
      position += count
      return count
    }
    if detached == nil {
      detached = try await shared.detachedSource(skipping: position)
    }
    guard let node = detached else { return 0 }
    let count = try await node.render(into: buffer, frames: frames)
    position += count
    return count
  }
}
