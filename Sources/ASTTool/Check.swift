import ASTRuntime
import ASTSemantics
import ASTSyntax
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

  /// How diagnostics are printed.
  enum DiagnosticFormat: String, ExpressibleByArgument {
    case text
    case json
  }

  @Argument(help: "The .ast script to check.", completion: .file(extensions: ["ast"]))
  var file: String

  @Flag(help: "Print the syntax tree as an indented outline.")
  var dump = false

  @Flag(help: "Print each binding with its type.")
  var types = false

  @Option(
    help: "How to print diagnostics: text, or json (one object per line on stdout).",
    completion: .list(["text", "json"]))
  var diagnostics: DiagnosticFormat = .text

  func run() throws {
    let source = try loadScript(file)
    let result = Checker.check(source)
    if dump {
      print(SyntaxDump(source: source).dump(result.parse.script), terminator: "")
    }
    if types {
      print(TypeListing.text(of: result.script), terminator: "")
    }
    switch diagnostics {
    case .json:
      print(DiagnosticJSON.lines(result.diagnostics, source: source), terminator: "")
    case .text:
      if !result.diagnostics.isEmpty {
        let renderer = DiagnosticRenderer(source: source, usesColor: isatty(STDERR_FILENO) == 1)
        var standardError = StandardError()
        print(renderer.render(result.diagnostics), terminator: "", to: &standardError)
        print(DiagnosticRenderer.summary(of: result.diagnostics), to: &standardError)
      }
    }
    if result.diagnostics.containsErrors { throw ExitCode(ExitStatus.failure) }
  }
}
