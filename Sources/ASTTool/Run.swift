import ASTCore
import ASTEngine
import ASTRuntime
import ASTSemantics
import ASTSyntax
import ArgumentParser
import Dispatch
import Foundation
import Synchronization

/// `ast run FILE`: runs a script.
struct Run: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a script.",
    usage: """
      ast run <file> [--output <output>] [--rate <rate>] [--tempo <BPM>]
              [--plot <FILE>] [--emit <jsonl>] [--memory-limit <MB>]
              [--sandbox <DIR>]
              [--bitrate <kbps>] [--quality <q>] [--compression <level>]
              [--play] [--device <NAME>] [--period <FRAMES>] [--periods <N>]
              [--limiter]
      """,
    discussion: """
      Runs the statements in order, then renders 'out': into OUT with -o (the format \
      from its extension; '-o -' streams 16-bit WAV to standard output as it renders), \
      or as a summary line. The script is checked first: with errors nothing runs. \
      --bitrate, --quality and --compression set how an MP3, Ogg Vorbis or FLAC OUT is \
      encoded. A problem with an option's file is reported with the option and the path \
      as given: exit status 2 when it shows before running (an unknown extension, a \
      setting the format does not take), 1 when writing fails. \
      With --emit jsonl, 'out' goes to standard output as AudioStream chunks in their \
      JSON form, one a line (a signal in half-second chunks). \
      With --play, 'out' is also played on the sound device (see 'ast play'), at the \
      device's pace, while it is written to OUT or summarised. \
      Ctrl-C stops the render and leaves no partial output file (exit status 130; 143 \
      for SIGTERM; 141, quietly, when the reader of standard output goes away).
      """)

  @Argument(help: "The .ast script to run.", completion: .file(extensions: ["ast"]))
  var file: String

  @Option(
    name: .shortAndLong, help: "Write 'out' to this file ('-' for standard output).",
    completion: .file(extensions: AudioFileFormat.completionExtensions))
  var output: String?

  @Option(
    parsing: .unconditional, help: "The sample rate of generators before any 'rate' statement.")
  var rate: Int = 44_100

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The tempo of beats, bars and patterns, in beats a minute, in place of the script's "
        + "'tempo' statements (120 when it has none).", valueName: "BPM"))
  var tempo: Double?

  @Option(
    help: ArgumentHelp(
      "Confine every file the script reads or writes to this directory (for scripts from others).",
      valueName: "DIR"), completion: .directory)
  var sandbox: String?

  @Option(
    help: ArgumentHelp(
      "Write 'out' to standard output as AudioStream chunks, one JSON object a line.",
      valueName: "jsonl"), completion: .list(["jsonl"]))
  var emit: String?

  @Option(
    help: ArgumentHelp("Also draw the waveform of 'out' into this PNG file.", valueName: "FILE"),
    completion: .file(extensions: ["png"]))
  var plot: String?

  @OptionGroup var encoder: EncoderOptions

  @Flag(help: "Also play 'out' on the sound device (--device, default 'default').")
  var play = false

  @OptionGroup var playback: PlaybackOptions

  @Option(parsing: .unconditional, help: "Frames rendered per block.")
  var blockSize: Int = 1024

  @Flag(
    help:
      "Print how long the blocks of 'out' took to render (median, 99.9th percentile, longest) to standard error."
  )
  var blockTimes = false

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The most memory, in MB, the run may hold at once: every buffer, delay line and "
        + "signal held whole ('reverse', 'normalize') counted together.",
      valueName: "MB"))
  var memoryLimit: Int = RenderContext.defaultMemoryLimit >> 20

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The most time, in seconds, the run may take, on the wall clock and on the CPU "
        + "(default: none; 60 with --sandbox).", valueName: "SECONDS"))
  var timeLimit: Double?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The most bytes, in MB, the run may write to files and to standard output together "
        + "(default: none; 1024 with --sandbox).", valueName: "MB"))
  var outputLimit: Int?

  /// The time limit in force: the one given, or 60 s for a sandboxed script.
  var effectiveTimeLimit: Double? { timeLimit ?? (sandbox != nil ? 60 : nil) }
  /// The output limit in force, in MB: the one given, or 1024 MB for a sandboxed script.
  var effectiveOutputLimit: Int? { outputLimit ?? (sandbox != nil ? 1024 : nil) }

  func validate() throws {
    if let timeLimit, !(timeLimit > 0 && timeLimit <= 1e9) {
      throw ValidationError("--time-limit must be more than 0 and at most 1000000000 s")
    }
    if let outputLimit, !(1...(1 << 30)).contains(outputLimit) {
      throw ValidationError("--output-limit must be between 1 and 1073741824 MB")
    }
    guard SampleRates.supported.contains(rate) else {
      let rates = SampleRates.supported
      throw ValidationError(
        "--rate must be between \(rates.lowerBound) and \(rates.upperBound) Hz")
    }
    if let tempo, !(1...1000).contains(tempo) {
      throw ValidationError("--tempo must be between 1 and 1000 beats a minute")
    }
    guard blockSize >= 1, blockSize <= 1 << 20 else {
      throw ValidationError("--block-size must be between 1 and 1048576")
    }
    if let emit, emit != "jsonl" {
      throw ValidationError("--emit takes 'jsonl'")
    }
    if emit != nil, output != nil {
      throw ValidationError("--emit and --output both say where 'out' goes; give one")
    }
    if play, emit != nil {
      throw ValidationError("--play and --emit jsonl cannot go together; give one")
    }
    if !play, let option = playback.firstGiven {
      throw ValidationError("\(option) says how 'out' is played; give --play")
    }
    guard memoryLimit >= 1, memoryLimit <= 1 << 30 else {
      throw ValidationError("--memory-limit must be between 1 and 1073741824 MB")
    }
    if let sandbox, !Self.isDirectory(sandbox) {
      throw ValidationError("--sandbox '\(sandbox)': it is not a directory")
    }
    for (option, path) in [("-o", output), ("--plot", plot)] {
      if let path, Self.isDirectory(path) {
        throw ValidationError("\(option) '\(path)': it is a directory")
      }
    }
    guard let output else {
      if let option = encoder.firstGiven {
        throw ValidationError("\(option) sets how the -o file is encoded; give -o")
      }
      return
    }
    guard let format = AudioFileWriter.defaultFormat(for: Self.writingPath(output)) else {
      throw ValidationError("-o '\(output)': \(AudioFileWriter.unknownExtension)")
    }
    if let problem = encoder.problem(for: format, sampleRate: nil) {
      throw ValidationError("-o '\(output)': \(problem)")
    }
  }

  /// Refuses, before anything runs, the options that do not fit the checked script:
  /// no `out`, or one that -o or --plot cannot take, a setting or a format its rate does
  /// not allow (exit status 2), or a file whose directory is missing (exit status 1).
  /// (``validate()`` has refused what needs no script: an unknown extension, a setting
  /// the format does not take, a directory given as a file.)
  func checkOutputs(against script: TypedScript) throws {
    let outType = script.bindings.first { $0.name == "out" }?.type
    func refuse(_ message: String, status: Int32) -> ExitCode {
      var standardError = StandardError()
      print("ast: error: \(message)", to: &standardError)
      return ExitCode(status)
    }
    let asked = [("-o", output), ("--plot", plot), ("--emit", emit)].first { $0.1 != nil }
    if let (option, value) = asked, let value, outType == nil {
      throw refuse(
        "\(option) '\(value)': '\(file)' binds no 'out' to write", status: ExitStatus.usage)
    }
    if play {
      guard let outType else {
        throw refuse("'\(file)' binds no 'out' to play", status: ExitStatus.usage)
      }
      if !outType.isAudio, !outType.isStream, outType != .unknown {
        throw refuse(
          "--play: 'out' is \(outType.article), so there is no audio to play",
          status: ExitStatus.usage)
      }
    }
    if let given = output, let outType {
      let output = Self.writingPath(given)
      if !outType.isAudio, !outType.isStream, outType != .unknown {
        throw refuse(
          "-o '\(output)': 'out' is \(outType.article), so there is no audio to write",
          status: ExitStatus.usage)
      }
      if let format = AudioFileWriter.defaultFormat(for: output),
        let problem = encoder.problem(for: format, sampleRate: outType.audioFacts?.sampleRate)
      {
        throw refuse("-o '\(output)': \(problem)", status: ExitStatus.usage)
      }
      if let format = AudioFileWriter.defaultFormat(for: output),
        let rate = outType.audioFacts?.sampleRate,
        let problem = format.rateProblem(sampleRate: rate)
      {
        throw refuse("-o '\(output)': 'out' is at \(rate) Hz: \(problem)", status: ExitStatus.usage)
      }
    }
    if let plot, let outType, outType.isStream {
      throw refuse(
        "--plot '\(plot)': 'out' is a Stream, and --plot pictures a signal (join it first)",
        status: ExitStatus.usage)
    }
    for (option, path) in [("-o", output.map(Self.writingPath)), ("--plot", plot)] {
      guard let path, !AudioFileWriter.isStream(path) else { continue }
      do {
        try AudioFileWriter.checkDestination(path)
      } catch let error as AudioFileError {
        throw refuse("\(option) '\(path)': \(error.reason)", status: ExitStatus.failure)
      }
    }
  }

  /// How a failure of one of the run's own files reads: the option, the path as given,
  /// and what went wrong.
  static func describe(_ error: OutputError) -> String {
    switch error.target {
    case .out: "-o '\(error.path)': \(error.reason)"
    case .picture: "--plot '\(error.path)': \(error.reason)"
    case .jsonLines: "--emit jsonl: cannot write standard output: \(error.reason)"
    case .device: error.description
    }
  }

  func run() async throws {
    try await execute(try loadScript(file), summarisesOut: true)
  }

  /// Checks and runs `source` as these options say; `summarisesOut` says whether `out`
  /// without a file is summarised in a line (`ast play` only plays it).
  func execute(_ source: Source, summarisesOut: Bool) async throws {
    let renderer = DiagnosticRenderer(source: source, usesColor: isatty(STDERR_FILENO) == 1)
    var standardError = StandardError()
    let confinement = try sandbox.map { directory in
      do {
        return try Sandbox(directory: directory)
      } catch {
        throw fail(error)
      }
    }
    var checkOptions = CheckOptions(defaultSampleRate: rate)
    checkOptions.sandbox = confinement
    checkOptions.tempo = tempo
    if let confinement {
      // From here on every file under the folder is opened beneath it by the kernel.
      do {
        try Confinement.confine(to: confinement.root)
      } catch {
        throw fail(error)
      }
    }
    let check = Checker.check(source, options: checkOptions)
    if !check.diagnostics.isEmpty {
      print(renderer.render(check.diagnostics), terminator: "", to: &standardError)
    }
    if check.diagnostics.containsErrors {
      print(DiagnosticRenderer.summary(of: check.diagnostics), to: &standardError)
      throw ExitCode(ExitStatus.failure)
    }
    try checkOutputs(against: check.script)

    let token = CancellationToken()
    // A write to standard output or a pipe can block for as long as its reader waits,
    // where a signal's cancellation cannot reach it: the process then ends three
    // seconds after the signal all the same. (A render stops within a block otherwise.)
    let signals = SignalWatcher(token: token, exitsAfter: 3)
    let clock = effectiveTimeLimit.map { RunClock(limit: $0, token: token, exitsAfter: 3) }
    OutputBudget.shared.limit = effectiveOutputLimit.map { $0 << 20 }
    // A full file-size limit and a closed pipe become errors of the write that met them
    // (EFBIG, EPIPE) rather than signals that kill the process.
    signal(SIGXFSZ, SIG_IGN)
    signal(SIGPIPE, SIG_IGN)
    let toStandardOutput = (output.map(Self.isStandardOutput) ?? false) || emit != nil
    let bar: ProgressBar? = isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil
    let lines: any RunOutput =
      toStandardOutput ? StandardErrorRunOutput() : StandardRunOutput()
    var progress: (@Sendable (Double) -> Void)?
    if let bar { progress = { bar.show($0) } }
    let monitor = PlaybackMonitor()
    let request = play ? playback.request(monitor: monitor) : nil
    // Played, the render's block is the device's period.
    var options = RunOptions(
      blockSize: request?.periodFrames ?? blockSize, cancellation: token, output: lines,
      progress: progress)
    options.play = request
    options.summarisesOut = summarisesOut
    options.memoryLimit = memoryLimit << 20
    if emit != nil {
      options.out = .jsonLines
    } else if let output {
      options.out = .file(Self.writingPath(output), encoder.settings)
    }
    options.picturePath = plot
    let timer = blockTimes || play ? BlockTimer() : nil
    options.blockTimer = timer
    options.sandbox = confinement
    let evaluator = Evaluator(check: check, options: options)
    var report: RunReport?
    var failure: (any Error)?
    do {
      report = try await evaluator.run()
    } catch {
      failure = error
    }
    signals.stop()
    clock?.stop()
    bar?.finish()
    if let played = monitor.finish(timer: timer) { print(played, to: &standardError) }

    if let error = failure, Self.isClosedByReader(error) {
      // The reader of standard output stopped early (`ast run ... -o - | head`): a quiet
      // end, with the status a shell gives a process that a broken pipe stopped.
      throw ExitCode(ExitStatus.brokenPipe)
    }
    if blockTimes, let timer, timer.blockCount > 0 {
      print("block times: \(timer.summary)", to: &standardError)
    }
    let warnings = report?.warnings ?? evaluator.warnings()
    if !warnings.isEmpty {
      print(renderer.render(warnings), terminator: "", to: &standardError)
    }
    if let status = signals.exitStatus {
      print("ast: interrupted", to: &standardError)
      throw ExitCode(status)
    }
    if let passed = clock?.passed {
      print("ast: error: \(passed)", to: &standardError)
      throw ExitCode(ExitStatus.failure)
    }
    if let error = failure {
      if let runtime = error as? RuntimeError {
        print(renderer.render(runtime.diagnostic), terminator: "", to: &standardError)
      } else if let output = error as? OutputError {
        print("ast: error: \(Self.describe(output))", to: &standardError)
      } else {
        print("ast: error: \(error)", to: &standardError)
      }
      throw ExitCode(ExitStatus.failure)
    }
  }

  /// Whether `path` names an existing directory.
  static func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
  }

  /// The path `-o` writes to: `-` for any name of standard output (`/dev/stdout`, also
  /// when it is redirected to a file), else `path`.
  static func writingPath(_ path: String) -> String {
    isStandardOutput(path) ? "-" : path
  }

  /// Whether `path` is standard output: `-`, or a name of the same file (`/dev/stdout`),
  /// in which case printed lines go to standard error instead.
  static func isStandardOutput(_ path: String) -> Bool {
    if path == "-" { return true }
    var named = stat()
    var standard = stat()
    guard stat(path, &named) == 0, fstat(STDOUT_FILENO, &standard) == 0 else { return false }
    return named.st_dev == standard.st_dev && named.st_ino == standard.st_ino
  }

  /// Whether `error` is a write to a pipe whose reader has gone.
  static func isClosedByReader(_ error: any Error) -> Bool {
    if let file = error as? AudioFileError { return file.kind == .closedByReader }
    if let runtime = error as? RuntimeError { return runtime.isClosedByReader }
    if let output = error as? OutputError { return output.isClosedByReader }
    return false
  }
}

