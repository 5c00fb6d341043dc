import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A queue of object references of fixed capacity between one thread that puts and one
/// that takes, which neither locks nor allocates: how a live patch hands a change to the
/// render thread, and how the render thread hands back what it no longer plays, to be
/// freed elsewhere.
public final class HandOff: @unchecked Sendable {
  // Unchecked: a cell is written by the one producer before `tail` publishes it, and read
  // by the one consumer after; `head` and `tail` are atomics.
  private let cells: UnsafeMutablePointer<UnsafeMutableRawPointer?>
  /// The most references it holds at once.
  public let capacity: Int
  private let head = Atomic<Int>(0)
  private let tail = Atomic<Int>(0)

  /// An empty queue of `capacity` references.
  public init(capacity: Int) {
    self.capacity = max(capacity, 1)
    cells = .allocate(capacity: self.capacity)
    cells.initialize(repeating: nil, count: self.capacity)
  }

  deinit {
    while let object = take() { object.release() }
    cells.deallocate()
  }

  /// Puts a reference the queue then owns (one retain, taken over); false when full, and
  /// the caller still owns it.
  public func put(_ object: Unmanaged<AnyObject>) -> Bool {
    let end = tail.load(ordering: .relaxed)
    guard end - head.load(ordering: .acquiring) < capacity else { return false }
    cells[end % capacity] = object.toOpaque()
    tail.store(end + 1, ordering: .releasing)
    return true
  }

  /// Puts `object`, retained for the queue; false when full.
  public func put(_ object: AnyObject) -> Bool {
    let retained = Unmanaged<AnyObject>.passRetained(object)
    guard put(retained) else {
      // The caller still holds the object, so this release never frees it.
      retained.release()
      return false
    }
    return true
  }

  /// Takes the oldest reference, which the caller then owns, if there is one.
  public func take() -> Unmanaged<AnyObject>? {
    let start = head.load(ordering: .relaxed)
    guard start < tail.load(ordering: .acquiring), let cell = cells[start % capacity] else {
      return nil
    }
    cells[start % capacity] = nil
    head.store(start + 1, ordering: .releasing)
    return Unmanaged<AnyObject>.fromOpaque(cell)
  }
}

/// Where a change of a live patch lands on the tempo's clock.
public enum LiveQuantum: String, Sendable, CaseIterable {
  /// At once: the next block.
  case none
  /// On the next beat.
  case beat
  /// On the next bar.
  case bar
}

/// The tempo's clock of a live patch: beats from an origin frame at a tempo, each beat
/// on frame `origin + round(k * 60 * rate / bpm)`, bars of `meter` beats, counted on
/// from the bars before the origin (a change of tempo moves the origin).
public struct LiveClock: Sendable, Equatable {
  /// Frames per second.
  public var sampleRate: Int
  /// Beats per minute.
  public var tempo: Double
  /// Beats per bar.
  public var meter: Int
  /// The frame of beat 0.
  public var origin = 0
  /// Bars before the origin.
  public var barsBefore = 0

  /// A clock from frame 0.
  public init(sampleRate: Int, tempo: Double, meter: Int) {
    self.sampleRate = sampleRate
    self.tempo = tempo
    self.meter = max(meter, 1)
  }

  /// The frame of beat `k` from the origin.
  public func frame(ofBeat k: Int) -> Int {
    origin + Int((Double(k) * 60 * Double(sampleRate) / tempo).rounded())
  }

  /// The last beat at or before `frame` (0 before the origin).
  public func beat(at frame: Int) -> Int {
    guard frame > origin else { return 0 }
    var k = Int((Double(frame - origin) * tempo / (60 * Double(sampleRate))).rounded(.down))
    while k > 0, self.frame(ofBeat: k) > frame { k -= 1 }
    while self.frame(ofBeat: k + 1) <= frame { k += 1 }
    return k
  }

  /// The first frame at or after `frame` that starts a beat or a bar (`frame` itself
  /// for ``LiveQuantum/none``).
  public func next(_ quantum: LiveQuantum, atOrAfter frame: Int) -> Int {
    let step: Int
    switch quantum {
    case .none: return frame
    case .beat: step = 1
    case .bar: step = meter
    }
    var k = beat(at: frame) / step * step
    while self.frame(ofBeat: k) < frame { k += step }
    return self.frame(ofBeat: k)
  }

