import Foundation
import Synchronization

/// Builds one voice: the signal of an instrument for a note's frequency in hertz and its
/// length in seconds.
public typealias VoiceFactory = (_ frequency: Double, _ duration: Double) async throws -> AudioNode

/// Polyphony scheduled sparsely: one voice for each note, built when its start falls
/// within the next block and released when it ends, so a piece of thousands of notes
/// costs what its sounding voices cost, in time and in memory. When a sound device paces
/// the render (``RenderContext/isRealtime``), the voices are built a few notes ahead on
/// a task of their own (``VoiceBuilder``) and freed there, so the render's thread
/// allocates nothing; offline, each is built in the ready pass of its first block.
///
/// Each voice starts at its note's frame and lasts as long as the signal its instrument
/// gives (a release may ring past the note). Above ``maximum`` voices sounding at once,
/// the oldest is faded out over ``fadeFrames``, starting at the frame the new one
/// starts. Everything happens at exact frames, so the output is the same for every block
/// size.
public final class VoicesNode: AudioNode {
  /// A note to play: where it starts, and what its voice is built from.
  public struct Note: Sendable, Hashable {
    /// The frame it starts at.
    public let start: Int
    /// Its frequency in hertz.
    public let frequency: Double
    /// Its length in seconds (its step's), which the instrument may use or ring past.
    public let duration: Double

    /// Creates a note.
    public init(start: Int, frequency: Double, duration: Double) {
      self.start = start
      self.frequency = frequency
      self.duration = duration
    }
  }

  /// What a voice is built from, told apart by the bits of its numbers: notes with the
  /// same frequency and length have the same voice.
  public struct Sound: Hashable, Sendable {
    let frequency: UInt64
    let duration: UInt64

    /// The sound of a note of `frequency` hertz lasting `duration` seconds.
    public init(frequency: Double, duration: Double) {
      self.frequency = frequency.bitPattern
      self.duration = duration.bitPattern
    }
  }

  /// The most voices that may sound at once: the limit `max:` takes.
  public static let maximumVoices = NodeParameter(
    "max", unit: .count, default: 64,
    range: ParameterRange(lower: .inclusive(1), upper: .inclusive(4096), isInteger: true),
    "the most voices sounding at once; the oldest fades out over 5 ms above it")
  /// The gain of the sum.
  public static let gain = NodeParameter(
    "gain", unit: .gain, default: 1, range: .nonNegative, "the gain of the voices' sum")
  /// How long a voice released above the limit takes to fade out.
  public static let fadeSeconds = 0.005

  private struct Voice {
    let node: AudioNode
    /// The frame where a fade-out starts, when the voice is released above the limit.
    var fadeStart: Int?
  }

  private let notes: [Note]
  /// Builds the voices ahead of their notes, off the render thread.
  private let builder: VoiceBuilder
  private let gain: Float
  private let maximum: Int
  private let fadeFrames: Int
  private let scratch: AudioBuffer
  /// The sum lasts at least this long: the end of the pattern's last cycle.
  private let leastLength: Int
  private var nextNote = 0
  private var position = 0
  /// The voices sounding, oldest first.
  private var active: [Voice] = []
  /// Voices that ended in the renders since the last ready pass, to be settled by the
  /// next.
  private var ended: [AudioNode] = []
  /// The most voices that were sounding at once (fading ones included).
  public private(set) var mostSounding = 0
  /// The voices that started.
  public private(set) var voicesBuilt = 0
  /// The frames rendered of all voices together (silence before a voice's start within
  /// its first block included): the work the sum has done.
  public private(set) var voiceFrames = 0

