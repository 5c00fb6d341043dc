import ASTTestSupport
import Foundation
import Synchronization
import Testing

/// A PulseAudio daemon of the test's own, with a null sink of 48 kHz mono float samples
/// (`ast_null`) whose monitor records what is played to it: playback paced by a real
/// clock, without a sound card. It is started and stopped by the test that needs it.
final class PulseDaemon {
  static let executable = "/usr/bin/pulseaudio"
  static var isInstalled: Bool {
    FileManager.default.isExecutableFile(atPath: executable)
      && FileManager.default.isExecutableFile(atPath: "/usr/bin/parec")
  }

  let runtime: TemporaryDirectory
  let home: TemporaryDirectory
  /// What a process needs to reach the daemon.
  var environment: [String: String] { ["XDG_RUNTIME_DIR": runtime.path, "HOME": home.path] }

  init() throws {
    runtime = try TemporaryDirectory()
    home = try TemporaryDirectory()
    chmod(runtime.path, 0o700)
    // Started with its output on /dev/null, not a pipe: the daemon it leaves behind
    // would hold a pipe open.
    let daemon = Process()
    daemon.executableURL = URL(fileURLWithPath: Self.executable)
    daemon.arguments = [
      "-n", "--daemonize=yes", "--exit-idle-time=-1", "--disable-shm=yes",
      "--load=module-native-protocol-unix",
      "--load=module-null-sink sink_name=ast_null rate=48000 channels=1 format=float32le",
    ]
    daemon.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    daemon.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    daemon.standardError = FileHandle(forWritingAtPath: "/dev/null")
    daemon.standardInput = FileHandle(forReadingAtPath: "/dev/null")
    try daemon.run()
    daemon.waitUntilExit()
    guard daemon.terminationStatus == 0 else {
      throw PulseError(message: "pulseaudio did not start (status \(daemon.terminationStatus))")
    }
    for _ in 0..<50 {
      if try runProcess("/usr/bin/pactl", ["info"], environment: environment).status == 0 {
        _ = try runProcess(
          "/usr/bin/pactl", ["set-default-sink", "ast_null"], environment: environment)
        return
      }
      usleep(100_000)
    }
    stop()
    throw PulseError(message: "pulseaudio did not answer within 5 s")
  }

  func stop() {
    _ = try? runProcess(Self.executable, ["--kill"], environment: environment)
    runtime.cleanUp()
    home.cleanUp()
  }

  /// Records the sink's monitor into `path` as 32-bit floats until ``Recording/stop()``.
  func record(to path: String) throws -> Recording {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/parec")
    process.arguments = [
      "--latency-msec=10", "-d", "ast_null.monitor", "--format=float32le", "--rate=48000",
      "--channels=1",
    ]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = FileHandle(forWritingAtPath: path)
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    return Recording(process: process)
  }

  struct Recording {
    let process: Process
    /// Stops the recorder: SIGTERM (SIGINT may be ignored, inherited from the test
    /// process), then SIGKILL if it has not gone within a second.
    func stop() {
      process.terminate()
      let deadline = Date().addingTimeInterval(1)
      while process.isRunning, Date() < deadline { usleep(10_000) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
    }
  }

  struct PulseError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
  }
}

/// Notes the times a thread was kept from running for longer than `threshold`: a thread
/// that sleeps a millisecond at a time and measures how long it was away. At realtime
/// priority (as the player's render runs) a gap is the machine's own (a virtual machine
/// frozen); at normal priority (as the sound server and ALSA's PulseAudio plugin run) a
/// gap is also the load of other processes, which starves those threads. Underruns
/// that coincide with either are not the player's.
final class StallWitness: @unchecked Sendable {
  private let stalls = Mutex<[Double]>([])
  private let running = Atomic<Bool>(true)
  private let threshold: Double

  init(threshold: Double, realtime: Bool) {
    self.threshold = threshold
    Thread.detachNewThread { [self] in
      if realtime {
        var parameters = sched_param()
        parameters.sched_priority = 60
        _ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters)
      }
      var last = Date()
      while running.load(ordering: .relaxed) {
        usleep(1000)
        let now = Date()
        let gap = now.timeIntervalSince(last)
        if gap > threshold { stalls.withLock { $0.append(gap) } }
        last = now
      }
    }
  }

  /// The stalls seen, in seconds each.
  func stop() -> [Double] {
    running.store(false, ordering: .relaxed)
    return stalls.withLock { $0 }
  }
}

