import CFuzzGuard
import Foundation

/// A script that inputs are made from by mutation.
public struct FuzzSeed: Sendable {
  /// Where the script came from: a file name or `built-in`.
  public var name: String
  /// Its text.
  public var bytes: [UInt8]

  /// Creates a seed.
  public init(name: String, bytes: [UInt8]) {
    self.name = name
    self.bytes = bytes
  }

  /// A few scripts that are always among the seeds, so that a run without a corpus
  /// still mutates real programs.
  public static let builtIn: [FuzzSeed] = [
    """
    rate 48000
    lfo  = sine 5hz 2s
    tone = saw (220hz + 3 * lfo) 2s
    out  = tone
      |> lowpass 1.2khz q:0.9
      |> adsr 10ms 200ms 0.6 500ms
      |> delay 250ms feedback:0.35 mix:0.3
      |> gain -6db
      |> chunk 500ms
    """,
    """
    fn voice freq dur = saw freq dur |> lowpass (freq * 4) q:0.8
    melody = concat [voice 220 0.5, voice 330 0.5, voice 440 1]
    write melody "melody.wav"; print (peak melody)
    """,
    """
    v = read "voice.wav"
    wet = mix [v, reverb v room:0.8 |> gain -9db]
    s = subscribe "bus"
    publish "bus" (wet |> chunk 100ms)
    write (join s |> normalize) "out.flac"
    """,
  ].enumerated().map { FuzzSeed(name: "built-in-\($0.offset)", bytes: Array($0.element.utf8)) }
}

/// One generated input: its bytes and how it was made.
public struct FuzzInput: Sendable {
  /// The text, already confined to the sandbox.
  public var bytes: [UInt8]
  /// How it was made: `soup`, `script`, `mutation of NAME`, `mutated script`.
  public var origin: String
  /// The check options variant (see ``FuzzTarget/options(variant:)``).
  public var variant: Int
}

/// An input that broke an invariant.
public struct FuzzFinding: Sendable, CustomStringConvertible {
  /// The seed of the run.
  public var seed: UInt64
  /// The input's index in the run.
  public var index: Int
  /// How the input was made.
  public var origin: String
  /// What went wrong.
  public var problems: [String]
  /// The input.
  public var bytes: [UInt8]

  /// The finding with its input, for a report.
  public var description: String {
    "seed \(seed) index \(index) (\(origin)): " + problems.joined(separator: "; ") + "\n-----\n"
      + String(decoding: bytes, as: UTF8.self) + "\n-----"
  }
}

/// What a run found.
public struct FuzzReport: Sendable {
  /// The seed of the run.
  public var seed: UInt64
  /// How many inputs ran.
  public var count = 0
  /// The wall time of the whole run.
  public var elapsed = Duration.zero
  /// The time of the slowest input, its index and its size in bytes.
  public var slowest = (time: Duration.zero, index: 0, size: 0)
  /// Inputs that broke an invariant (crashes and hangs end the process instead).
  public var findings: [FuzzFinding] = []
  /// How many inputs were checked without any diagnostic.
  public var cleanCount = 0
  /// How often each diagnostic identifier was given.
  public var diagnosticCounts: [String: Int] = [:]
  /// How many inputs were run (with `render`: those that checked without errors).
  public var renderedCount = 0
  /// How the runs that failed ended: the error's diagnostic identifier or type.
  public var runErrorCounts: [String: Int] = [:]