/// Summaries written to standard error, so that standard output carries only audio.
struct StandardErrorRunOutput: RunOutput {
  func line(_ text: String) {
    let shown = text.terminalSafe(keepingTabs: true, keepingLineBreaks: true)
    FileHandle.standardError.write(Data((shown + "\n").utf8))
  }
}

/// Turns SIGINT and SIGTERM into a cancelled render and remembers the exit status.
///
/// With `exitsAfter`, a render that has not stopped that many seconds after the signal
/// (one blocked writing to a pipe nobody reads) ends the process with the status: a
/// deadline armed once by the signal, not a poll.
final class SignalWatcher {
  private let source: (any DispatchSourceRead)?
  private let status = Locked<Int32?>(nil)
  private let deadline = ExitDeadline()

  init(token: CancellationToken, exitsAfter delay: Double? = nil) {
    // The signal handler (installed when the process started) records the signal and
    // writes a byte to a pipe, which wakes this source: nothing polls.
    guard let descriptor = TemporaryFiles.beginGracefulStop() else {
      source = nil
      return
    }
    let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: .global())
    let (status, deadline) = (self.status, self.deadline)
    source.setEventHandler {
      var bytes = [UInt8](repeating: 0, count: 64)
      while read(descriptor, &bytes, bytes.count) > 0 {}
      guard let number = TemporaryFiles.gracefulSignal else { return }
      let exitStatus: Int32 = number == SIGTERM ? 143 : 130
      let first = status.withLock { status in
        defer { status = status ?? exitStatus }
        return status == nil
      }
      token.cancel()
      guard first, let delay else { return }
      deadline.arm(after: delay, saying: "ast: interrupted", status: exitStatus)
    }
    source.resume()
    self.source = source
  }

  /// The exit status for the first signal received, if any.
  var exitStatus: Int32? { status.withLock { $0 } }

  func stop() {
    deadline.disarm()
    source?.cancel()
    TemporaryFiles.endGracefulStop()
  }
}