/// The first 10 s of the bench's polyphony patch W7: a note every 0.125 s, 1 s each, a
/// band-limited saw through a resonant lowpass and an ADSR, 48 kHz mono, written as the
/// bench writes it: a pattern of the rule's 24 MIDI numbers played by `voices`.
let pacedPatch: String = {
  let midi = (0..<24).map { String(45 + (7 * $0) % 24) }.joined(separator: " ")
  return [
    "rate 48000",
    "tempo 120",
    "fn voice freq dur = saw freq 1 amp:0.1 |> lowpass 2000 q:4 |> adsr 10ms 200ms 0.5 300ms",
    "w7 = voices (seq \"\(midi)\" bars:1.5 cycles:4) voice",
    "out = slice w7 0 10",
  ].joined(separator: "\n") + "\n"
}()

/// For each 0.1 s window of `render`, every 0.5 s, where it is in `recording` (its lag,
/// searched within 0.5 s of the start for the first and 0.1 s of the last lag found after, first on every 8th sample
/// averaged, then exactly) and how well it correlates there.
func windowCorrelations(of render: [Float], in recording: [Float])
  -> [(lag: Int, correlation: Double)]
{
  func decimated(_ samples: [Float]) -> [Double] {
    stride(from: 0, to: samples.count - 7, by: 8).map { start in
      (0..<8).reduce(0.0) { $0 + Double(samples[start + $1]) } / 8
    }
  }
  func correlation(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
    var product = 0.0
    var energyA = 0.0
    var energyB = 0.0
    for (x, y) in zip(a, b) {
      product += x * y
      energyA += x * x
      energyB += y * y
    }
    return product / max((energyA * energyB).squareRoot(), 1e-12)
  }
  let coarseRender = decimated(render)
  let coarseRecording = decimated(recording)
  let full = recording.map(Double.init)
  let fullRender = render.map(Double.init)
  var results: [(lag: Int, correlation: Double)] = []
  var lag = 0
  for window in 0..<19 {
    let start = window * 24_000 + 2_000
    guard start + 4_800 <= render.count else { break }
    let coarseStart = start / 8
    let probe = coarseRender[coarseStart..<coarseStart + 600]
    var best = (score: -2.0, lag: lag)
    // The first window may lie anywhere in the first half second; later ones drift
    // by the gaps between them.
    let reach = window == 0 ? 24_000 : 4_800
    for candidate in stride(from: lag - reach, through: lag + reach, by: 8) {
      let at = (start + candidate) / 8
      guard at >= 0, at + 600 <= coarseRecording.count else { continue }
      let score = correlation(probe, coarseRecording[at..<at + 600])
      if score > best.score { best = (score, candidate) }
    }
    var fine = (score: -2.0, lag: best.lag)
    for candidate in (best.lag - 8)...(best.lag + 8) {
      let at = start + candidate
      guard at >= 0, at + 4_800 <= full.count else { continue }
      let score = correlation(fullRender[start..<start + 4_800], full[at..<at + 4_800])
      if score > fine.score { fine = (score, candidate) }
    }
    lag = fine.lag
    results.append((fine.lag, fine.score))
  }
  return results
}

/// Waits up to 5 s until the recording at `path` holds half a second of sound at 48 kHz
/// (past PulseAudio's start-up stall of a new stream); returns whether it did.
func waitUntilSounded(_ path: String) -> Bool {
  for _ in 0..<100 {
    usleep(50_000)
    if let samples = try? rawFloats(path), let first = firstSound(samples),
      samples.count - first > 24_000
    {
      return true
    }
  }
  return false
}

/// Where a recording starts to sound: the first sample above -80 dBFS.
func firstSound(_ samples: [Float]) -> Int? { samples.firstIndex { abs($0) > 1e-4 } }

@Suite(
  "Playing paced by a clock, through a PulseAudio null sink", .serialized,
  .enabled(if: PulseDaemon.isInstalled, "needs pulseaudio and parec (Scripts/setup.sh)"))