  /// A few lines for people: count, time, slowest input, findings.
  public var summary: String {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let slowestMilliseconds =
      Double(slowest.time.components.seconds) * 1000
      + Double(slowest.time.components.attoseconds) / 1e15
    var lines = [
      "inputs: \(count) (seed \(seed)), \(String(format: "%.1f", seconds)) s, "
        + "\(Int(Double(count) / max(seconds, 1e-9))) per second",
      "slowest input: \(String(format: "%.3f", slowestMilliseconds)) ms "
        + "(index \(slowest.index), \(slowest.size) bytes)",
      "checked without a diagnostic: \(cleanCount); distinct diagnostics given: "
        + "\(diagnosticCounts.count)",
      "findings: \(findings.count)",
    ]
    if renderedCount > 0 {
      let errors = runErrorCounts.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
      lines.insert(
        "run: \(renderedCount) (\(runErrorCounts.values.reduce(0, +)) ended with an error: "
          + (errors.isEmpty ? "none" : errors.joined(separator: ", ")) + ")", at: 3)
    }
    lines += findings.map(\.description)
    return lines.joined(separator: "\n")
  }
}

/// A seeded fuzzer of the language's front end: it makes inputs (token soups,
/// grammar-shaped scripts, mutations of seed scripts) and runs each through lexer,
/// parser and checker with ``FuzzTarget``.
///
/// Input `i` of a run with seed `s` depends only on `s`, `i` and the seeds, so any
/// input can be made again with ``input(seed:index:)``.
public struct Fuzzer: Sendable {
  /// The scripts mutations start from (the built-in ones included).
  public let seeds: [FuzzSeed]
  /// What runs each input.
  public let target: FuzzTarget
  /// What runs each input that checks, when the run time is fuzzed too.
  public let renderTarget: RenderTarget

  /// Creates a fuzzer mutating `seeds` (and the built-in seeds) and checking in `sandbox`.
  public init(seeds: [FuzzSeed], sandbox: String) {
    self.seeds = FuzzSeed.builtIn + seeds
    self.target = FuzzTarget(sandbox: sandbox)
    self.renderTarget = RenderTarget(sandbox: sandbox)
  }

  /// Input `index` of a run with `seed`.
  public func input(seed: UInt64, index: Int) -> FuzzInput {
    var random = FuzzRandom(seed: seed, index: index)
    let bytes: [UInt8]
    let origin: String
    switch random.below(20) {
    case 0, 1, 2:
      (bytes, origin) = (ScriptGenerator.tokenSoup(&random), "soup")
    case 3, 4, 5, 6, 7:
      (bytes, origin) = (ScriptGenerator.script(&random), "script")
    case 8, 9, 10:
      let script = ScriptGenerator.script(&random)
      let others = [random.pick(seeds).bytes]
      (bytes, origin) = (
        Mutator.mutate(script, others: others, random: &random), "mutated script"
      )
    default:
      let seed = random.pick(seeds)
      let others = [random.pick(seeds).bytes, random.pick(seeds).bytes]
      (bytes, origin) = (
        Mutator.mutate(seed.bytes, others: others, random: &random), "mutation of \(seed.name)"
      )
    }
    return FuzzInput(
      bytes: FuzzTarget.confine(bytes), origin: origin, variant: random.percent(15) ? 1 : 0)
  }

  /// Runs one given input with both check options, handed to the crash guard as input 0
  /// of seed 0.
  public func replay(_ bytes: [UInt8]) -> FuzzTarget.Outcome {
    bytes.withUnsafeBufferPointer { ast_fuzz_guard_begin(0, 0, $0.baseAddress, $0.count) }
    defer { ast_fuzz_guard_end() }
    var outcome = target.run(bytes, variant: 0)
    outcome.problems += target.run(bytes, variant: 1).problems
    return outcome
  }