/// The time limit of a run: watches the wall clock and the process's CPU time, and
/// cancels the run when either passes the limit. Like ``SignalWatcher``, a run that has
/// not stopped `exitsAfter` seconds later (one blocked writing to a pipe) is ended with
/// exit status 1, its temporary files removed.
final class RunClock {
  private let timer: any DispatchSourceTimer
  private let message = Locked<String?>(nil)
  private let deadline = ExitDeadline()

  init(limit: Double, token: CancellationToken, exitsAfter delay: Double) {
    let start = Date()
    let timer = DispatchSource.makeTimerSource(queue: .global())
    self.timer = timer
    let (message, deadline) = (self.message, self.deadline)
    let shown = limit == limit.rounded() ? String(Int(limit)) : String(limit)
    timer.setEventHandler {
      var time = timespec()
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
      let cpu = Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
      let wall = Date().timeIntervalSince(start)
      guard wall > limit || cpu > limit else { return }
      let passed =
        wall > limit
        ? "the run took longer than its time limit of \(shown) s (--time-limit)"
        : "the run used more than its time limit of \(shown) s of CPU time (--time-limit)"
      let first = message.withLock { message in
        defer { message = message ?? passed }
        return message == nil
      }
      guard first else { return }
      token.cancel()
      deadline.arm(after: delay, saying: "ast: error: \(passed)", status: ExitStatus.failure)
    }
    timer.schedule(deadline: .now() + min(0.05, limit), repeating: 0.05)
    timer.resume()
  }