struct PacedPlaybackTests {
  @Test("the W7 patch plays 10 s at period 128 without underruns, as it renders offline")
  func w7AtPeriod128() throws {
    guard releaseBuildExists() else { return }
    let daemon = try PulseDaemon()
    defer { daemon.stop() }
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try pacedPatch.write(toFile: directory.file("w7.ast"), atomically: true, encoding: .utf8)
    try "out = sine 440 0.3 |> gain 0.1\n".write(
      toFile: directory.file("warm.ast"), atomically: true, encoding: .utf8)
    let rendered = try ast(
      in: directory, "run", "w7.ast", "-o", directory.file("offline.wav"), "--block-size", "128")
    #expect(rendered.status == 0, "\(rendered.errorText)")
    // PulseAudio's first low-latency streams stall a second or two before they play.
    let warmRecording = try daemon.record(to: directory.file("warm.raw"))
    for _ in 0..<2 {
      _ = try runProcess(
        releaseAstExecutable, ["play", directory.file("warm.ast"), "--device", "pulse"],
        environment: daemon.environment)
    }
    warmRecording.stop()
    let recording = try daemon.record(to: directory.file("played.raw"))
    usleep(300_000)
    let machine = StallWitness(threshold: 0.008, realtime: true)
    let load = StallWitness(threshold: 0.008, realtime: false)
    let played = try runProcess(
      releaseAstExecutable,
      ["play", directory.file("w7.ast"), "--device", "pulse", "--period", "128"],
      environment: daemon.environment)
    let stalls = machine.stop()
    let starved = load.stop()
    usleep(300_000)
    recording.stop()
    #expect(played.status == 0, "\(played.errorText)")
    let report = played.errorText
    print(
      "paced W7 at period 128: \(report.trimmingCharacters(in: .newlines)); "
        + "machine stalls: \(stalls.count), normal-priority gaps: \(starved.count)")
    #expect(report.contains("played 10.000 s on 'pulse' (48000 Hz, mono, period 128)"), "\(report)")
    let underruns =
      report.firstMatch(of: /: (\d+) underruns?/).flatMap { Int($0.1) } ?? -1
    #expect(underruns >= 0, "\(report)")
    // An underrun is excused only when the machine itself was seen to stall.
    // An underrun is excused only when a stall or the load was witnessed.
    let excused = !stalls.isEmpty || !starved.isEmpty
    // The render itself keeps up: its longest block took less than a period on the CPU
    // (a virtual machine's stall counts on the guest's CPU clock too).
    let cpu = report.firstMatch(of: /\((\d+\.\d+) ms on the CPU\)/).flatMap { Double($0.1) }
    #expect(cpu != nil, "\(report)")
    #expect((cpu ?? 0) < 2.67 || excused, "\(report)")
    #expect(underruns == 0 || excused, "\(underruns) underruns with no stall: \(report)")

    // The recording is the offline render, delayed, with gaps where the server or its
    // monitor dropped or inserted samples: each 0.1 s window of the render, every
    // 0.5 s, must be found in the recording near where the one before was.
    let offline = try AudioSegmentSamples.mono(directory.file("offline.wav"))
    let recorded = try rawFloats(directory.file("played.raw"))
    let windows = windowCorrelations(of: offline, in: recorded)
    let matched = windows.filter { $0.correlation > 0.99 }.count
    let lags = windows.map(\.lag)
    print("paced W7: \(matched) of \(windows.count) windows match (lags \(lags))")
    #expect(windows.count == 19)
    #expect(matched * 10 >= windows.count * 9 || excused, "\(windows)")
  }

