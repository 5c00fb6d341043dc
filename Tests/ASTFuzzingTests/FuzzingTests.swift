import ASTFuzzing
import ASTSemantics
import ASTSyntax
import ASTTestSupport
import Foundation
import Testing

/// The `ast-fuzz` executable built beside the test bundle.
let fuzzExecutable: String = {
  let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
  return executable.deletingLastPathComponent().appendingPathComponent("ast-fuzz").path
}()

/// The gallery and the error corpus, as the fuzzer's seeds.
let corpus: FuzzCorpus = {
  do {
    return try FuzzCorpus(
      directories: [repositoryRoot + "/Scripts/examples", repositoryRoot + "/Tests/Golden/errors"])
  } catch {
    fatalError("cannot read the corpus: \(error)")
  }
}()

/// Runs a fuzzer over the corpus in a sandbox of its own.
func withFuzzer<Result>(_ body: (Fuzzer) throws -> Result) throws -> Result {
  let sandbox = try corpus.makeSandbox()
  defer { FuzzCorpus.removeSandbox(sandbox) }
  return try body(Fuzzer(seeds: corpus.seeds, sandbox: sandbox))
}

@Suite("Fuzzing the front end")
struct FuzzingTests {
  @Test("a seeded pass of 10,000 inputs breaks no invariant", arguments: 0..<4)
  func seededPass(part: Int) throws {
    let report = try withFuzzer { $0.run(count: 2_500, seed: 20_250_101, first: part * 2_500) }
    #expect(report.count == 2_500)
    #expect(report.findings.isEmpty, "\(report.summary)")
  }

  @Test("a seeded pass through the run time breaks no invariant, and the scripts do run")
  func renderedPass() throws {
    // In a process of its own, as users run it: the runs' tasks then have the threads of
    // the shared pool to themselves, which the tests around would keep busy.
    let result = try runProcess(
      fuzzExecutable,
      [
        "--count", "1500", "--seed", "20261202", "--render", "--corpus",
        repositoryRoot + "/Scripts/examples", "--corpus", repositoryRoot + "/Tests/Golden/errors",
      ])
    #expect(result.status == 0, "\(result.text) \(result.errorText)")
    #expect(result.text.contains("findings: 0"), "\(result.text)")
    let ran = result.text.firstMatch(of: #/run: ([0-9]+) /#).map { Int($0.output.1) ?? 0 } ?? 0
    #expect(ran > 60, "\(result.text)")
  }

  @Test("the run-time target finds a file written outside its folder and a leftover")
  func renderInvariants() throws {
    try withFuzzer { fuzzer in
      let folder = fuzzer.renderTarget.sandbox
      // A clean run: nothing found, what it wrote removed afterwards.
      let clean = fuzzer.renderTarget.run(Array("write (sine 440 1) \"a.wav\"\n".utf8))
      #expect(clean.ran && clean.problems.isEmpty, "\(clean)")
      #expect(!FileManager.default.fileExists(atPath: folder + "/a.wav"))
      // What a broken confinement would leave: found and named.
      let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
      try Data().write(to: URL(fileURLWithPath: parent + "/escaped.wav"))
      try Data().write(to: URL(fileURLWithPath: folder + "/.x.wav.tmp-1"))
      let found = fuzzer.renderTarget.run(Array("out = sine 440 1\n".utf8))
      #expect(found.problems.contains { $0.contains("outside the sandbox: [\"escaped.wav\"]") })
      #expect(found.problems.contains { $0.contains("left a temporary file: .x.wav.tmp-1") })
      try FileManager.default.removeItem(atPath: parent + "/escaped.wav")
      try FileManager.default.removeItem(atPath: folder + "/.x.wav.tmp-1")
    }
  }

  @Test("the inputs reach the checker: many scripts are clean, most diagnostics appear")
  func reach() throws {
    let report = try withFuzzer { $0.run(count: 2_000, seed: 7) }
    #expect(report.cleanCount > 100, "\(report.summary)")
    let all = Set(
      (Lexer.IDs.all + Parser.IDs.all + Checker.IDs.all).map(\.rawValue))
    let seen = Set(report.diagnosticCounts.keys)
    #expect(seen.isSubset(of: all), "\(seen.subtracting(all))")
    #expect(seen.count >= all.count * 3 / 4, "missing: \(all.subtracting(seen).sorted())")
  }

  @Test("an input is made again from its seed and index alone")
  func reproducible() throws {
    try withFuzzer { fuzzer in
      for index in [0, 1, 17, 99_999] {
        #expect(
          fuzzer.input(seed: 5, index: index).bytes == fuzzer.input(seed: 5, index: index).bytes)
      }
      let first = (0..<20).map { fuzzer.input(seed: 5, index: $0).bytes }
      let second = (0..<20).map { fuzzer.input(seed: 6, index: $0).bytes }
      #expect(first != second)
      #expect(Set(first).count > 15)
    }
  }

