import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation
import Synchronization

/// A value playing in the background of a session.
final class SessionPlayback: @unchecked Sendable {
  // Unchecked: `player` and `outcome` are behind `state`; the rest is set once.
  /// What is playing, as typed.
  let shown: String
  /// Stops the render, which fades out what is held.
  let token = CancellationToken()
  private let state = Mutex<(player: DevicePlayer?, outcome: String?, done: Bool)>(
    (nil, nil, false))
  /// Times the blocks, for the worst block in the final line.
  let timer = BlockTimer()

  init(shown: String) { self.shown = shown }

  var player: DevicePlayer? { state.withLock { $0.player } }
  var isDone: Bool { state.withLock { $0.done } }

  func started(_ player: DevicePlayer) { state.withLock { $0.player = player } }

  /// Records how the playing ended (`nil`: it played to its end or was stopped).
  func end(_ failure: String?) {
    state.withLock {
      $0.outcome = failure
      $0.done = true
    }
  }

  /// Waits until the device is open or the playing has failed, at most `seconds`.
  func waitUntilStarted(seconds: Double) async {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline, !state.withLock({ $0.player != nil || $0.done }) {
      try? await Task.sleep(nanoseconds: 2_000_000)
    }
  }

  /// Waits for the end (a stop fades out within a period, then the device drains).
  func waitUntilDone() async {
    while !isDone { try? await Task.sleep(nanoseconds: 5_000_000) }
  }

  /// Why the playing failed, if it did.
  var failure: String? { state.withLock { $0.outcome } }

  /// The final line: `played 2.000 s of 'x' on 'default' (...)`, as `ast play` gives it.
  var report: String? { player?.report(of: shown, timer: timer) }
}

extension Session {
  /// `:play [EXPR]`: plays the value (the last one by default) in the background; the
  /// prompt stays live. A value already playing is stopped first.
  func play(_ argument: String) async -> Reply {
    let text = argument.isEmpty ? CheckedEnvironment.lastValue : argument
    if argument.isEmpty, !environment.binds(CheckedEnvironment.lastValue) {
      return Reply(lines: ["error: there is no value to play yet"], failed: true)
    }
    let checked = check(text, keepsLastValue: false)
    let result = checked.result
    if result.diagnostics.containsErrors {
      return Reply(lines: render(result.diagnostics, in: result.parse.source), failed: true)
    }
    guard case .expression(let value, _)? = result.script.statements.last,
      result.script.statements.count == 1
    else {
      return Reply(lines: ["usage: :play [EXPR]"], failed: true)
    }
    guard value.type.isAudio || value.type.isStream else {
      return Reply(
        lines: ["error: ':play' plays a signal or a stream, not \(value.type.article)"],
        failed: true)
    }
    var lines = await stopPlaying().map { [$0] } ?? []
    let playback = SessionPlayback(shown: argument.isEmpty ? "_" : "'\(argument)'")
    let request = PlaybackRequest(device: device, started: { playback.started($0) })
    // The render's block is the device's period.
    var options = RunOptions(
      blockSize: request.periodFrames, cancellation: playback.token,
      baseDirectory: baseDirectory, output: CollectedOutput())
    options.play = request
    options.summarisesOut = false
    options.blockTimer = playback.timer
    let evaluator = Evaluator(check: result, options: options)
    evaluator.seed(recipes)
    let expression = value.substitutingBindings(recipes)
    do {
      try RenderThread.start(
        { _ = try await evaluator.renderOut(expression) },
        done: { outcome in
          switch outcome {
          case .success: playback.end(nil)
          case .failure(RenderError.cancelled): playback.end(nil)
          case .failure(let error as OutputError): playback.end("error: \(error)")
          case .failure(let error as RuntimeError): playback.end("error: \(error.message)")
          case .failure(let error): playback.end("error: \(error)")
          }
        })
    } catch {
      return Reply(lines: lines + ["error: \(error)"], failed: true)
    }
    await playback.waitUntilStarted(seconds: 5)
    if playback.isDone, let failure = playback.failure {
      return Reply(lines: lines + [failure], failed: true)
    }
    self.playback = playback
    lines.append("playing \(playback.shown) on '\(device)' (':stop' stops it)")
    return Reply(lines: lines)
  }

  /// Stops what is playing with a fade-out, waits for it to end and returns its final
  /// line; `nil` when nothing was playing.
  public func stopPlaying() async -> String? {
    guard let playback else { return nil }
    self.playback = nil
    playback.token.cancel()
    await playback.waitUntilDone()
    if let failure = playback.failure { return failure }
    return playback.report
  }

  /// Waits until what is playing has played to its end; returns its final line.
  public func finishPlaying() async -> String? {
    guard let playback else { return nil }
    await playback.waitUntilDone()
    self.playback = nil
    if let failure = playback.failure { return failure }
    return playback.report
  }

  /// Whether something is playing.
  public var isPlaying: Bool {
    guard let playback else { return false }
    return !playback.isDone
  }

  /// `:devices`: the ALSA devices, the one in use marked.
  func listDevices() -> Reply {
    Reply(
      lines: DeviceTable.lines(marking: device)
        + ["playing on '\(device)'; ':device NAME' changes it"])
  }
}

/// The ALSA devices as the lines of a table, for `ast devices` and `:devices`.
public enum DeviceTable {
  /// A line a device: its name, whether it plays, captures or both, and ALSA's
  /// description, made safe for a terminal; with `current`, a column that marks that
  /// device with `*`. When ALSA lists none, a line says so.
  public static func lines(marking current: String? = nil) -> [String] {
    let devices = ALSADevice.devices()
    guard !devices.isEmpty else {
      return ["no ALSA devices are listed ('null' and 'file:FILE=PATH,FORMAT=raw' still work)"]
    }
    let width = min(devices.map(\.name.count).max() ?? 0, 40)
    return devices.map { listing in
      let mark = current.map { listing.name == $0 ? "* " : "  " } ?? ""
      let direction =
        listing.playback && listing.capture
        ? "play+capture" : listing.playback ? "play" : "capture"
      let name = listing.name.padding(
        toLength: max(width, listing.name.count), withPad: " ", startingAt: 0)
      let shown = direction.padding(toLength: 12, withPad: " ", startingAt: 0)
      return (mark + name + "  " + shown + "  " + listing.description)
        .terminalSafe(keepingTabs: false, keepingLineBreaks: false)
    }
  }
}
