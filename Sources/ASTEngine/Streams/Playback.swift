import ASTCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The output stage between a render and a sound device: what protects ears and
/// speakers, and what plays.
///
/// Each block is interleaved into memory the player owns and held back one block, so
/// that a stop can fade out what is about to play (no click) and the limiter can look
/// ahead. On its way to the device a block containing NaN or infinity is muted (and the
/// first such block reported), and every sample is hard-limited to [-1, 1], the clipped
/// ones counted; with ``limiter`` a look-ahead brickwall limiter brings peaks under full
/// scale first, so that nothing clips. Playing allocates nothing after the player is made.
public final class DevicePlayer: @unchecked Sendable {
  // Unchecked: the player is used by the one thread that renders and plays; the counts
  // others read while it plays are atomics.
  /// The device played to.
  public let device: any PlaybackDevice
  /// Whether the look-ahead limiter is on.
  public let limiter: Bool
  private let channels: Int
  private let capacity: Int
  private var held: UnsafeMutablePointer<Float>
  private var incoming: UnsafeMutablePointer<Float>
  private var heldFrames = 0
  /// The limiter's gain now, and each held sample's greatest magnitude over channels.
  private var gain: Float = 1
  private let needed: UnsafeMutablePointer<Float>
  private let lookAhead: Int
  private let release: Float
  private let played = Atomic<Int>(0)
  private let underrunCount = Atomic<Int>(0)
  private let clipped = Atomic<Int>(0)
  private let muted = Atomic<Int>(0)
  private let firstMuted = Atomic<Int>(-1)
  /// Frames taken so far (played or held).
  private var taken = 0

  /// Frames the look-ahead limiter sees ahead: 1.5 ms, at most one block.
  static func lookAheadFrames(sampleRate: Int, blockFrames: Int) -> Int {
    max(1, min(blockFrames, Int((Double(sampleRate) * 0.0015).rounded())))
  }

  /// A player of blocks of at most `blockFrames` frames to `device`.
  public init(device: any PlaybackDevice, blockFrames: Int, limiter: Bool = false) {
    self.device = device
    self.limiter = limiter
    channels = device.configuration.channelCount
    capacity = max(blockFrames, 1)
    held = .allocate(capacity: capacity * channels)
    incoming = .allocate(capacity: capacity * channels)
    needed = .allocate(capacity: capacity * 2)
    let rate = device.configuration.sampleRate
    lookAhead = Self.lookAheadFrames(sampleRate: rate, blockFrames: capacity)
    // The gain recovers with a time constant of 50 ms.
    release = Float(1 - exp(-1 / (0.05 * Double(max(rate, 1)))))
  }

  deinit {
    held.deallocate()
    incoming.deallocate()
    needed.deallocate()
  }

  /// Frames the device has been given.
  public var framesPlayed: Int { played.load(ordering: .relaxed) }
  /// Underruns the device recovered from.
  public var underruns: Int { underrunCount.load(ordering: .relaxed) }
  /// Samples past full scale that were clipped.
  public var clippedSamples: Int { clipped.load(ordering: .relaxed) }
  /// Blocks muted because they held NaN or infinity.
  public var mutedBlocks: Int { muted.load(ordering: .relaxed) }
  /// The first frame of the first muted block, if a block was muted.
  public var firstMutedFrame: Int? {
    let frame = firstMuted.load(ordering: .relaxed)
    return frame >= 0 ? frame : nil
  }

  /// Takes the next `frames` frames of `buffer` (planar) and plays the block before
  /// them, waiting while the device's buffer is full.
  public func play(_ buffer: AudioBuffer, frames: Int) throws(AudioDeviceError) {
    let count = min(frames, capacity)
    var finite = true
    for channel in 0..<channels {
      let samples = buffer.channel(min(channel, buffer.channelCount - 1))
      for frame in 0..<count {
        let sample = samples[frame]
        finite = finite && sample.isFinite
        incoming[frame * channels + channel] = sample
      }
    }
    if !finite {
      incoming.update(repeating: 0, count: count * channels)
      if muted.add(1, ordering: .relaxed).newValue == 1 {
        firstMuted.store(taken, ordering: .relaxed)
      }
    }
    taken += count
    try playHeld(next: count)
    swap(&held, &incoming)
    heldFrames = count
  }

  /// Plays what is held, faded out over its length when `fadingOut` (a stop), and waits
  /// until the device has played everything.
  public func finish(fadingOut: Bool) throws(AudioDeviceError) {
    if fadingOut, heldFrames > 0 {
      for frame in 0..<heldFrames {
        // A half cosine from 1 to 0.
        let phase = Double(frame + 1) / Double(heldFrames)
        let weight = Float(0.5 + 0.5 * cos(Double.pi * phase))
        for channel in 0..<channels { held[frame * channels + channel] *= weight }
      }
    }
    try playHeld(next: 0)
    heldFrames = 0
    device.drain()
  }

