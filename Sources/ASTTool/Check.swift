import ASTLanguage
import ArgumentParser
import Foundation

/// `ast check FILE`: reports every error in a script without running it.
struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a script for errors without running it.",
    discussion: """
      Prints every diagnostic as FILE:LINE:COL: error: message, with the source line \
      and a caret under the span. Exits with status 1 when there were errors.
      """)

  @Argument(help: "The .ast script to check.")
  var file: String

  @Flag(help: "Print the syntax tree as an indented outline.")
  var dump = false

  func run() throws {
    let source: Source
    do {
      source = try Source(contentsOfFile: file)
    } catch {
      throw fail(error)
    }
    let result = Parser.parse(source)
    if dump {
      print(SyntaxDump(source: source).dump(result.script), terminator: "")
    }
    if !result.diagnostics.isEmpty {
      let renderer = DiagnosticRenderer(
        source: source, usesColor: isatty(STDERR_FILENO) == 1)
      var standardError = StandardError()
      print(renderer.render(result.diagnostics), terminator: "", to: &standardError)
      print(DiagnosticRenderer.summary(of: result.diagnostics), to: &standardError)
    }
    if result.diagnostics.containsErrors { throw ExitCode(ExitStatus.failure) }
  }
}
