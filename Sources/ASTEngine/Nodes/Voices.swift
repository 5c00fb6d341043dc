import Foundation

/// Builds one voice: the signal of an instrument for a note's frequency in hertz and its
/// length in seconds.
public typealias VoiceFactory = (_ frequency: Double, _ duration: Double) async throws -> AudioNode

/// Polyphony scheduled sparsely: one voice for each note, built when its start falls
/// within the next block and released when it ends, so a piece of thousands of notes
/// costs what its sounding voices cost, in time and in memory.
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

  private final class Voice {
    let node: AudioNode
    /// The frame where a fade-out starts, when the voice is released above the limit.
    var fadeStart: Int?

    init(_ node: AudioNode) { self.node = node }
  }

  private let notes: [Note]
  private let build: VoiceFactory
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
  /// The voices built to be played.
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
    struct Key: Hashable {
      let frequency: UInt64
      let duration: UInt64
    }
    var lengths: [Key: Int?] = [:]
    var sampleRate: Int?
    var channelCount = 1
    var total: Int? = length
    for note in notes {
      try context.cancellation.check()
      let key = Key(frequency: note.frequency.bitPattern, duration: note.duration.bitPattern)
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
    return VoicesNode(
      notes: notes, leastLength: length, frameCount: total, gain: gain, maximum: maximum,
      sampleRate: sampleRate ?? rate, channels: notes.isEmpty ? channels : channelCount,
      context: context, build: build)
  }

  private init(
    notes: [Note], leastLength: Int, frameCount: Int?, gain: Double, maximum: Int,
    sampleRate: Int, channels: Int, context: RenderContext, build: @escaping VoiceFactory
  ) {
    self.notes = notes
    self.build = build
    self.gain = Float(gain)
    self.maximum = maximum
    self.fadeFrames = max(1, Int((Self.fadeSeconds * Double(sampleRate)).rounded()))
    self.leastLength = leastLength
    scratch = AudioBuffer(
      channelCount: channels, capacity: context.blockSize, chargingTo: context.memory)
    active.reserveCapacity(maximum + 1)
    super.init(
      sampleRate: sampleRate, channelCount: channels, frameCount: frameCount, context: context)
  }

  /// From the first note's start to the end; silent before it.
  override public var extent: SignalExtent {
    SignalExtent(start: notes.first?.start ?? 0, end: frameCount)
  }

  /// Settles the voices that ended, builds the voices of the notes starting within the
  /// next `frames` frames (releasing the oldest above the limit), and readies the
  /// voices sounding.
  override public func ready(frames: Int) async throws {
    for node in ended { try await node.finish() }
    ended.removeAll(keepingCapacity: true)
    let (windowEnd, overflow) = position.addingReportingOverflow(frames)
    let end = overflow ? Int.max : windowEnd
    while nextNote < notes.count, notes[nextNote].start < end {
      let note = notes[nextNote]
      nextNote += 1
      let voice = try await build(note.frequency, note.duration)
      guard voice.sampleRate == sampleRate else {
        throw VoicesError.rates(sampleRate, voice.sampleRate)
      }
      let sounding = active.filter { $0.fadeStart == nil }
      if sounding.count >= maximum, let oldest = sounding.first {
        oldest.fadeStart = note.start
      }
      // Silent until its start: the frames before it are passed without pulling it.
      active.append(Voice(PadNode(voice, before: note.start - position, after: 0)))
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
          for channel in 0..<scratch.channelCount {
            let samples = scratch.channel(channel)
            for index in from..<count {
              samples[index] *= Float(fadeEnd - (position + index)) * step
            }
          }
        }
      }
      produced = max(produced, count)
      for channel in 0..<channelCount {
        let x = scratch.channel(voice.node.channelCount == 1 ? 0 : channel)
        BlockKernels.accumulate(buffer.channel(channel), x, count: count)
      }
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
        let samples = buffer.channel(channel)
        for index in 0..<produced { samples[index] *= gain }
      }
    }
    position += produced
    return produced
  }

  /// Settles the voices still sounding and those that ended.
  override public func finish() async throws {
    reportReplacedSamples()
    for node in ended { try await node.finish() }
    ended.removeAll()
    for voice in active { try await voice.node.finish() }
    active.removeAll()
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
        samples[index] = Float(440 * exp2((Double(samples[index]) - 69) / 12))
      }
    }
    return count
  }
}