  /// What passed the limit, if anything did.
  var passed: String? { message.withLock { $0 } }

  func stop() {
    deadline.disarm()
    timer.cancel()
  }
}

/// A value shared by a watcher's handler and the run, behind a lock.
final class Locked<Value: Sendable>: Sendable {
  private let state: Mutex<Value>

  init(_ value: Value) { state = Mutex(value) }

  /// Runs `body` with the value, which it may change.
  func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
    state.withLock { body(&$0) }
  }
}

/// The last resort of a stopped run: ends the process a while after the run was told
/// to stop, unless it has stopped by then (a render blocked writing to a pipe that
/// nobody reads cannot see its cancellation). The temporary files are removed first.
final class ExitDeadline: Sendable {
  private let stopped = Mutex(false)

  /// Ends the process with `status` after `delay` seconds, saying `message` on standard
  /// error, unless ``disarm()`` was called by then.
  func arm(after delay: Double, saying message: String, status: Int32) {
    DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [self] in
      guard !stopped.withLock({ $0 }) else { return }
      TemporaryFiles.removeAll()
      FileHandle.standardError.write(Data((message + "\n").utf8))
      _exit(status)
    }
  }

  /// The run has stopped: the deadline does nothing.
  func disarm() {
    stopped.withLock { $0 = true }
  }
}

/// A progress bar on standard error, shown once a render has taken a second.
final class ProgressBar: Sendable {
  private let start = Date()
  private let state = Mutex(State())

  private struct State {
    var lastDrawn = Date.distantPast
    var shown = false
  }

  /// Draws the fraction done, at most ten times a second.
  func show(_ fraction: Double) {
    state.withLock { state in
      let now = Date()
      guard now.timeIntervalSince(start) >= 1, now.timeIntervalSince(state.lastDrawn) >= 0.1
      else {
        return
      }
      state.lastDrawn = now
      state.shown = true
      let width = 30
      let filled = Int((fraction * Double(width)).rounded(.down))
      let bar =
        String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
      let line = "\r[\(bar)] \(Int(fraction * 100))%"
      FileHandle.standardError.write(Data(line.utf8))
    }
  }

  /// Clears the bar's line, if it was drawn.
  func finish() {
    state.withLock { state in
      if state.shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
  }
}
