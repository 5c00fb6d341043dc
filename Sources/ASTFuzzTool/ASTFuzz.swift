import ASTFuzzing
import CFuzzGuard
import Foundation

#if LIBFUZZER
  // Built with `--sanitize=fuzzer -Xswiftc -DLIBFUZZER`, the command is a libFuzzer
  // target: libFuzzer supplies `main`, makes the inputs and catches crashes; a broken
  // invariant becomes a crash it reports.

  /// The target, checking in a sandbox of its own made at the first input, holding the
  /// audio files of the gallery and the error corpus when run from the repository.
  let libFuzzerTarget: FuzzTarget = {
    let directories = ["Scripts/examples", "Tests/Golden/errors"].filter {
      FileManager.default.fileExists(atPath: $0)
    }
    let sandbox = (try? FuzzCorpus(directories: directories).makeSandbox()) ?? "/nonexistent"
    return FuzzTarget(sandbox: sandbox)
  }()

  /// The entry point libFuzzer calls with each input.
  @_cdecl("LLVMFuzzerTestOneInput")
  public func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let outcome = libFuzzerTarget.run(FuzzTarget.confine(bytes))
    if !outcome.problems.isEmpty {
      fatalError(outcome.problems.joined(separator: "; "))
    }
    return 0
  }
#else
  import ArgumentParser

  /// `ast-fuzz`: runs seeded inputs through the language's lexer, parser and checker.
  @main
  struct ASTFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ast-fuzz",
      abstract:
        "Fuzz the ast language's lexer, parser and checker, and with --render its run time, with seeded inputs.",
      discussion: """
        Inputs are token soups, grammar-shaped scripts and mutations of the corpus
        scripts; input I of seed S is the same on every run with the same corpus. A
        crash or a hang prints the seed, index and input and ends with status 124
        (hang) or 128 + the signal; broken invariants are listed at the end and give
        status 1.
        """)

    @Option(help: "How many inputs to run.")
    var count = 100_000

    @Option(help: "The seed of the run.")
    var seed: UInt64 = 1

    @Option(help: "The index of the first input (to resume or reproduce a part of a run).")
    var first = 0

    @Option(
      help: ArgumentHelp(
        """
        A folder of .ast seed scripts (and .wav files they read); may be repeated. \
        Default: Scripts/examples and Tests/Golden/errors, when present.
        """, valueName: "dir"))
    var corpus: [String] = []

    @Option(help: "Seconds one input may take before it counts as a hang.")
    var timeout: UInt32 = 10

    @Flag(
      help: """
        Also run each input that checks without errors, in the sandbox folder, each \
        signal for at most 0.1 s of audio, within 64 MB and 2 s: the run must end with \
        no trap, an error with a place, nothing written outside the folder, no \
        temporary file left, every signal rendered to the length its graph declared, \
        and out at the rate and channels the checker gave it.
        """)
    var render = false

    @Option(
      help: ArgumentHelp("A folder to save the input of a crash or hang in.", valueName: "dir"))
    var crashDirectory: String?

    @Option(
      help: ArgumentHelp(
        "Print input INDEX of the seed and stop, without running it.", valueName: "index"))
    var printInput: Int?

    @Option(
      help: ArgumentHelp(
        "Run one file through the front end, guarded, and report.", valueName: "file"))
    var replay: String?

    @Option(help: .hidden)
    var simulate: Simulation?

    /// Faults raised on purpose while input `first` is guarded, to try the guard.
    enum Simulation: String, ExpressibleByArgument {
      case crash, hang
    }

    mutating func run() throws {
      let directories =
        corpus.isEmpty
        ? ["Scripts/examples", "Tests/Golden/errors"].filter {
          FileManager.default.fileExists(atPath: $0)
        } : corpus
      let found = try FuzzCorpus(directories: directories)
      let sandbox = try found.makeSandbox()
      defer { FuzzCorpus.removeSandbox(sandbox) }
      let fuzzer = Fuzzer(seeds: found.seeds, sandbox: sandbox)

      if let printInput {
        FileHandle.standardOutput.write(Data(fuzzer.input(seed: seed, index: printInput).bytes))
        return
      }
      guard CrashGuard.install(timeout: timeout, crashDirectory: crashDirectory) else {
        throw ValidationError("cannot install the crash handlers")
      }
      if let simulate {
        let input = fuzzer.input(seed: seed, index: first)
        // The guard ends the process without cleaning up.
        FuzzCorpus.removeSandbox(sandbox)
        input.bytes.withUnsafeBufferPointer {
          ast_fuzz_guard_begin(seed, UInt64(first), $0.baseAddress, $0.count)
        }
        switch simulate {
        case .crash: raise(SIGSEGV)
        case .hang: while true { sleep(1) }
        }
      }
      if let replay {
        let bytes = FuzzTarget.confine([UInt8](try Data(contentsOf: URL(fileURLWithPath: replay))))
        let report = fuzzer.replay(bytes)
        print(report.problems.isEmpty ? "no problem" : report.problems.joined(separator: "\n"))
        if !report.problems.isEmpty { throw ExitCode(1) }
        return
      }

      print(
        "corpus: \(found.seeds.count) scripts and \(found.audioFiles.count) audio files from "
          + (directories.isEmpty ? "nowhere" : directories.joined(separator: ", ")))
      let report = fuzzer.run(
        count: count, seed: seed, first: first, guarded: true, render: render,
        progressEvery: render ? 10_000 : 100_000
      ) { done in
        FileHandle.standardError.write(Data("\(done) inputs\n".utf8))
      }
      print(report.summary)
      if !report.findings.isEmpty { throw ExitCode(1) }
    }
  }
#endif
