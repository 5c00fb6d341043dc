import ASTCore
import ASTEngine
import ASTRuntime
import ASTSemantics
import ASTSyntax
import Foundation

/// What one input does at run time: a script that checks without errors is run in a
/// sandbox folder under tight limits, each signal rendered for at most
/// ``previewSeconds``, and what must hold for any script is verified: the run ends
/// (within ``timeLimit``, else it is cancelled), an error is one of the run's own with
/// a place in the script, nothing is written outside the sandbox, and no temporary file
/// is left in it. A trap or a hang is the crash guard's to report.
public struct RenderTarget: Sendable {
  /// The folder the script reads and writes in; its parent holds nothing else.
  public let sandbox: String
  /// Seconds of audio rendered of each signal at most.
  public static let previewSeconds = 0.1
  /// The memory a run may hold.
  public static let memoryLimit = 64 << 20
  /// Seconds of wall-clock time after which a run is cancelled.
  public static let timeLimit = 2.0

  /// Creates a target that runs scripts in `sandbox`.
  public init(sandbox: String) {
    self.sandbox = sandbox
  }

  /// What a run of one input found.
  public struct Outcome: Sendable {
    /// Broken invariants, each described in a sentence; empty when all held.
    public var problems: [String] = []
    /// Whether the script was run (it checked without errors).
    public var ran = false
    /// The kind of error the run ended with, if any: a diagnostic identifier, or the
    /// error's type.
    public var error: String?
  }

  /// Checks and, when it has no errors, runs a confined input; verifies the results.
  public func run(_ bytes: [UInt8]) -> Outcome {
    var outcome = Outcome()
    let source = Source(name: "fuzz.ast", bytes: bytes)
    guard let sandboxed = try? Sandbox(directory: sandbox) else {
      outcome.problems.append("the sandbox '\(sandbox)' cannot be opened")
      return outcome
    }
    var checkOptions = CheckOptions(baseDirectory: sandbox)
    checkOptions.sandbox = sandboxed
    let check = Checker.check(source, options: checkOptions)
    guard !check.diagnostics.containsErrors else { return outcome }
    outcome.ran = true
    let before = Self.listing(sandbox)
    let token = CancellationToken()
    var options = RunOptions(cancellation: token, output: DiscardedOutput())
    options.baseDirectory = sandbox
    options.sandbox = sandboxed
    options.memoryLimit = Self.memoryLimit
    options.previewSeconds = Self.previewSeconds
    // Standard input is empty: a script that reads it sees its end at once.
    let empty = open("/dev/null", O_RDONLY | O_CLOEXEC)
    defer { if empty >= 0 { close(empty) } }
    options.inputDescriptor = empty
    let finished = DispatchSemaphore(value: 0)
    let result = ResultBox()
    let expected = check.script.bindings.last(where: { $0.name == "out" })?.type.audioFacts
    // On a thread of its own, not the shared pool: the caller waits here, and may itself
    // be on the pool (a test), whose threads may all be waiting.
    let runOptions = options
    do {
      try RenderThread.start(
        { result.report = try await Evaluator(check: check, options: runOptions).run() },
        done: { outcome in
          if case .failure(let error) = outcome { result.error = error }
          finished.signal()
        })
    } catch {
      outcome.problems.append("the run could not start: \(error)")
      return outcome
    }
    if finished.wait(timeout: .now() + Self.timeLimit) == .timedOut {
      token.cancel()
      if finished.wait(timeout: .now() + 10) == .timedOut {
        outcome.problems.append("the run did not stop within 10 s of being cancelled")
        return outcome
      }
    }
    if let error = result.error {
      switch error {
      case let runtime as RuntimeError:
        outcome.error = runtime.diagnosticID.rawValue
        if runtime.range.end > bytes.count || runtime.range.start < 0 {
          outcome.problems.append("the run's error points outside the script: \(runtime)")
        }
        // A fault of the engine, such as a render to another length than its graph
        // declared, is reported as an internal error.
        if runtime.message.contains("internal error") {
          outcome.problems.append("the run found a fault of the engine: \(runtime)")
        }
      default:
        outcome.error = token.isCancelled ? "cancelled" : "\(type(of: error))"
        if !token.isCancelled {
          outcome.problems.append("the run failed without a place in the script: \(error)")
        }
      }
    }
    // What ran is what the checker said would: the rate and channels it typed `out` with.
    if let summary = result.report?.out, let expected {
      if let rate = expected.sampleRate, rate != summary.sampleRate {
        outcome.problems.append(
          "out ran at \(summary.sampleRate) Hz where the checker said \(rate) Hz")
      }
      if let channels = expected.channelCount, channels != summary.channelCount {
        outcome.problems.append(
          "out ran with \(summary.channelCount) channels where the checker said \(channels)")
      }
    }
    // Nothing beside the sandbox; no temporary file in it.
    let parent = URL(fileURLWithPath: sandbox).deletingLastPathComponent().path
    let outside = Self.listing(parent).filter {
      $0 != URL(fileURLWithPath: sandbox).lastPathComponent
    }
    if !outside.isEmpty {
      outcome.problems.append("the run wrote outside the sandbox: \(outside.sorted())")
    }
    let inside = Self.listing(sandbox)
    if let leftover = inside.first(where: { $0.contains(".tmp-") }) {
      outcome.problems.append("the run left a temporary file: \(leftover)")
    }
    // What the run wrote is removed, so every input starts from the same folder.
    for name in inside.subtracting(before) {
      try? FileManager.default.removeItem(atPath: sandbox + "/" + name)
    }
    return outcome
  }

  /// The names in a folder, hidden ones included.
  static func listing(_ directory: String) -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
  }

  /// Where the run's error is handed from its task.
  private final class ResultBox: @unchecked Sendable {
    // Written by the task before it signals, read after the wait.
    var error: (any Error)?
    var report: RunReport?
  }

  /// Printed lines, dropped.
  private struct DiscardedOutput: RunOutput {
    func line(_ text: String) {}
  }
}
