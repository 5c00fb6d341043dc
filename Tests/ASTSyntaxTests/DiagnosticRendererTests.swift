import ASTTestSupport
import Foundation
import Testing

@testable import ASTSyntax

@Suite("Diagnostic rendering")
struct DiagnosticRendererTests {
  func render(_ text: String, name: String = "song.ast", color: Bool = false) -> String {
    let source = Source(name: name, text: text)
    return DiagnosticRenderer(source: source, usesColor: color).render(
      Parser.parse(source).diagnostics)
  }

  @Test("header, source line with a gutter, and carets under the whole span")
  func layout() {
    #expect(
      render("osc = sine 440 1\nout = osc |>\n") == """
        song.ast:2:13: error: expected an expression after '|>', found end of line
           2 | out = osc |>
             |             ^

        """)
    #expect(
      render("x = sine 440Hz 1") == """
        song.ast:1:13: error: unknown unit 'Hz' after '440'
           1 | x = sine 440Hz 1
             |             ^^
        note: units are lower-case: write '440hz'

        """)
  }

  @Test("control characters in a source line or a message are shown as signs, carets in line")
  func controlCharacters() {
    // A comment that would clear the screen and retitle the window, and a string that
    // would recolour it, on lines with errors.
    let shown = render("x = @ # \u{1B}[2J\u{1B}]0;owned\u{7}\ny = \"\u{1B}\" + sine 440Hz 1")
    #expect(!shown.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    #expect(shown.contains("   1 | x = @ # ␛[2J␛]0;owned␇\n"))
    #expect(
      shown.contains(
        "song.ast:2:19: error: unknown unit 'Hz' after '440'\n   2 | y = \"␛\" + sine 440Hz 1\n"
          + "     | " + String(repeating: " ", count: 18) + "^^\n"), "\(shown)")
    #expect("a\u{0}b\u{85}c\td\ne".terminalSafe() == "a␀b\u{FFFD}c␉d␊e")
    #expect(
      "a\tb\nc\u{1B}".terminalSafe(keepingTabs: true, keepingLineBreaks: true) == "a\tb\nc␛")
  }

  @Test("a very long line is shown as a window around the span, with the carets under it")
  func longLine() {
    let text = "x = " + String(repeating: "1 + ", count: 200) + "@ + 2"
    let lines = render(text).split(separator: "\n").map(String.init)
    #expect(lines[0] == "song.ast:1:805: error: unexpected character '@'")
    #expect(lines[1].hasPrefix("   1 | …"))
    #expect(lines[1].count < 200)
    // The caret stands under the '@' in the window.
    let column = lines[2].firstIndex(of: "^").map {
      lines[2].distance(from: lines[2].startIndex, to: $0)
    }
    let at = lines[1].firstIndex(of: "@").map {
      lines[1].distance(from: lines[1].startIndex, to: $0)
    }
    #expect(column != nil && column == at)
  }

  @Test("notes with a place are rendered with their own source line")
  func notesWithPlaces() {
    #expect(
      render("x = (1 + 2") == """
        song.ast:1:11: error: expected ')' to close '(', found end of file
           1 | x = (1 + 2
             |           ^
        song.ast:1:5: note: '(' opened here
           1 | x = (1 + 2
             |     ^

        """)
  }

  @Test("columns count characters, so carets line up after non-ASCII text and tabs")
  func unicodeColumns() {
    let rendered = render("s = \"héllo wörld\" @")
    #expect(rendered.hasPrefix("song.ast:1:19: error: unexpected character '@'"))
    #expect(rendered.contains("\n     |                   ^\n"))
    let tabbed = render("\tx = @")
    #expect(tabbed.hasPrefix("song.ast:1:6: error:"))
    #expect(tabbed.contains("     | \t    ^\n"))
  }

  @Test("a span over several characters is underlined in full")
  func wideSpan() {
    let rendered = render("a |> 12345")
    #expect(rendered.contains("     |      ^^^^^\n"))
  }

  @Test("line numbers widen the gutter past four digits")
  func wideGutter() {
    let text = String(repeating: "x = 1\n", count: 12_000) + "y = )"
    let rendered = render(text)
    #expect(rendered.contains("12001 | y = )\n"))
    #expect(rendered.contains("      |     ^\n"))
  }

  @Test("colour is used only when asked for")
  func colour() {
    #expect(!render("x = @").contains("\u{1B}["))
    let coloured = render("x = @", color: true)
    #expect(coloured.contains("\u{1B}[1;31merror:\u{1B}[0m"))
    #expect(coloured.contains("\u{1B}[1;32m^\u{1B}[0m"))
  }

  @Test("the summary counts errors and warnings")
  func summary() {
    let range = SourceRange(start: 0, end: 1)
    #expect(DiagnosticRenderer.summary(of: []) == "")
    #expect(DiagnosticRenderer.summary(of: [.error("x", "m", at: range)]) == "1 error")
    #expect(
      DiagnosticRenderer.summary(of: [
        .error("x", "m", at: range), .error("y", "m", at: range), .warning("z", "m", at: range),
      ]) == "2 errors, 1 warning")
  }

  @Test("sources map offsets to lines and character columns")
  func locations() {
    let source = Source(name: "t", text: "ab\nçd\r\nef")
    #expect(source.lineCount == 3)
    #expect(source.location(of: 0) == SourceLocation(line: 1, column: 1))
    #expect(source.location(of: 3) == SourceLocation(line: 2, column: 1))
    #expect(source.location(of: 5) == SourceLocation(line: 2, column: 2))
    #expect(source.location(of: 9) == SourceLocation(line: 3, column: 2))
    #expect(source.location(of: 99) == SourceLocation(line: 3, column: 3))
    #expect(source.lineText(2) == "çd")
  }
}