  @Test("Ctrl-C on the release build fades out within a period and exits with 130")
  func controlC() throws {
    guard releaseBuildExists() else { return }
    let daemon = try PulseDaemon()
    defer { daemon.stop() }
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try "out = sine 2000 30 rate:48000 |> gain 0.5\n".write(
      toFile: directory.file("long.ast"), atomically: true, encoding: .utf8)
    let recording = try daemon.record(to: directory.file("played.raw"))
    let terminal = try PseudoTerminal(
      releaseAstExecutable,
      ["play", directory.file("long.ast"), "--device", "pulse", "--period", "128"],
      environment: daemon.environment)
    // Past PulseAudio's start-up stall, until the sink has carried sound for a while.
    #expect(waitUntilSounded(directory.file("played.raw")), "no sound reached the sink")
    let mark = terminal.screen.count
    let pressed = Date()
    terminal.type("\u{3}")
    let status = terminal.waitForExit(seconds: 10)
    let seconds = Date().timeIntervalSince(pressed)
    usleep(300_000)
    recording.stop()
    print("Ctrl-C during play: exit after \(seconds) s")
    #expect(status == 130, "\(terminal.screen.suffix(400))")
    #expect(seconds < 0.5, "the player took \(seconds) s to stop")
    #expect(terminal.waitFor("interrupted", after: mark, seconds: 1), "\(terminal.screen)")
    #expect(terminal.screen.contains("played "), "\(terminal.screen)")
    // The sound ends with a fade: the last 32 samples are far below the tone's level,
    // which the samples before the fade still have.
    let recorded = try rawFloats(directory.file("played.raw"))
    guard let last = recorded.lastIndex(where: { abs($0) > 1e-4 }), last > 1000 else {
      Issue.record("the recording holds no sound")
      return
    }
    let tail = recorded[(last - 31)...last].map { abs($0) }.max() ?? 1
    let before = recorded[(last - 600)..<(last - 300)].map { abs($0) }.max() ?? 0
    #expect(before > 0.45, "the tone before the fade peaks at \(before)")
    #expect(tail < 0.2, "the last 32 samples peak at \(tail): no fade")
  }
}

extension PacedPlaybackTests {
  @Test("the release session plays in the background: the prompt stays live; Ctrl-C stops it")
  func sessionPlays() throws {
    guard releaseBuildExists() else { return }
    let daemon = try PulseDaemon()
    defer { daemon.stop() }
    let home = try TemporaryDirectory()
    defer { home.cleanUp() }
    var environment = daemon.environment
    environment["HOME"] = home.path
    let terminal = try PseudoTerminal(releaseAstExecutable, [], environment: environment)
    #expect(terminal.waitFor("ast> "))
    terminal.type(":device pulse\r")
    #expect(terminal.waitFor("from the next ':play'"))
    var mark = terminal.screen.count
    terminal.type(":play sine 440 30 |> gain 0.3\r")
    #expect(terminal.waitFor("playing 'sine 440 30 |> gain 0.3' on 'pulse'", after: mark))
    #expect(terminal.waitFor("ast> ", after: mark))
    // Typing and running go on while it plays.
    mark = terminal.screen.count
    let typed = Date()
    terminal.type("6 * 7\r")
    #expect(terminal.waitFor("42", after: mark, seconds: 2))
    let answered = Date().timeIntervalSince(typed)
    #expect(answered < 0.5, "the session took \(answered) s to answer while playing")
    // A second value replaces the first: the first is stopped and reported.
    mark = terminal.screen.count
    terminal.type(":play sine 660 30 |> gain 0.3\r")
    #expect(terminal.waitFor("played ", after: mark), "\(terminal.screen.suffix(300))")
    #expect(terminal.waitFor("playing 'sine 660 30 |> gain 0.3'", after: mark))
    // Past PulseAudio's start-up stall of a new stream (a second or two, during which
    // the device takes nothing and a stop waits): until the sink has carried sound.
    let recording = try daemon.record(to: home.file("played.raw"))
    let sounded = waitUntilSounded(home.file("played.raw"))
    recording.stop()
    #expect(sounded, "no sound reached the sink")
    // Ctrl-C at the prompt fades out what plays.
    mark = terminal.screen.count
    let pressed = Date()
    terminal.type("\u{3}")
    #expect(terminal.waitFor("played ", after: mark, seconds: 2), "\(terminal.screen.suffix(300))")
    let stopped = Date().timeIntervalSince(pressed)
    print("session: answered in \(answered) s while playing; Ctrl-C stopped it in \(stopped) s")
    #expect(stopped < 0.5, "Ctrl-C took \(stopped) s to stop the playing")
    terminal.type("\u{4}")
    #expect(terminal.waitForExit() == 0)
  }
}

/// Reads a WAV file's samples, mixed to mono, as floats.
enum AudioSegmentSamples {
  static func mono(_ path: String) throws -> [Float] {
    let result = try runProcess("/usr/bin/sox", [path, "-t", "f32", "-c", "1", "-"])
    return result.output.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
  }
}
