import ASTTestSupport
import Foundation
import Testing

@testable import ASTSyntax

/// The kinds of the tokens of `text`, without the final end of file.
func kinds(_ text: String) -> [TokenKind] {
  Array(Lexer.tokenize(Source(name: "t", text: text)).tokens.dropLast().map(\.kind))
}

/// The tokens of `text`, without the final end of file.
func tokens(_ text: String) -> [Token] {
  Array(Lexer.tokenize(Source(name: "t", text: text)).tokens.dropLast())
}

/// `LINE:COL id: message` for each diagnostic of lexing and parsing `text`.
func diagnostics(_ text: String) -> [String] {
  let source = Source(name: "t.ast", text: text)
  return Parser.parse(source).diagnostics.map {
    "\(source.location(of: $0.range.start)) \($0.id): \($0.message)"
  }
}

@Suite("Lexer")
struct LexerTests {
  @Test("punctuation and operators")
  func punctuation() {
    #expect(
      kinds("|> = + - * / ( ) [ ] , : ;") == [
        .pipe, .equals, .plus, .minus, .star, .slash, .leftParen, .rightParen, .leftBracket,
        .rightBracket, .comma, .colon, .semicolon,
      ])
  }

  @Test("names and the keyword fn")
  func names() {
    let lexed = tokens("osc out_2 _tmp fn fnord")
    #expect(lexed.map(\.kind) == [.identifier, .identifier, .identifier, .keywordFn, .identifier])
    #expect(lexed.compactMap(\.text) == ["osc", "out_2", "_tmp", "fnord"])
  }

  @Test(
    "numbers, exponents and units",
    arguments: [
      ("440", 440.0, "440", nil), ("0.5", 0.5, "0.5", nil), ("1e-3", 0.001, "1e-3", nil),
      ("2.5E+2", 250, "2.5E+2", nil), ("500ms", 500, "500", NumberUnit.milliseconds),
      ("2s", 2, "2", .seconds), ("440hz", 440, "440", .hertz), ("1.2khz", 1.2, "1.2", .kilohertz),
      ("-6db", -6, "-6", .decibels), ("3e2hz", 300, "3e2", .hertz),
    ] as [(String, Double, String, NumberUnit?)])
  func numbers(text: String, value: Double, digits: String, unit: NumberUnit?) {
    let lexed = tokens(text)
    #expect(lexed.count == 1)
    #expect(lexed.first?.number == NumberLiteral(value: value, text: digits, unit: unit))
    #expect(lexed.first?.range == SourceRange(start: 0, end: text.utf8.count))
  }

  @Test("a minus before a digit is a literal unless it follows an operand")
  func negativeLiterals() {
    #expect(kinds("gain x -6db") == [.identifier, .identifier, .number])
    #expect(kinds("a-1") == [.identifier, .minus, .number])
    #expect(kinds("a - 1") == [.identifier, .minus, .number])
    #expect(kinds("(-1)") == [.leftParen, .number, .rightParen])
    #expect(kinds("[1,-2]") == [.leftBracket, .number, .comma, .number, .rightBracket])
    #expect(kinds("q:-0.5") == [.identifier, .colon, .number])
    #expect(kinds("x=-1") == [.identifier, .equals, .number])
    #expect(
      kinds("f(x)-1") == [.identifier, .leftParen, .identifier, .rightParen, .minus, .number])
    #expect(kinds("\"s\"-1") == [.string, .minus, .number])
    #expect(kinds("-x") == [.minus, .identifier])
    #expect(kinds("-1") == [.number])
    #expect(kinds("2--1") == [.number, .minus, .number])
    #expect(tokens("x -6db").last?.number?.value == -6)
  }

  @Test("strings resolve their escapes")
  func strings() {
    let lexed = tokens(#""in.wav" "say \"hi\"\t\\\n" "" "ünï""#)
    #expect(lexed.map(\.kind) == [.string, .string, .string, .string])
    #expect(lexed.compactMap(\.text) == ["in.wav", "say \"hi\"\t\\\n", "", "ünï"])
  }

  @Test("comments vanish and runs of line breaks become one newline token")
  func commentsAndNewlines() {
    #expect(kinds("# only a comment") == [])
    #expect(
      kinds("\n\n  a # note\n\n# more\n\nb\n") == [.identifier, .newline, .identifier, .newline])
    #expect(kinds("a\r\nb") == [.identifier, .newline, .identifier])
  }

  @Test("a string holds no control character as it is, but a tab; escapes stay allowed")
  func controlCharacters() {
    // A NUL would end a path where the system reads it: "self.ast\0.wav" is "self.ast".
    #expect(
      diagnostics("write x \"self.ast\u{0}.wav\"") == [
        "1:18 control-character: control character U+0000 in a string"
      ])
    #expect(
      diagnostics("x = \"\u{1B}[2J\u{7F}\"") == [
        "1:6 control-character: control character U+001B in a string",
        "1:10 control-character: control character U+007F in a string",
      ])
    // U+009B is a terminal's one-byte escape sequence introducer, two bytes in UTF-8.
    #expect(
      diagnostics("x = \"a\u{9B}b\"") == [
        "1:7 control-character: control character U+009B in a string"
      ])
    #expect(diagnostics("x = \"a\tb\"").isEmpty)
    #expect(diagnostics(#"x = "a\nb\tc""#).isEmpty)
    #expect(tokens(#"x = "a\nb""#)[2].text == "a\nb")
    // The rest of the string is still read: the refused character is left out.
    #expect(tokens("x = \"a\u{0}b\"")[2].text == "ab")
  }

  @Test("each lexical error is reported with its place, and lexing goes on")
  func lexicalErrors() {
    #expect(diagnostics("x = @") == ["1:5 unexpected-character: unexpected character '@'"])
    #expect(diagnostics("x = a | b") == ["1:7 unexpected-character: unexpected character '|'"])
    #expect(diagnostics("x = é") == ["1:5 unexpected-character: unexpected character 'é'"])
    #expect(
      diagnostics("x = \"abc\ny = 2") == [
        "1:5 unterminated-string: unterminated string: expected '\"' before the end of the line"
      ])
    #expect(
      diagnostics(#"x = "a\qb""#) == [#"1:7 invalid-escape: invalid escape '\q' in a string"#])
    #expect(
      diagnostics("x = 1.") == [
        "1:5 malformed-number: malformed number '1.': expected digits after '.'"
      ])
    #expect(
      diagnostics("x = 1e+") == [
        "1:5 malformed-number: malformed number '1e+': expected digits after the exponent"
      ])
    #expect(diagnostics("x = 1e999") == ["1:5 malformed-number: number '1e999' is too large"])
    #expect(diagnostics("x = 440Hz") == ["1:8 unknown-unit: unknown unit 'Hz' after '440'"])
    #expect(diagnostics("x = 3x") == ["1:6 unknown-unit: unknown unit 'x' after '3'"])
    // Lexing goes on: three bad characters on three lines give three diagnostics.
    #expect(diagnostics("a = @\nb = $\nc = ~").count == 3)
  }

  @Test("an unknown unit in another case suggests the lower-case spelling")
  func unitSuggestion() {
    let result = Parser.parse(Source(name: "t", text: "f = 1.2KHz"))
    #expect(
      result.diagnostics.first?.notes == [DiagnosticNote("units are lower-case: write '1.2khz'")])
  }
}