  @Test("confining replaces slashes inside strings only")
  func confine() {
    let text = "x = read \"/etc/passwd\" / 2 # a/b\nwrite x \"../up/out.wav\""
    let confined = String(decoding: FuzzTarget.confine(Array(text.utf8)), as: UTF8.self)
    #expect(confined == "x = read \"_etc_passwd\" / 2 # a/b\nwrite x \".._up_out.wav\"")
  }

  @Test("the target checks reads in its sandbox")
  func sandbox() throws {
    try withFuzzer { fuzzer in
      let found = fuzzer.target.run(Array("v = read \"voice.wav\"\nprint v".utf8))
      #expect(found.problems.isEmpty)
      #expect(found.diagnosticIDs.isEmpty)
      let missing = fuzzer.target.run(Array("v = read \"missing.wav\"".utf8))
      #expect(missing.diagnosticIDs == ["unreadable-file"])
    }
  }

  @Test("ast-fuzz runs a seeded count and reports count, time, slowest input and findings")
  func command() throws {
    let result = try runProcess(
      fuzzExecutable,
      [
        "--count", "300", "--seed", "3", "--corpus", repositoryRoot + "/Scripts/examples",
      ])
    #expect(result.status == 0, "\(result.errorText)")
    #expect(result.text.contains("inputs: 300 (seed 3)"))
    #expect(result.text.contains("slowest input: "))
    #expect(result.text.contains("findings: 0"))
  }

  @Test("ast-fuzz --print-input prints the input that a run checks")
  func printInput() throws {
    let arguments = ["--seed", "9", "--corpus", repositoryRoot + "/Scripts/examples"]
    let once = try runProcess(fuzzExecutable, arguments + ["--print-input", "12"])
    let again = try runProcess(fuzzExecutable, arguments + ["--print-input", "12"])
    #expect(once.status == 0)
    #expect(once.output == again.output)
    let other = try runProcess(fuzzExecutable, arguments + ["--print-input", "13"])
    #expect(once.output != other.output)
  }

  @Test("a crash names the seed, index and input, and saves the input")
  func crashGuard() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let arguments = [
      "--seed", "7", "--first", "3", "--corpus", repositoryRoot + "/Scripts/examples",
    ]
    let input = try runProcess(fuzzExecutable, arguments + ["--print-input", "3"]).output
    let result = try runProcess(
      fuzzExecutable, arguments + ["--simulate", "crash", "--crash-directory", directory.path])
    #expect(result.status == 128 + SIGSEGV)
    #expect(result.errorText.contains("ast-fuzz: CRASH (SIGSEGV) at seed 7 index 3"))
    #expect(result.errorText.contains(String(decoding: input, as: UTF8.self)))
    let saved = try Data(contentsOf: URL(fileURLWithPath: directory.file("crash-7-3.ast")))
    #expect(saved == input)
  }

  @Test("an input that runs past the timeout is reported as a hang")
  func hangGuard() throws {
    let result = try runProcess(
      fuzzExecutable,
      [
        "--seed", "7", "--first", "4", "--timeout", "1", "--simulate", "hang", "--corpus",
        repositoryRoot + "/Scripts/examples",
      ])
    #expect(result.status == 124)
    #expect(result.errorText.contains("ast-fuzz: HANG (no result after 1 s) at seed 7 index 4"))
  }
}
