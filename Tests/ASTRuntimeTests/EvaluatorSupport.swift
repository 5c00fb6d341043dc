import ASTCore
import ASTEngine
import ASTTestSupport
import Foundation
import Synchronization
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

/// Collects the lines a run prints.
final class CapturedOutput: RunOutput {
  let lines = Mutex<[String]>([])
  func line(_ text: String) { lines.withLock { $0.append(text) } }
  var all: [String] { lines.withLock { $0 } }
}

/// Checks and runs `text`; returns the evaluator (to render bindings), the report and
/// the printed lines. Fails the test on any diagnostic.
func runScript(
  _ text: String, blockSize: Int = 1024, directory: String? = nil, outPath: String? = nil,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) async throws -> (Evaluator, RunReport, [String]) {
  let check = Checker.check(
    Source(name: "t.ast", text: text), options: CheckOptions(baseDirectory: directory))
  #expect(
    check.diagnostics.isEmpty, "\(check.diagnostics.map(\.message))", sourceLocation: sourceLocation
  )
  let output = CapturedOutput()
  let evaluator = Evaluator(
    check: check,
    options: RunOptions(
      blockSize: blockSize, baseDirectory: directory, output: output,
      out: outPath.map { .file($0, EncoderSettings()) } ?? .summary))
  let report = try await evaluator.run()
  return (evaluator, report, output.all)
}

/// The error of running `text`, which must check clean, with `memoryLimit` bytes, or
/// `nil` when it ran.
func runtimeFailure(
  _ text: String, memoryLimit: Int = RenderContext.defaultMemoryLimit,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) async -> RuntimeError? {
  let check = Checker.check(Source(name: "t.ast", text: text))
  #expect(
    check.diagnostics.isEmpty, "\(check.diagnostics.map(\.message))", sourceLocation: sourceLocation
  )
  var options = RunOptions(output: CapturedOutput())
  options.memoryLimit = memoryLimit
  do {
    _ = try await Evaluator(check: check, options: options).run()
    return nil
  } catch {
    return error as? RuntimeError
  }
}

/// The samples of binding `name` of script `text`.
func render(
  _ text: String, _ name: String = "out", blockSize: Int = 1024, directory: String? = nil,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) async throws -> RenderedAudio {
  let (evaluator, _, _) = try await runScript(
    text, blockSize: blockSize, directory: directory, sourceLocation: sourceLocation)
  return try await evaluator.render(binding: name)
}

/// The RMS of `samples[range]`.
func rms(_ samples: [Float], _ range: Range<Int>? = nil) -> Double {
  let part = range.map { Array(samples[$0]) } ?? samples
  guard !part.isEmpty else { return 0 }
  return (part.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(part.count)).squareRoot()
}

/// The level of `a - b` relative to `b`, in dB (`-inf` when equal).
func differenceDB(_ a: [Float], _ b: [Float]) -> Double {
  precondition(a.count == b.count, "lengths \(a.count) and \(b.count)")
  let difference = zip(a, b).map { $0 - $1 }
  let reference = rms(b)
  let error = rms(difference)
  return error == 0 ? -.infinity : 20 * log10(error / max(reference, 1e-30))
}
