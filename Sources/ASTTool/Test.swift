import ASTRuntime
import ASTSemantics
import ASTSyntax
import ArgumentParser
import Foundation

/// `ast test`: golden tests of scripts.
struct Test: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run scripts and compare them with their golden files (NAME.golden).",
    discussion: """
      For each NAME.ast (in the directories given, or the files given) the script runs in a \
      temporary directory holding copies of its neighbours, and what it printed, its \
      diagnostics, its exit status and a fingerprint of every audio file it wrote and of \
      'out' are compared with NAME.golden: numbers within 0.01, envelopes within one step. \
      --update records the golden files; --sandbox confines every file a script reads or \
      writes to its temporary directory. Exits with 0 when every script passes.
      """)

  @Argument(help: "Scripts, or directories of scripts.", completion: .file(extensions: ["ast"]))
  var paths: [String] = ["."]

  @Flag(help: "Record the golden files instead of comparing.")
  var update = false

  @Flag(help: "Let each script touch files only in its own temporary directory.")
  var sandbox = false

  func run() async throws {
    let scripts = GoldenRunner.scripts(in: paths)
    var outcomes: [(String, GoldenRunner.Outcome)] = []
    for script in scripts {
      outcomes.append(
        (script, await GoldenRunner.run(script: script, update: update, sandboxed: sandbox)))
    }
    var passed = 0
    var failed = 0
    for (script, outcome) in outcomes {
      switch outcome {
      case .passed:
        passed += 1
        print("PASS \(script)")
      case .updated:
        passed += 1
        print("RECORDED \(GoldenRunner.goldenPath(for: script))")
      case .missing:
        failed += 1
        print("FAIL \(script): no golden file (record it with --update)")
      case .failed(let lines):
        failed += 1
        print("FAIL \(script)")
        for line in lines { print("  " + line) }
      }
    }
    print("\(passed) passed, \(failed) failed")
    if failed > 0 || scripts.isEmpty { throw ExitCode(ExitStatus.failure) }
  }
}