  /// Runs inputs `first..<first + count` of `seed`.
  ///
  /// With `guarded`, each input is handed to the crash guard first (see
  /// ``CrashGuard``), so a crash or hang names the input. With `render`, each input that
  /// checks without errors is also run (``RenderTarget``). `progress` is called after
  /// every `progressEvery` inputs with the number done.
  public func run(
    count: Int, seed: UInt64, first: Int = 0, guarded: Bool = false, render: Bool = false,
    progressEvery: Int = 100_000, progress: ((Int) -> Void)? = nil
  ) -> FuzzReport {
    var report = FuzzReport(seed: seed)
    let clock = ContinuousClock()
    let start = clock.now
    for index in first..<(first + max(0, count)) {
      let input = input(seed: seed, index: index)
      if guarded {
        input.bytes.withUnsafeBufferPointer {
          ast_fuzz_guard_begin(seed, UInt64(index), $0.baseAddress, $0.count)
        }
      }
      let before = clock.now
      var outcome = target.run(input.bytes, variant: input.variant)
      if render {
        let ran = renderTarget.run(input.bytes)
        if ran.ran { report.renderedCount += 1 }
        if let error = ran.error { report.runErrorCounts[error, default: 0] += 1 }
        outcome.problems += ran.problems
      }
      let time = before.duration(to: clock.now)
      if guarded { ast_fuzz_guard_end() }
      report.count += 1
      if time > report.slowest.time { report.slowest = (time, index, input.bytes.count) }
      if outcome.diagnosticIDs.isEmpty { report.cleanCount += 1 }
      for id in outcome.diagnosticIDs { report.diagnosticCounts[id, default: 0] += 1 }
      if !outcome.problems.isEmpty {
        report.findings.append(
          FuzzFinding(
            seed: seed, index: index, origin: input.origin, problems: outcome.problems,
            bytes: input.bytes))
      }
      if let progress, report.count % max(1, progressEvery) == 0 { progress(report.count) }
    }
    report.elapsed = start.duration(to: clock.now)
    return report
  }
}

/// Reports crashes and hangs of the process, naming the input that caused them.
///
/// A signal handler (SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE) and a watchdog
/// (`alarm`) write the seed, index and input of the running input to standard error,
/// and into a file when a directory is given, then end the process.
public enum CrashGuard {
  /// Installs the handlers; inputs then run under a watchdog of `timeout` seconds.
  ///
  /// - Returns: false when the handlers could not be installed.
  @discardableResult
  public static func install(timeout: UInt32, crashDirectory: String? = nil) -> Bool {
    if let crashDirectory {
      return ast_fuzz_guard_install(timeout, crashDirectory) == 0
    }
    return ast_fuzz_guard_install(timeout, nil) == 0
  }
}

/// Scripts and audio files found in corpus directories.
public struct FuzzCorpus: Sendable {
  /// The `.ast` scripts, by file name.
  public var seeds: [FuzzSeed] = []
  /// The paths of audio files that scripts may read.
  public var audioFiles: [String] = []

  /// Reads the `.ast` files of `directories` and notes their `.wav` files.
  ///
  /// - Throws: when a directory cannot be listed or a script cannot be read.
  public init(directories: [String]) throws {
    for directory in directories {
      let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
      for name in names {
        let path = directory + "/" + name
        if name.hasSuffix(".ast") {
          let data = try Data(contentsOf: URL(fileURLWithPath: path))
          seeds.append(FuzzSeed(name: name, bytes: [UInt8](data)))
        } else if name.hasSuffix(".wav") {
          audioFiles.append(path)
        }
      }
    }
  }

  /// Creates a fresh directory under the system's temporary directory holding copies of
  /// the audio files, for ``FuzzTarget/sandbox``. It is nested one level down, so that
  /// even `..` names a folder of the fuzzer's own.
  ///
  /// - Throws: when the directory cannot be made or a file cannot be copied.
  public func makeSandbox() throws -> String {
    let base = FileManager.default.temporaryDirectory.path + "/ast-fuzz-" + UUID().uuidString
    let sandbox = base + "/files"
    try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
    for path in audioFiles {
      let name = URL(fileURLWithPath: path).lastPathComponent
      let destination = sandbox + "/" + name
      if !FileManager.default.fileExists(atPath: destination) {
        try FileManager.default.copyItem(atPath: path, toPath: destination)
      }
    }
    return sandbox
  }

  /// Removes a directory made by ``makeSandbox()``, with its parent.
  public static func removeSandbox(_ sandbox: String) {
    let parent = URL(fileURLWithPath: sandbox).deletingLastPathComponent().path
    try? FileManager.default.removeItem(atPath: parent)
  }
}