  /// The bar `frame` falls in, counted from 1.
  public func bar(at frame: Int) -> Int {
    barsBefore + beat(at: frame) / meter + 1
  }

  /// The clock at a new tempo and meter from `frame` on: a bar starts there.
  public mutating func rebase(at frame: Int, tempo: Double, meter: Int) {
    let current = bar(at: frame)
    let onBar = beat(at: frame) % self.meter == 0 && self.frame(ofBeat: beat(at: frame)) == frame
    barsBefore = onBar ? current - 1 : current
    origin = frame
    self.tempo = tempo
    self.meter = max(meter, 1)
  }
}

/// The signal of one binding of a live patch, read by every node of every version that
/// uses the name: what the binding's node renders, once, into a ring that its readers
/// (``LiveSlotReader``) copy from. When a version changes the binding, the slot crossfades
/// from the node before to the new one with an equal-power curve; a node faded out, or
/// ended, is handed back to be freed off the render thread. A slot never ends: after its
/// node ends it gives silence, so what reads it keeps running for the next version.
///
/// Frames are counted on the live patch's clock from its start: a slot begins at the
/// frame of the version that made it, and its readers ask for frames by that count.
public final class LiveSlot: AudioNode, @unchecked Sendable {
  // Unchecked: made on one thread, then used only by the render thread.
  /// The binding's name.
  public let name: String
  private let ring: AudioBuffer
  private let ringFrames: Int
  private let mixed: AudioBuffer
  private let scratch: AudioBuffer
  private let retired: HandOff
  private var current: AudioNode?
  private var currentEnded = false
  private var fadeInDone = 0
  private var fadeInFrames = 0

  /// A node fading out: from `weight` to 0 over `frames`.
  private struct Fading {
    var node: AudioNode?
    var ended = false
    var done = 0
    var frames = 0
    var weight: Float = 1
  }

  private var fading = [Fading](repeating: Fading(), count: 4)
  private(set) var rendered = 0
  private var readied = 0
  /// Whether the slot has begun (``begin(at:)``).
  public private(set) var hasBegun = false

  /// A slot of `channelCount` channels at `sampleRate`, handing what it drops to `retired`.
  public init(
    name: String, sampleRate: Int, channelCount: Int, context: RenderContext, retired: HandOff
  ) {
    self.name = name
    self.retired = retired
    ringFrames = 4 * max(context.blockSize, 1)
    ring = AudioBuffer(
      channelCount: channelCount, capacity: ringFrames, chargingTo: context.memory)
    mixed = AudioBuffer(
      channelCount: channelCount, capacity: context.blockSize, chargingTo: context.memory)
    scratch = AudioBuffer(
      channelCount: channelCount, capacity: context.blockSize, chargingTo: context.memory)
    super.init(
      sampleRate: sampleRate, channelCount: channelCount, frameCount: nil, context: context)
  }

  /// Starts the slot at `frame` of the live clock.
  public func begin(at frame: Int) {
    rendered = frame
    readied = frame
    hasBegun = true
  }

  /// Plays `node` from the next frame: faded in over `fadeFrames` while the node before
  /// fades out (at once when there was none, or `fadeFrames` is 0). On the render thread.
  public func install(_ node: AudioNode, fadeFrames: Int) {
    let hadNode = current != nil
    if let old = current {
      let weight = fadeInFrames > 0 ? Self.weights(fadeInDone, of: fadeInFrames).in : 1
      if fadeFrames > 0, !currentEnded, let cell = freeCell() {
        fading[cell] = Fading(node: old, ended: false, done: 0, frames: fadeFrames, weight: weight)
      } else if !hand(old) {
        // The queue back is full: keep the node, silent, until it has room.
        if let cell = freeCell() {
          fading[cell] = Fading(node: old, ended: true, done: 0, frames: 0, weight: 0)
        }
      }
    }
    current = node
    currentEnded = false
    fadeInDone = 0
    // A node that follows another fades in, even after one that ended: it may start
    // away from zero.
    fadeInFrames = hadNode ? fadeFrames : 0
  }

