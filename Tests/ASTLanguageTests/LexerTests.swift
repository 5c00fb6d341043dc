import ASTTestSupport
import Foundation
import Testing

@testable import ASTLanguage

/// The kinds of the tokens of `text`, without the final end of file.
func kinds(_ text: String) -> [TokenKind] {
  Array(Lexer.tokenize(Source(name: "t", text: text)).tokens.dropLast().map(\.kind))
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
}
