import ASTCore
import ASTRuntime
import ASTSemantics
import ASTSyntax
import ArgumentParser
import Foundation

/// `ast fmt FILE...`: rewrites scripts in the canonical layout.
struct Format: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fmt",
    abstract: "Rewrite scripts in the canonical layout, keeping their comments.",
    discussion: """
      One statement per line, single spaces, each stage of a chain of pipes on a line of \
      its own indented by two spaces, at most one blank line in a row. With --check \
      nothing is written: the files that would change are listed and the status is 1. \
      A script that does not parse is reported and left alone.
      """)

  @Argument(help: "The scripts to format.", completion: .file(extensions: ["ast"]))
  var files: [String]

  @Flag(help: "Only report the files that would change (status 1 if any would).")
  var check = false

  func run() throws {
    var failed = false
    var standardError = StandardError()
    for file in files {
      let loaded = try loadScript(file)
      // Bytes that are not UTF-8 are kept: carried through as characters of their own.
      let escaped = TextFile.escapingInvalidUTF8(loaded.bytes)
      if escaped == nil, String(validating: loaded.bytes, as: UTF8.self) == nil {
        // The characters that carry stray bytes are in the file already: formatting
        // could not tell them apart, and would lose bytes.
        print(
          "ast: error: '\(file)' holds bytes that are not UTF-8 and also characters "
            + "U+F780 to U+F7FF, which stand for such bytes while formatting, so it was "
            + "not formatted", to: &standardError)
        failed = true
        continue
      }
      let source = escaped.map { Source(name: loaded.name, text: $0) } ?? loaded
      switch Formatter.format(source) {
      case .unparsable(let diagnostics):
        let renderer = DiagnosticRenderer(
          source: source, usesColor: isatty(STDERR_FILENO) == 1)
        print(renderer.render(diagnostics), terminator: "", to: &standardError)
        print("ast: error: '\(file)' does not parse, so it was not formatted", to: &standardError)
        failed = true
      case .formatted(let formatted):
        guard formatted != source.text else { continue }
        if check {
          print("would reformat \(file)")
          failed = true
          continue
        }
        do {
          // Written beside the file (through a link) and renamed over it, so a failure
          // leaves it whole.
          let bytes =
            escaped != nil ? TextFile.bytes(escaped: formatted) : Array(formatted.utf8)
          try TextFile.write(bytes, to: file)
          print("formatted \(file)")
        } catch {
          print("ast: error: \(error)", to: &standardError)
          failed = true
        }
      }
    }
    if failed { throw ExitCode(ExitStatus.failure) }
  }
}