  /// The voices of `notes` (by start frame) built by `build`, summed and scaled by
  /// `gain`, lasting at least `length` frames.
  ///
  /// The voice of each different frequency and length is built once here, to learn the
  /// rate, channels and length of the sum, and dropped; `rate` and `channels` are what the
  /// sum has when there is no note. Voices at different rates are an error.
  public static func make(
    notes: [Note], length: Int, gain: Double, maximum: Int, rate: Int, channels: Int,
    context: RenderContext, build: @escaping VoiceFactory
  ) async throws -> VoicesNode {
    var lengths: [Sound: Int?] = [:]
    var sampleRate: Int?
    var channelCount = 1
    var total: Int? = length
    for note in notes {
      try context.cancellation.check()
      let key = Sound(frequency: note.frequency, duration: note.duration)
      let voiceLength: Int?
      if let known = lengths[key] {
        voiceLength = known
      } else {
        let voice = try await build(note.frequency, note.duration)
        if let sampleRate, voice.sampleRate != sampleRate {
          throw VoicesError.rates(sampleRate, voice.sampleRate)
        }
        sampleRate = voice.sampleRate
        channelCount = max(channelCount, voice.channelCount)
        voiceLength = voice.frameCount
        lengths[key] = voiceLength
      }
      if let voiceLength, let sum = total {
        let (end, overflow) = note.start.addingReportingOverflow(voiceLength)
        total = overflow ? nil : max(sum, end)
      } else {
        total = nil
      }
    }
    let node = VoicesNode(
      notes: notes, leastLength: length, frameCount: total, gain: gain, maximum: maximum,
      sampleRate: sampleRate ?? rate, channels: notes.isEmpty ? channels : channelCount,
      context: context, build: build)
    // Played, the first voices are built now, with the graph, so the render never waits
    // for the builder to start.
    if context.isRealtime { try await node.builder.prefill(context: context) }
    return node
  }

  private init(
    notes: [Note], leastLength: Int, frameCount: Int?, gain: Double, maximum: Int,
    sampleRate: Int, channels: Int, context: RenderContext, build: @escaping VoiceFactory
  ) {
    self.notes = notes
    self.builder = VoiceBuilder(notes: notes, lookahead: min(maximum, 48) + 1, build: build)
    self.gain = Float(gain)
    self.maximum = maximum
    self.fadeFrames = max(1, Int((Self.fadeSeconds * Double(sampleRate)).rounded()))
    self.leastLength = leastLength
    scratch = AudioBuffer(
      channelCount: channels, capacity: context.blockSize, chargingTo: context.memory)
    active.reserveCapacity(2 * maximum + 16)
    ended.reserveCapacity(2 * maximum + 16)
    super.init(
      sampleRate: sampleRate, channelCount: channels, frameCount: frameCount, context: context)
  }

  /// From the first note's start to the end; silent before it.
  override public var extent: SignalExtent {
    SignalExtent(start: notes.first?.start ?? 0, end: frameCount)
  }

  /// Settles the voices that ended (handing them to the builder to free, when played),
  /// takes the voices of the notes starting within the next `frames` frames (from the
  /// builder when played, else building them here), releases the oldest above the
  /// limit, and readies the voices sounding.
  override public func ready(frames: Int) async throws {
    for node in ended { try await node.finish() }
    if !ended.isEmpty, context.isRealtime { builder.retire(ended) }
    ended.removeAll(keepingCapacity: true)
    let (windowEnd, overflow) = position.addingReportingOverflow(frames)
    let end = overflow ? Int.max : windowEnd
    if context.isRealtime, nextNote < notes.count, notes[nextNote].start < end {
      builder.start(context: context)
    }
    while nextNote < notes.count, notes[nextNote].start < end {
      let note = notes[nextNote]
      let voice: AudioNode
      if context.isRealtime {
        voice = try await builder.take(nextNote)
      } else {
        voice = try await builder.voice(nextNote)
      }
      nextNote += 1
      guard voice.sampleRate == sampleRate else {
        throw VoicesError.rates(sampleRate, voice.sampleRate)
      }
      var sounding = 0
      var oldest: Int?
      for slot in active.indices where active[slot].fadeStart == nil {
        sounding += 1
        if oldest == nil { oldest = slot }
      }
      if sounding >= maximum, let oldest { active[oldest].fadeStart = note.start }
      // Silent until its start: the frames before it are passed without pulling it.
      _ = try await voice.skip(position)
      active.append(Voice(node: voice))
      voicesBuilt += 1
      mostSounding = max(mostSounding, active.count)
    }
    for voice in active { try await voice.node.ready(frames: frames) }
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    buffer.clear(from: 0, to: frames)
    var produced = max(0, min(frames, leastLength - position))
    var kept = 0
    for slot in active.indices {
      let voice = active[slot]
      var count = try voice.node.render(into: scratch, frames: frames)
      voiceFrames += count
      var finished = count < frames
      if let fadeStart = voice.fadeStart {
        let fadeEnd = fadeStart + fadeFrames
        // Only what sounds before the fade ends is heard.
        if fadeEnd - position < count {
          count = max(0, fadeEnd - position)
          finished = true
        }
        let step = 1 / Float(fadeFrames)
        let from = max(0, fadeStart - position)
        if from < count {
          for channel in 0..<voice.node.channelCount {
            let samples = scratch.channel(channel)
            for index in from..<count {
              samples[index] *= Float(fadeEnd - (position + index)) * step
            }
          }
        }
      }
      produced = max(produced, count)
      buffer.add(
        scratch, sourceChannels: voice.node.channelCount, channels: channelCount, count: count)
      if finished {
        ended.append(voice.node)
      } else {
        active[kept] = voice
        kept += 1
      }
    }
    active.removeLast(active.count - kept)
    if gain != 1 {
      for channel in 0..<channelCount {
        BlockKernels.scale(buffer.channel(channel), count: produced, by: gain)
      }
    }
    position += produced
    return produced
  }