  private func freeCell() -> Int? {
    if let free = fading.firstIndex(where: { $0.node == nil }) { return free }
    // All four fade: the one nearest its end goes now.
    var quietest = 0
    for index in fading.indices
    where Float(fading[index].frames - fading[index].done) * fading[index].weight
      < Float(fading[quietest].frames - fading[quietest].done) * fading[quietest].weight
    {
      quietest = index
    }
    if let node = fading[quietest].node, hand(node) {
      fading[quietest] = Fading()
      return quietest
    }
    return nil
  }

  /// Hands `node` back to be freed; false when the queue is full.
  private func hand(_ node: AudioNode) -> Bool { retired.put(node) }

  /// The equal-power weights of frame `done` of a crossfade of `frames` frames: the
  /// node fading out by the cosine, the one fading in by the sine, so the powers of two
  /// uncorrelated signals add to a constant.
  static func weights(_ done: Int, of frames: Int) -> (out: Float, in: Float) {
    let x = (Double(done) + 0.5) / Double(max(frames, 1)) * Double.pi / 2
    return (Float(cos(x)), Float(sin(x)))
  }

  /// Makes ready the frames up to `frame` (exclusive) of the nodes that play.
  public func ready(until frame: Int) async throws {
    guard hasBegun, frame > readied else { return }
    let need = frame - rendered
    if need > 0 {
      if let current, !currentEnded { try await current.ready(frames: need) }
      for index in fading.indices {
        if let node = fading[index].node, !fading[index].ended {
          try await node.ready(frames: need)
        }
      }
    }
    readied = frame
  }

  /// Renders into the ring up to `frame` (exclusive).
  func render(until frame: Int) throws {
    while rendered < frame {
      let count = min(frame - rendered, context.blockSize)
      var got = 0
      if let current, !currentEnded {
        got = try current.render(into: mixed, frames: count)
        if got < count { currentEnded = true }
      }
      mixed.clear(from: got, to: count)
      if fadeInFrames > 0 {
        for offset in 0..<count {
          let weight = Self.weights(fadeInDone + offset, of: fadeInFrames).in
          for channel in 0..<channelCount { mixed.channel(channel)[offset] *= weight }
        }
        fadeInDone += count
        if fadeInDone >= fadeInFrames { fadeInFrames = 0 }
      }
      for index in fading.indices where fading[index].node != nil {
        try fadeOut(index, count: count)
      }
      let start = rendered % ringFrames
      let first = min(count, ringFrames - start)
      for channel in 0..<channelCount {
        let from = mixed.channel(channel)
        let to = ring.channel(channel)
        (to + start).update(from: from, count: first)
        if first < count { to.update(from: from + first, count: count - first) }
      }
      rendered += count
    }
  }

  /// Adds the next `count` frames of fading node `index`, weighted, to `mixed`, and
  /// hands it back when its fade is over.
  private func fadeOut(_ index: Int, count: Int) throws {
    var cell = fading[index]
    guard let node = cell.node else { return }
    if !cell.ended, cell.done < cell.frames {
      let got = try node.render(into: scratch, frames: count)
      if got < count { cell.ended = true }
      for offset in 0..<min(got, cell.frames - cell.done) {
        let weight = cell.weight * Self.weights(cell.done + offset, of: cell.frames).out
        for channel in 0..<channelCount {
          mixed.channel(channel)[offset] += weight * scratch.channel(channel)[offset]
        }
      }
      cell.done += count
    }
    if cell.ended || cell.done >= cell.frames {
      if hand(node) {
        cell = Fading()
      } else {
        cell.ended = true
      }
    }
    fading[index] = cell
  }

  /// Copies frames `start ..< start + frames` into `buffer` from `offset`, rendering
  /// them first when no reader has yet; frames no longer in the ring are silence.
  func read(from start: Int, frames: Int, into buffer: AudioBuffer, offset: Int) throws {
    guard hasBegun else {
      buffer.clear(from: offset, to: offset + frames)
      return
    }
    try render(until: start + frames)
    // Frames older than the ring holds (a reader far behind) are silence.
    let kept = min(frames, max(0, start + frames - max(rendered - ringFrames, 0)))
    let lost = frames - kept
    buffer.clear(from: offset, to: offset + lost)
    guard kept > 0 else { return }
    let from = (start + lost) % ringFrames
    let first = min(kept, ringFrames - from)
    for channel in 0..<channelCount {
      let source = ring.channel(channel)
      let target = buffer.channel(channel) + offset + lost
      target.update(from: source + from, count: first)
      if first < kept { (target + first).update(from: source, count: kept - first) }
    }
  }