@Suite("Sources that continue one another")
struct ContinuedSourceTests {
  @Test("positions and lines go on after the source before; lexing places tokens there")
  func positions() {
    let first = Source(name: "<repl>", text: "a = 1\nb = 2")
    let second = Source(name: "<repl>", text: "c = \"é\" |>", after: first)
    #expect(second.startOffset == first.bytes.count + 1)
    #expect(second.firstLine == 3)
    #expect(second.location(of: second.startOffset + 4) == SourceLocation(line: 3, column: 5))
    #expect(second.lineText(3) == "c = \"é\" |>")
    let tokens = Lexer.tokenize(second).tokens
    #expect(tokens.first?.range == SourceRange(start: 12, end: 13))
    #expect(second.text(in: tokens[2].range) == "\"é\"")
    #expect(first.contains(11) && !second.contains(11) && second.contains(second.endOffset))
  }

  @Test("a diagnostic renders from its source, a note about an earlier one from that one")
  func renderingAcrossSources() {
    let first = Source(name: "<repl>", text: "fn f x = x")
    let second = Source(name: "<repl>", text: "y = f |>", after: first)
    var diagnostics = Parser.parse(second).diagnostics
    #expect(diagnostics.count == 1)
    diagnostics[0].notes.append(
      DiagnosticNote("'f' is defined here", at: SourceRange(start: 0, end: 10)))
    #expect(
      DiagnosticRenderer(source: second, earlier: [first]).render(diagnostics) == """
        <repl>:2:9: error: expected an expression after '|>', found end of file
           2 | y = f |>
             |         ^
        <repl>:1:1: note: 'f' is defined here
           1 | fn f x = x
             | ^^^^^^^^^^

        """)
  }

  @Test("an input of a session continuing a value: '|> f' is '_ = _ |> f'")
  func continuation() {
    let source = Source(name: "<repl>", text: "\n|> gain 2\n|> lowpass 800; x = 1")
    let parse = Parser.parse(source, continuing: "_")
    #expect(parse.continuesValue && parse.diagnostics.isEmpty)
    #expect(
      parse.script.statements.map { SourcePrinter.print($0) } == [
        "_ = _\n  |> gain 2\n  |> lowpass 800", "x = 1",
      ])
    #expect(!Parser.parse(source).continuesValue)
    #expect(Parser.parse(source).diagnostics.count == 1)
    #expect(!Parser.parse(Source(name: "", text: "x |> gain 2"), continuing: "_").continuesValue)
  }
}
