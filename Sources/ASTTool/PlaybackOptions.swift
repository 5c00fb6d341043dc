import ASTCore
import ASTEngine
import ASTRuntime
import ArgumentParser
import Dispatch
import Foundation

/// The options of playing on a sound device, shared by `ast play` and `ast run --play`.
struct PlaybackOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The ALSA device to play on: 'default', 'hw:0,0', 'plughw:1', 'pulse', 'null', "
        + "'file:FILE=out.raw,FORMAT=raw' (see 'ast devices').", valueName: "NAME"))
  var device: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Frames the device moves at a time (and the render's block), 16 to 65536.",
      valueName: "FRAMES"))
  var period: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Periods the device's buffer holds, 2 to 64.", valueName: "N"))
  var periods: Int?

  @Flag(help: "Keep peaks under full scale with a look-ahead limiter (else they are clipped).")
  var limiter = false

  /// The first of these options given, for a message that they need playing.
  var firstGiven: String? {
    if device != nil { return "--device" }
    if period != nil { return "--period" }
    if periods != nil { return "--periods" }
    return limiter ? "--limiter" : nil
  }

  func validate() throws {
    if let period, !(16...65_536).contains(period) {
      throw ValidationError("--period must be between 16 and 65536 frames")
    }
    if let periods, !(2...64).contains(periods) {
      throw ValidationError("--periods must be between 2 and 64")
    }
  }

  /// The request these options make (the request's defaults where they say nothing),
  /// with `monitor` told when playing starts.
  func request(monitor: PlaybackMonitor) -> PlaybackRequest {
    var request = PlaybackRequest(limiter: limiter, started: { monitor.watch($0) })
    if let device { request.device = device }
    if let period { request.periodFrames = period }
    if let periods { request.periods = periods }
    return request
  }
}

/// Watches a player while it plays: reports underruns and a muted block on standard
/// error as they happen (from its own timer, not the audio thread), and the final
/// report after.
final class PlaybackMonitor: @unchecked Sendable {
  // Unchecked: `player` is set once, before playing starts, then only read; the counts
  // it reads are atomics.
  private var player: DevicePlayer?
  private var timer: (any DispatchSourceTimer)?
  private var reportedUnderruns = 0
  private var reportedMute = false
  private let queue = DispatchQueue(label: "playback monitor")

  /// Starts watching `player`, ten times a second.
  func watch(_ player: DevicePlayer) {
    self.player = player
    let timer = DispatchSource.makeTimerSource(queue: queue)
    timer.setEventHandler { [weak self] in self?.check() }
    timer.schedule(deadline: .now() + 0.1, repeating: 0.1)
    timer.resume()
    self.timer = timer
  }

  private func check() {
    guard let player else { return }
    let rate = Double(max(player.device.configuration.sampleRate, 1))
    let seconds = NumberText.seconds(Double(player.framesPlayed) / rate)
    let underruns = player.underruns
    if underruns > reportedUnderruns {
      let new = underruns - reportedUnderruns
      reportedUnderruns = underruns
      say(
        "ast: \(new == 1 ? "an underrun" : "\(new) underruns") at \(seconds) s "
          + "(\(underruns) so far)")
    }
    if !reportedMute, let frame = player.firstMutedFrame {
      reportedMute = true
      let at = NumberText.seconds(Double(frame) / rate)
      say("ast: warning: 'out' held NaN or infinite samples at \(at) s: the block was muted")
    }
  }

  /// A line on standard error, clearing a progress bar's line first.
  private func say(_ line: String) {
    let clear = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""
    FileHandle.standardError.write(Data((clear + line + "\n").utf8))
  }

  /// Stops watching (reporting what is left) and gives the final report, or `nil` when
  /// nothing played.
  func finish(timer blockTimer: BlockTimer?) -> String? {
    timer?.cancel()
    timer = nil
    guard let player else { return nil }
    queue.sync { check() }
    return player.report(timer: blockTimer)
  }
}