  /// The slot is readied through its readers, never as an input.
  override public func ready(frames: Int) async throws {}

  /// Readers copy from the slot; it is not rendered as an input.
  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    buffer.clear(from: 0, to: frames)
    return frames
  }

  /// Settles the nodes it plays.
  override public func finish() async throws {
    if let current { try await current.finish() }
    for cell in fading { try await cell.node?.finish() }
  }

  /// The nodes the slot holds now (for the control side at the end of a run).
  public var nodes: [AudioNode] { ([current] + fading.map(\.node)).compactMap { $0 } }
}

/// A reader of a ``LiveSlot``: the signal of a binding as a node of a version that uses
/// it. It starts where the live clock is when its version is applied (``attach(at:)``),
/// never ends, and readies and settles nothing of the slot but the frames it reads.
public final class LiveSlotReader: AudioNode, @unchecked Sendable {
  // Unchecked: made on one thread, then used only by the render thread.
  /// The slot read.
  public let slot: LiveSlot
  private var position = 0
  private var attached = false

  /// A reader of `slot`, silent until attached.
  public init(_ slot: LiveSlot) {
    self.slot = slot
    super.init(
      sampleRate: slot.sampleRate, channelCount: slot.channelCount, frameCount: nil,
      context: slot.context)
  }

  /// Starts reading at `frame` of the live clock. On the render thread.
  public func attach(at frame: Int) {
    position = frame
    attached = true
  }

  /// Makes the slot's frames ready up to where this reader will have read.
  override public func ready(frames: Int) async throws {
    guard attached else { return }
    try await slot.ready(until: position + frames)
  }

  /// Prepares nothing: the slot's node is prepared by its own version.
  override public func prepare() async throws {}

  /// Settles nothing of the slot, which other versions' nodes read on.
  override public func finish() async throws { reportReplacedSamples() }

  /// Passes over frames of the slot, rendering them for its other readers.
  override public func skip(_ frames: Int) async throws -> Int {
    guard attached else { return frames }
    try await slot.ready(until: position + frames)
    try slot.render(until: position + frames)
    position += frames
    return frames
  }

  /// Copies the next frames of the slot (silence before it is attached).
  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    guard attached else {
      buffer.clear(from: 0, to: frames)
      return frames
    }
    try slot.read(from: position, frames: frames, into: buffer, offset: 0)
    position += frames
    return frames
  }
}

/// A signal brought to another number of channels: a mono signal copied to every
/// channel, several averaged into one, and otherwise each output channel taking the
/// input channel of its number (the last one past the input's). How a live patch plays
/// a version whose `out` has other channels than the output.
public final class ChannelMatchNode: AudioNode {
  private let input: AudioNode
  private let block: AudioBuffer

  /// `input` as `channels` channels.
  public init(_ input: AudioNode, channels: Int) {
    self.input = input
    block = input.makeBuffer()
    super.init(
      sampleRate: input.sampleRate, channelCount: channels, frameCount: input.frameCount,
      context: input.context, inputs: [input])
  }

  /// Renders the input and brings it to the output's channels.
  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try input.render(into: block, frames: frames)
    let from = input.channelCount
    for channel in 0..<channelCount {
      let target = buffer.channel(channel)
      if channelCount == 1, from > 1 {
        let scale = 1 / Float(from)
        for frame in 0..<count {
          var sum: Float = 0
          for source in 0..<from { sum += block.channel(source)[frame] }
          target[frame] = sum * scale
        }
      } else {
        target.update(from: block.channel(min(channel, from - 1)), count: count)
      }
    }
    return count
  }
}