  /// Settles the voices still sounding and those that ended, and stops the builder.
  override public func finish() async throws {
    reportReplacedSamples()
    for node in ended { try await node.finish() }
    ended.removeAll()
    for voice in active { try await voice.node.finish() }
    active.removeAll()
    builder.stop()
  }

  deinit {
    builder.stop()
  }
}

/// Voices of one instrument that come at different sample rates.
public enum VoicesError: Error, CustomStringConvertible {
  /// The first voice's rate, and another's.
  case rates(Int, Int)

  /// What went wrong.
  public var description: String {
    switch self {
    case .rates(let first, let other):
      "the instrument makes voices at \(first) Hz and at \(other) Hz; every voice must have one rate"
    }
  }
}

/// The frequency in hertz of each sample of a signal of MIDI numbers:
/// `440 * 2 ^ ((m - 69) / 12)`.
public final class MIDIFrequencyNode: AudioNode {
  private let input: AudioNode

  /// The frequency in hertz of the MIDI number `midi`, equal-tempered from A4 (69) at
  /// 440 Hz; fractional numbers lie between.
  @inline(__always)
  public static func frequency(midi: Double) -> Double {
    440 * exp2((midi - 69) / 12)
  }

  /// The frequencies of the MIDI numbers of `input`.
  public init(_ input: AudioNode) {
    self.input = input
    super.init(sameFormatAs: input)
  }

  override public func render(into buffer: AudioBuffer, frames: Int) throws -> Int {
    let count = try input.render(into: buffer, frames: frames)
    for channel in 0..<channelCount {
      let samples = buffer.channel(channel)
      for index in 0..<count {
        samples[index] = Float(Self.frequency(midi: Double(samples[index])))
      }
    }
    return count
  }
}

/// Builds the voices of a ``VoicesNode``. When a sound device paces the render, it builds
/// them on a task of its own, a few notes ahead of the render, so that building a voice
/// (its nodes and buffers, the instrument's evaluation) happens off the thread that
/// renders; the render thread takes each voice when its
/// note starts, waiting only when the builder has fallen behind, and hands ended voices
/// back to be freed there. The voices are the same whichever thread builds them.
final class VoiceBuilder: @unchecked Sendable {
  /// A voice handed between the builder's task and the render, which never use it at
  /// the same time.
  private struct Handed: @unchecked Sendable {
    let node: AudioNode
  }

  /// Voices handed over together.
  private struct HandedList: @unchecked Sendable {
    let nodes: [AudioNode]
  }

  private struct State {
    /// The voices built and not yet taken, by note index.
    var built: [Int: Handed] = [:]
    /// The note the render takes next, and how far ahead the builder may go.
    var taken = 0
    /// Voices that ended, to free on the builder's task.
    var retired: [Handed] = []
    /// A failure of the builder, given to the next take.
    var failure: (any Error)?
    /// The render waiting for note `index`.
    var waiting: (index: Int, continuation: UnsafeContinuation<Void, Never>)?
    var stopped = false
  }

  private let notes: [VoicesNode.Note]
  private let lookahead: Int
  private let build: VoiceFactory
  private let state = Mutex(State())
  private let started = Atomic<Bool>(false)

  init(notes: [VoicesNode.Note], lookahead: Int, build: @escaping VoiceFactory) {
    self.notes = notes
    self.lookahead = lookahead
    self.build = build
  }

  /// Starts the builder task, once.
  func start(context: RenderContext) {
    guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
    state.withLock { $0.retired.reserveCapacity(64) }
    Task.detached(priority: .high) { [self] in await run(context: context) }
  }

