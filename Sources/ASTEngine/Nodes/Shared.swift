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
  /// The readers made so far.
  private var readers: [WeakReader] = []
  /// Frames pulled from the source so far.
  private var produced = 0
  /// The first frame still held in the ring.
  private var ringStart = 0
  private var ended = false
  /// No attached reader was behind this frame when the readers were last looked at.
  private var slowestKnown = Int.min
  /// How many frames had been pulled when the source was last settled.
  private var settledAt = -1

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
    let reader = SharedSignalReader(self)
    readers.append(WeakReader(reader: reader))
    return reader
  }

  /// Whether blocks go straight from the source to the one reader.
  private func isDirect(_ position: Int) -> Bool {
    readers.count == 1 && position == produced && ring == nil
  }

  /// Makes ready the next `frames` frames for `caller`: with one reader, by readying
  /// the source; with more, by pulling the source into the ring until it holds them,
  /// first detaching any reader whose frames the pull would overwrite (the caller too,
  /// when its frames are gone already).
  fileprivate func ready(frames: Int, for caller: SharedSignalReader) async throws {
    let position = caller.position
    if isDirect(position) {
      if !ended { try await source.ready(frames: frames) }
      return
    }
    if position < ringStart {
      try await caller.detach()
      return
    }
    let blockSize = source.context.blockSize
    while produced < position + frames, !ended {
      if ring == nil {
        // Made for the second reader's first block, and counted then.
        let memory = source.context.memory
        let use = MemoryUse.named("the ring buffer of \(name), read at more than one place")
        scratch = try AudioBuffer(
          channelCount: source.channelCount, capacity: blockSize, reservingIn: memory, for: use)
        ring = try AudioBuffer(
          channelCount: source.channelCount, capacity: ringCapacity, reservingIn: memory,
          for: use)
      }
      let kept = produced + blockSize - ringCapacity
      if kept > slowestKnown {
        // Readers only move on, so the slowest position seen is a bound until the ring
        // passes it: the readers are looked at again only then.
        var slowest = Int.max
        for entry in readers {
          guard let reader = entry.reader, reader.isAttached else { continue }
          if reader.position < kept {
            try await reader.detach()
          } else {
            slowest = min(slowest, reader.position)
          }
        }
        slowestKnown = slowest
      }
      if !caller.isAttached { return }
      guard let block = scratch, let ring else { return }
      try await source.ready(frames: blockSize)
      let count = try source.render(into: block, frames: blockSize)
      if count < blockSize { ended = true }
      copy(block, ring, frames: count, at: produced, intoRing: true)
      produced += count
      ringStart = max(ringStart, produced - ringCapacity)
    }
  }

  /// Renders up to `frames` frames from `position` into `buffer` for a reader, from the
  /// frames its ready pass made ready.
  fileprivate func read(into buffer: AudioBuffer, frames: Int, at position: Int) throws -> Int {
    if isDirect(position) {
      // A single reader: no ring, no copy.
      let count = ended ? 0 : try source.render(into: buffer, frames: frames)
      if count < frames { ended = true }
      produced += count
      ringStart = produced
      return count
    }
    let count = max(0, min(frames, produced - position))
    guard position >= ringStart, count == frames || ended else {
      throw RenderError.notReady(self)
    }
    copy(buffer, ring, frames: count, at: position, intoRing: false)
    return count
  }

  /// Copies `frames` frames between the start of `buffer` and the ring's frames from
  /// absolute frame `position` on, which may wrap around the ring's end.
  private func copy(
    _ buffer: AudioBuffer, _ ring: AudioBuffer?, frames: Int, at position: Int, intoRing: Bool
  ) {
    guard let ring else { return }
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

  /// Settles the source (a tap in it hands on what it holds), once for all the readers
  /// that ask until more is pulled: settling it again would find nothing new, and
  /// settling it once per reader multiplies along a chain of signals each read twice.
  fileprivate func finish() async throws {
    guard settledAt != produced else { return }
    settledAt = produced
    try await source.finish()
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
    _ = try await node.skip(frames)
    return node
  }

  fileprivate var format: AudioNode { source }
}

/// A reader of a ``SharedSignal``, held without keeping it alive.
private struct WeakReader {
  weak var reader: SharedSignalReader?
}

/// One reader of a ``SharedSignal``: a node that yields the shared signal from its start.
public final class SharedSignalReader: AudioNode {
  private let shared: SharedSignal
  /// Frames given so far.
  fileprivate private(set) var position = 0
  private var detached: AudioNode?

  fileprivate init(_ shared: SharedSignal) {
    self.shared = shared
    let source = shared.format
    // The source is pulled through the shared signal, not as an input of each reader.
    super.init(
      sampleRate: source.sampleRate, channelCount: source.channelCount,
      frameCount: source.frameCount, context: source.context)
  }

  /// Whether the reader still reads the shared signal, not a private copy.
  fileprivate var isAttached: Bool { detached == nil }

  /// Goes on from a private copy of the signal, advanced to where the reader is.
  fileprivate func detach() async throws {
    guard detached == nil else { return }
    detached = try await shared.detachedSource(skipping: position)
  }

  override public func ready(frames: Int) async throws {
    if detached == nil { try await shared.ready(frames: frames, for: self) }
    // Detached by that ready pass, or before.
    if let detached { try await detached.ready(frames: frames) }
  }

  override public func finish() async throws {
    if let detached {
      try await detached.finish()
    } else {
      try await shared.finish()
    }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count =
      if let detached {
        try detached.render(into: buffer, frames: frames)
      } else {
        try shared.read(into: buffer, frames: frames, at: position)
      }
    position += count
    return count
  }
}