/// One version of a live patch, made off the render thread and applied on it at one
/// frame: the slots it starts, the readers it attaches, the nodes it installs (each
/// crossfaded in), the constants that glide, and the tempo it brings.
public final class LiveChange: @unchecked Sendable {
  // Unchecked: filled before it is handed to the render thread, which alone reads the
  // arrays; the results are atomics.
  /// The version's number.
  public let version: Int
  /// The frame it is applied at, when known (a rehearsal); else as soon as it arrives.
  public let frame: Int?
  /// Where on the clock it lands, at or after that frame.
  public let quantum: LiveQuantum
  let begins: [LiveSlot]
  let readers: [LiveSlotReader]
  let installs: [(slot: LiveSlot, node: AudioNode)]
  let glides: [(parameter: ParameterSignal, target: Double, logarithmic: Bool)]
  let fadeFrames: Int
  let glideFrames: Int
  /// The tempo it brings, in beats per minute.
  public let tempo: Double
  /// The beats per bar it brings.
  public let meter: Int
  /// The length of the version's `out` played alone, when known: the patch ends that
  /// many frames after the version lands, unless a later one ends later.
  public let length: Int?
  /// The frame its slots and readers were started at (the render thread's).
  var stagedFrame: Int?
  private let appliedFrame = Atomic<Int>(-1)
  private let appliedBar = Atomic<Int>(0)
  private let appliedNanoseconds = Atomic<UInt64>(0)

  /// A change; `begins` are the new slots, `readers` the readers of slots its new nodes
  /// hold, `installs` the nodes to play in slots, and `glides` the constants to move.
  public init(
    version: Int, frame: Int?, quantum: LiveQuantum, begins: [LiveSlot],
    readers: [LiveSlotReader], installs: [(slot: LiveSlot, node: AudioNode)],
    glides: [(parameter: ParameterSignal, target: Double, logarithmic: Bool)],
    fadeFrames: Int, glideFrames: Int, tempo: Double, meter: Int, length: Int?
  ) {
    self.version = version
    self.frame = frame
    self.quantum = quantum
    self.begins = begins
    self.readers = readers
    self.installs = installs
    self.glides = glides
    self.fadeFrames = fadeFrames
    self.glideFrames = glideFrames
    self.tempo = tempo
    self.meter = meter
    self.length = length
  }

  /// The frame it landed on, once applied.
  public var landedFrame: Int? {
    let frame = appliedFrame.load(ordering: .acquiring)
    return frame >= 0 ? frame : nil
  }

  /// The bar it landed in, once applied.
  public var landedBar: Int { appliedBar.load(ordering: .relaxed) }

  /// When it landed (the monotonic clock, in nanoseconds), once applied.
  public var landedNanoseconds: UInt64 { appliedNanoseconds.load(ordering: .relaxed) }

  func landed(at frame: Int, bar: Int) {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    appliedNanoseconds.store(
      UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec), ordering: .relaxed)
    appliedBar.store(bar, ordering: .relaxed)
    appliedFrame.store(frame, ordering: .releasing)
  }

  /// The new nodes, to make ready before they play.
  var nodes: [AudioNode] { installs.map(\.node) }
}

/// The output of a live patch: the slot of `out`, with the changes handed to it applied
/// at their frames, sample-exactly (a block is rendered in two parts around a change).
///
/// A change arrives through ``publish(_:)`` (one atomic exchange: the render thread takes
/// it in its next ready pass, without locking or allocating), lands on its frame or the
/// next beat or bar of the clock, and comes back with everything the render no longer
/// plays through ``retired``, for the control side to settle and free
/// (``collectRetired()``). It ends when the versions applied have played their length,
/// unless it is ``endless``.
public final class LiveOutput: AudioNode, @unchecked Sendable {
  // Unchecked: the render state is the render thread's; the control side uses the
  // hand-offs and atomics.
  /// The slot of `out`.
  public let out: LiveSlot
  /// What the render hands back to be freed.
  public let retired: HandOff
  private let mailbox = HandOff(capacity: 64)
  private var pending: [LiveChange?] = Array(repeating: nil, count: 64)
  private var pendingStart = 0
  private var pendingCount = 0
  private var clock: LiveClock
  private var position = 0
  private var end: Int?
  private var started = false
  /// Whether it plays on with silence after the versions' length (`ast watch`).
  public let endless: Bool

  /// The output of a patch that plays `first` from frame 0.
  public init(
    out: LiveSlot, first: LiveChange, clock: LiveClock, endless: Bool, retired: HandOff
  ) {
    self.out = out
    self.retired = retired
    self.clock = clock
    self.endless = endless
    super.init(
      sampleRate: out.sampleRate, channelCount: out.channelCount, frameCount: nil,
      context: out.context)
    pending.reserveCapacity(64)
    apply(first, at: 0)
  }