  /// The voice of note `index`, silent up to its start (from the first frame), with what
  /// it makes before its first block made (``AudioNode/prepare()``).
  func voice(_ index: Int) async throws -> AudioNode {
    let note = notes[index]
    let voice = PadNode(
      try await build(note.frequency, note.duration), before: note.start, after: 0)
    try await voice.prepare()
    return voice
  }

  /// The index of the first note the builder's task builds: those before it were built
  /// by ``prefill(context:)``.
  private var firstForTask = 0

  /// Builds the voices of the first notes, up to the lookahead, in the calling task
  /// (when the graph is built), before anything renders.
  func prefill(context: RenderContext) async throws {
    let count = min(lookahead, notes.count)
    for index in 0..<count {
      try context.cancellation.check()
      let handed = Handed(node: try await voice(index))
      state.withLock { $0.built[index] = handed }
    }
    firstForTask = count
  }

  private func run(context: RenderContext) async {
    // How long the builder sleeps when it is far enough ahead: shorter while the render
    // takes voices quickly, longer while it takes few.
    var pause: UInt64 = 1_000_000
    var takenAtLastLook = 0
    for index in firstForTask..<notes.count {
      // Wait for room: at most `lookahead` voices ahead of the render.
      while true {
        let (stop, taken, retired) = state.withLock { state in
          let retired = state.retired
          state.retired.removeAll(keepingCapacity: true)
          return (state.stopped, state.taken, retired)
        }
        withExtendedLifetime(retired) {}
        if stop { return }
        if index < taken + lookahead { break }
        // The render never wakes the builder (waking a task allocates on the waker's
        // thread): the builder looks again a little later, sooner when the render took
        // many voices since it last looked.
        let consumed = taken - takenAtLastLook
        takenAtLastLook = taken
        if consumed > lookahead / 4 {
          pause = max(pause / 2, 50_000)
        } else if consumed == 0 {
          pause = min(pause * 2, 1_000_000)
        }
        try? await Task.sleep(nanoseconds: pause)
      }
      do {
        try context.cancellation.check()
        deposit(index, voice: try await voice(index), failure: nil)
      } catch {
        deposit(index, voice: nil, failure: error)
        return
      }
    }
  }

  private func deposit(_ index: Int, voice: AudioNode?, failure: (any Error)?) {
    let handed = voice.map(Handed.init)
    let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
      if let handed { state.built[index] = handed }
      if let failure { state.failure = failure }
      guard let waiting = state.waiting, waiting.index == index || failure != nil else {
        return nil
      }
      state.waiting = nil
      return waiting.continuation
    }
    waiter?.resume()
  }

  /// The voice of note `index`, padded with silence up to its start (from the first
  /// frame), waiting for the builder when it has not built it yet.
  func take(_ index: Int) async throws -> AudioNode {
    var spins = 0
    while true {
      let (voice, failure) = state.withLock { state -> (Handed?, (any Error)?) in
        if let voice = state.built.removeValue(forKey: index) {
          state.taken = index + 1
          return (voice, nil)
        }
        return (nil, state.failure)
      }
      if let voice { return voice.node }
      if let failure { throw failure }
      // The builder fell behind (on a loaded machine). Waiting a little on the thread
      // itself first keeps the render's task from suspending, which would take memory
      // for its continuation; after a few milliseconds it suspends.
      if spins < 200 {
        spins += 1
        usleep(20)
        continue
      }
      await withUnsafeContinuation { continuation in
        let resume = state.withLock { state -> Bool in
          if state.built[index] != nil || state.failure != nil || state.stopped { return true }
          state.waiting = (index, continuation)
          return false
        }
        if resume { continuation.resume() }
      }
      if state.withLock({ $0.stopped }) { throw RenderError.cancelled }
    }
  }

  /// Hands voices that ended to the builder to free.
  func retire(_ voices: [AudioNode]) {
    let handed = HandedList(nodes: voices)
    state.withLock { state in
      for node in handed.nodes { state.retired.append(Handed(node: node)) }
    }
  }

  /// Stops the builder and wakes whoever waits.
  func stop() {
    let render = state.withLock { state -> UnsafeContinuation<Void, Never>? in
      state.stopped = true
      state.built.removeAll()
      defer { state.waiting = nil }
      return state.waiting?.continuation
    }
    render?.resume()
  }
}
