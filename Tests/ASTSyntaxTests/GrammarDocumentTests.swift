import Foundation
import Testing

@testable import ASTSyntax

@Suite("Grammar.md")
struct GrammarDocumentTests {
  static let document: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    return (try? String(contentsOf: root.appendingPathComponent("Grammar.md"), encoding: .utf8))
      ?? ""
  }()

  /// The contents of the fenced blocks marked with `language`.
  static func blocks(_ language: String) -> [String] {
    var blocks: [String] = []
    var current: [String]?
    for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
      if current == nil, line == "```" + language {
        current = []
      } else if current != nil, line == "```" {
        blocks.append(current!.joined(separator: "\n"))
        current = nil
      } else {
        current?.append(String(line))
      }
    }
    return blocks
  }

  @Test("every ast example parses without a diagnostic")
  func examplesParse() {
    let examples = Self.blocks("ast")
    #expect(examples.count >= 5)
    for example in examples {
      let result = Parser.parse(Source(name: "Grammar.md", text: example))
      #expect(result.diagnostics.isEmpty, "\(example)\n\(result.diagnostics.map(\.message))")
      #expect(!result.script.statements.isEmpty)
    }
  }

  @Test("the table of diagnostics names every identifier the lexer and parser declare")
  func diagnosticTable() {
    let identifiers: [DiagnosticID] = [
      Lexer.IDs.unexpectedCharacter, Lexer.IDs.unterminatedString, Lexer.IDs.invalidEscape,
      Lexer.IDs.malformedNumber, Lexer.IDs.unknownUnit, Lexer.IDs.controlCharacter,
      Parser.IDs.expectedExpression,
      Parser.IDs.unclosedBracket, Parser.IDs.unmatchedBracket, Parser.IDs.expectedSeparator,
      Parser.IDs.expectedName, Parser.IDs.invalidBindingTarget, Parser.IDs.positionalAfterNamed,
      Parser.IDs.invalidPipeTarget, Parser.IDs.nestingTooDeep,
    ]
    for identifier in identifiers {
      #expect(Self.document.contains("| `\(identifier)` |"), "\(identifier)")
    }
    #expect(Self.document.contains("more than \(Parser.maximumDepth) levels"))
  }

  @Test("every mistake example is reported")
  func mistakesAreReported() {
    for block in Self.blocks("text") where block.contains("#") {
      for line in block.split(separator: "\n") {
        let code = String(line.split(separator: "#", maxSplits: 1)[0])
        let result = Parser.parse(Source(name: "Grammar.md", text: code))
        #expect(!result.diagnostics.isEmpty, "\(code)")
      }
    }
  }
}