  /// Ends the output at `frames` frames, whatever the versions' length: before the
  /// render starts.
  public func limit(frames: Int) {
    limitFrames = max(0, frames)
  }

  private var limitFrames: Int?

  /// Hands `change` to the render; false when too many wait already.
  public func publish(_ change: LiveChange) -> Bool {
    mailbox.put(change)
  }

  /// Settles and frees what the render handed back: nodes faded out and changes applied.
  public func collectRetired() async {
    while let object = retired.take() {
      let value = object.takeRetainedValue()
      if let node = value as? AudioNode { try? await node.finish() }
    }
  }

  /// Takes the changes handed over, and makes ready the frames of this block: those of
  /// the slot of `out`, and those of the new nodes of a change that lands in it.
  override public func ready(frames: Int) async throws {
    while pendingCount < pending.count, let taken = mailbox.take() {
      let change = taken.takeRetainedValue() as? LiveChange
      pending[(pendingStart + pendingCount) % pending.count] = change
      if change != nil { pendingCount += 1 }
    }
    try await out.ready(until: position + frames)
    for index in 0..<pendingCount {
      guard let change = pending[(pendingStart + index) % pending.count] else { continue }
      let target = landing(of: change)
      guard target < position + frames else { break }
      if change.stagedFrame == nil { stage(change, at: target) }
      for node in change.nodes {
        try await node.ready(frames: position + frames - target)
      }
    }
  }

  /// Starts the new slots and readers of `change` at `frame`, the frame it lands on, so
  /// that its nodes can be made ready (and read ahead, as `concat` does) before it lands.
  private func stage(_ change: LiveChange, at frame: Int) {
    for slot in change.begins { slot.begin(at: frame) }
    for reader in change.readers { reader.attach(at: frame) }
    change.stagedFrame = frame
  }

  /// The frame `change` lands on: where it was staged, else the first frame of its
  /// quantum at or after its own frame (or now); never before now.
  private func landing(of change: LiveChange) -> Int {
    if let staged = change.stagedFrame { return staged }
    return max(position, clock.next(change.quantum, atOrAfter: change.frame ?? position))
  }

  /// Renders the slot of `out`, applying each change at its frame; fewer frames at the
  /// end of the versions' length.
  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    var done = 0
    while true {
      applyDue()
      var limit = frames - done
      // The patch ends at its length only when no change waits to land.
      if !endless, pendingCount == 0, let end { limit = min(limit, end - position) }
      if let limitFrames { limit = min(frames - done, limitFrames - position) }
      guard limit > 0 else { break }
      var span = limit
      if pendingCount > 0, let next = pending[pendingStart] {
        span = min(span, landing(of: next) - position)
      }
      try out.read(from: position, frames: span, into: buffer, offset: done)
      position += span
      done += span
    }
    return done
  }

  private func applyDue() {
    while pendingCount > 0, let next = pending[pendingStart], landing(of: next) <= position {
      pending[pendingStart] = nil
      pendingStart = (pendingStart + 1) % pending.count
      pendingCount -= 1
      apply(next, at: position)
      // The change goes back whole, to be freed off the render thread (the queue back
      // holds thousands; a control side that never collects would have it freed here).
      _ = retired.put(next)
    }
  }

  private func apply(_ change: LiveChange, at frame: Int) {
    if change.stagedFrame == nil { stage(change, at: frame) }
    for (slot, node) in change.installs {
      slot.install(node, fadeFrames: change.fadeFrames)
    }
    for glide in change.glides {
      glide.parameter.glide(
        to: glide.target, frames: change.glideFrames, logarithmic: glide.logarithmic)
    }
    if change.tempo != clock.tempo || change.meter != clock.meter {
      clock.rebase(at: frame, tempo: change.tempo, meter: change.meter)
    }
    if !started {
      end = change.length.map { frame + $0 }
      started = true
    } else if let current = end {
      // A version of unknown length plays on; else the latest end counts.
      end = change.length.map { max(current, frame + $0) }
    }
    change.landed(at: frame, bar: clock.bar(at: frame))
  }

  /// Settles the nodes of `out`'s slot.
  override public func finish() async throws {
    try await out.finish()
  }
}