  /// Limits and clips the held block (looking ahead into the `next` incoming frames) and
  /// writes it to the device.
  private func playHeld(next: Int) throws(AudioDeviceError) {
    guard heldFrames > 0 else { return }
    if limiter { limitHeld(next: next) }
    var clips = 0
    for index in 0..<(heldFrames * channels) {
      let sample = held[index]
      if sample > 1 || sample < -1 {
        clips += 1
        held[index] = sample > 1 ? 1 : -1
      }
    }
    if clips > 0 { clipped.add(clips, ordering: .relaxed) }
    let before = device.underruns
    try device.write(held, frames: heldFrames)
    let after = device.underruns
    if after > before { underrunCount.add(after - before, ordering: .relaxed) }
    played.add(heldFrames, ordering: .relaxed)
  }

  /// Brings the held block's peaks to full scale: the gain each sample needs (1 over its
  /// magnitude, or 1) is reached by a straight ramp over the look-ahead before it, and
  /// the gain recovers exponentially after.
  private func limitHeld(next: Int) {
    let total = heldFrames + min(next, lookAhead)
    for frame in 0..<total {
      let source = frame < heldFrames ? held : incoming
      let offset = frame < heldFrames ? frame : frame - heldFrames
      var peak: Float = 0
      for channel in 0..<channels { peak = max(peak, abs(source[offset * channels + channel])) }
      needed[frame] = peak > 1 ? 1 / peak : 1
    }
    let span = Float(lookAhead)
    for frame in 0..<heldFrames {
      // The lowest gain that a ramp toward any need ahead allows here.
      var target: Float = 1
      for ahead in 0...min(lookAhead, total - 1 - frame) {
        let need = needed[frame + ahead]
        guard need < 1 else { continue }
        target = min(target, need + (1 - need) * Float(ahead) / span)
      }
      gain = target < gain ? target : min(target, gain + (1 - gain) * release)
      for channel in 0..<channels { held[frame * channels + channel] *= gain }
    }
  }
}

extension DevicePlayer {
  /// The final line of a playing: `played 10.000 s on 'pulse' (48000 Hz, mono, period
  /// 128): 0 underruns, worst block 0.22 ms of 2.67 ms (0.18 ms on the CPU), latency
  /// 8.00 ms`, with `of WHAT` after the time when `what` is given, the worst block when
  /// `timer` timed the blocks, and the samples clipped and blocks muted when there were.
  public func report(of what: String? = nil, timer: BlockTimer? = nil) -> String {
    let configuration = device.configuration
    let rate = Double(max(configuration.sampleRate, 1))
    func milliseconds(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
    var parts = ["\(underruns) underrun\(underruns == 1 ? "" : "s")"]
    if let timer, timer.blockCount > 0 {
      // The longest block's CPU time tells a slow render from a machine that stalled.
      parts.append(
        "worst block \(milliseconds(timer.longest)) ms of "
          + "\(milliseconds(Double(configuration.periodFrames) / rate)) ms "
          + "(\(milliseconds(timer.longestOnCPU)) ms on the CPU)")
    }
    parts.append("latency \(milliseconds(Double(configuration.bufferFrames) / rate)) ms")
    if clippedSamples > 0 { parts.append("\(clippedSamples) samples clipped") }
    if mutedBlocks > 0 {
      parts.append("\(mutedBlocks) block\(mutedBlocks == 1 ? "" : "s") muted (NaN or infinity)")
    }
    let played = NumberText.seconds(Double(framesPlayed) / rate)
    let format = configuration.takesFloat ? "" : ", 16-bit"
    return "played \(played) s\(what.map { " of \($0)" } ?? "") on '\(device.name)' "
      + "(\(configuration.sampleRate) Hz, \(NumberText.channels(configuration.channelCount))"
      + "\(format), period \(configuration.periodFrames)): " + parts.joined(separator: ", ")
  }
}

extension Render {
  /// Renders `node` to its end through `player`: the render and the device's writes on
  /// the render's own thread, at realtime priority where the system allows it. A
  /// cancelled render fades out what is held before it stops. `each` (a file writer)
  /// sees every block too.
  public static func play(
    _ node: AudioNode, through player: DevicePlayer, timer: BlockTimer? = nil,
    each: ((AudioBuffer, Int) async throws -> Void)? = nil
  ) async throws -> SignalSummary {
    try await RenderThread.run {
      RenderThread.raisePriority()
      do {
        let summary = try await drain(node, measuring: true, timer: timer) { buffer, count in
          try player.play(buffer, frames: count)
          try await each?(buffer, count)
        }
        try player.finish(fadingOut: false)
        return summary
      } catch {
        try? player.finish(fadingOut: true)
        throw error
      }
    }
  }
}

extension RenderThread {
  /// Asks for realtime scheduling (`SCHED_FIFO`) for the calling thread, for a render
  /// that feeds a sound device; where the system does not allow it, nothing changes.
  public static func raisePriority() {
    var parameters = sched_param()
    parameters.sched_priority = min(70, sched_get_priority_max(SCHED_FIFO))
    _ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters)
  }
}
