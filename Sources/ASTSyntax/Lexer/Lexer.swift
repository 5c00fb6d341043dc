/// Turns source text into tokens, reporting bad input as diagnostics and going on.
///
/// Line breaks become ``TokenKind/newline`` tokens (one per run of breaks, comments and
/// blank lines); whether a break ends a statement is the parser's decision. A `-`
/// directly followed by a digit starts a negative number literal unless the character
/// just before it ends an operand (a letter, digit, `_`, `)`, `]` or `"`): `gain x -6db`
/// passes minus six decibels, `a-1` and `a - 1` subtract.
public struct Lexer {
  /// Diagnostic identifiers of the lexer.
  public enum IDs {
    /// A character that starts no token.
    public static let unexpectedCharacter: DiagnosticID = "unexpected-character"
    /// A string literal without its closing quote on the same line.
    public static let unterminatedString: DiagnosticID = "unterminated-string"
    /// A backslash escape other than `\" \\ \n \t`.
    public static let invalidEscape: DiagnosticID = "invalid-escape"
    /// A number with a dangling `.` or exponent, or one too large.
    public static let malformedNumber: DiagnosticID = "malformed-number"
    /// Letters after a number that are not one of the units.
    public static let unknownUnit: DiagnosticID = "unknown-unit"
    /// A control character (NUL, escape, ...) written as it is inside a string.
    public static let controlCharacter: DiagnosticID = "control-character"

    /// Every identifier above.
    public static let all: [DiagnosticID] = [
      unexpectedCharacter, unterminatedString, invalidEscape, malformedNumber, unknownUnit,
      controlCharacter,
    ]
  }

  private let source: Source
  private let bytes: [UInt8]
  /// The position of the first byte (``Source/startOffset``): positions in ranges are
  /// counted from it, offsets into ``bytes`` from 0.
  private let base: Int
  private var position = 0
  private var tokens: [Token] = []
  private var diagnostics: [Diagnostic] = []

  /// The tokens of a source, ending with ``TokenKind/endOfFile``, and the lexer's diagnostics.
  public static func tokenize(_ source: Source) -> (tokens: [Token], diagnostics: [Diagnostic]) {
    var lexer = Lexer(source: source)
    lexer.run()
    return (lexer.tokens, lexer.diagnostics)
  }

  private init(source: Source) {
    self.source = source
    self.bytes = source.bytes
    self.base = source.startOffset
    tokens.reserveCapacity(bytes.count / 3 + 1)
    // A UTF-8 byte-order mark at the start is not part of the script.
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
  }

  private func peek(_ offset: Int = 0) -> UInt8? {
    let index = position + offset
    return index < bytes.count ? bytes[index] : nil
  }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= 0x30 && byte <= 0x39
  }

  private static func isIdentifierByte(_ byte: UInt8) -> Bool {
    isLetter(byte) || isDigit(byte)
  }

  /// The range of the bytes `start..<end` of ``bytes``.
  private func span(_ start: Int, _ end: Int) -> SourceRange {
    SourceRange(start: base + start, end: base + end)
  }

  private mutating func emit(_ kind: TokenKind, from start: Int) {
    tokens.append(Token(kind, span(start, position)))
  }

  private mutating func report(
    _ id: DiagnosticID, _ message: String, _ range: SourceRange, notes: [DiagnosticNote] = []
  ) {
    diagnostics.append(.error(id, message, at: range, notes: notes))
  }

  private mutating func run() {
    while let byte = peek() {
      let start = position
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        position += 1
      case UInt8(ascii: "#"):
        while let next = peek(), next != UInt8(ascii: "\n") { position += 1 }
      case UInt8(ascii: "\n"):
        position += 1
        if let last = tokens.last, last.kind != .newline {
          emit(.newline, from: start)
        }
      case UInt8(ascii: "\""):
        lexString()
      case UInt8(ascii: "-") where peek(1).map(Self.isDigit) == true && !followsOperand(start):
        lexNumber()
      case _ where Self.isDigit(byte):
        lexNumber()
      case _ where Self.isLetter(byte):
        while let next = peek(), Self.isIdentifierByte(next) { position += 1 }
        let name = source.text(in: span(start, position))
        if name == "fn" {
          emit(.keywordFn, from: start)
        } else {
          tokens.append(Token(.identifier, span(start, position), text: name))
        }
      default:
        lexPunctuation(byte)
      }
    }
    tokens.append(Token(.endOfFile, span(bytes.count, bytes.count)))
  }

  /// Whether the byte before `offset` ends an operand, making a `-` there binary.
  private func followsOperand(_ offset: Int) -> Bool {
    guard offset > 0 else { return false }
    let previous = bytes[offset - 1]
    return Self.isIdentifierByte(previous) || previous == UInt8(ascii: ")")
      || previous == UInt8(ascii: "]") || previous == UInt8(ascii: "\"")
  }

  private mutating func lexPunctuation(_ byte: UInt8) {
    let start = position
    position += 1
    let kind: TokenKind
    switch byte {
    case UInt8(ascii: "|"):
      if peek() == UInt8(ascii: ">") {
        position += 1
        kind = .pipe
      } else {
        report(
          Self.IDs.unexpectedCharacter, "unexpected character '|'",
          span(start, position),
          notes: [DiagnosticNote("the pipe operator is written '|>'")])
        kind = .invalid
      }
    case UInt8(ascii: "="): kind = .equals
    case UInt8(ascii: "+"): kind = .plus
    case UInt8(ascii: "-"): kind = .minus
    case UInt8(ascii: "*"): kind = .star
    case UInt8(ascii: "/"): kind = .slash
    case UInt8(ascii: "("): kind = .leftParen
    case UInt8(ascii: ")"): kind = .rightParen
    case UInt8(ascii: "["): kind = .leftBracket
    case UInt8(ascii: "]"): kind = .rightBracket
    case UInt8(ascii: ","): kind = .comma
    case UInt8(ascii: ":"): kind = .colon
    case UInt8(ascii: ";"): kind = .semicolon
    default:
      // Take the whole UTF-8 sequence so the message shows the character.
      if byte >= 0xC0 {
        while let next = peek(), next & 0xC0 == 0x80 { position += 1 }
      }
      let range = span(start, position)
      let text = source.text(in: range)
      let shown =
        byte < 0x20 || byte == 0x7F
        ? "U+" + String(byte, radix: 16, uppercase: true).leftPadded(to: 4) : text
      report(Self.IDs.unexpectedCharacter, "unexpected character '\(shown)'", range)
      kind = .invalid
    }
    emit(kind, from: start)
  }

  private mutating func lexNumber() {
    let start = position
    if peek() == UInt8(ascii: "-") { position += 1 }
    while let next = peek(), Self.isDigit(next) { position += 1 }
    var malformed: String?
    if peek() == UInt8(ascii: "."), !(peek(1).map(Self.isDigit) ?? false) {
      position += 1
      malformed = "expected digits after '.'"
    } else if peek() == UInt8(ascii: ".") {
      position += 1
      while let next = peek(), Self.isDigit(next) { position += 1 }
    }
    if malformed == nil, peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      var lookahead = 1
      if peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") { lookahead = 2 }
      if peek(lookahead).map(Self.isDigit) == true {
        position += lookahead
        while let next = peek(), Self.isDigit(next) { position += 1 }
      } else {
        position += lookahead
        malformed = "expected digits after the exponent"
      }
    }
    let digitsEnd = position
    let text = source.text(in: span(start, digitsEnd))

    // A unit follows directly: a run of letters, digits and underscores.
    var unit: NumberUnit?
    if let next = peek(), Self.isLetter(next) {
      while let byte = peek(), Self.isIdentifierByte(byte) { position += 1 }
      let suffix = source.text(in: span(digitsEnd, position))
      if let known = NumberUnit(rawValue: suffix) {
        unit = known
      } else if malformed == nil {
        var notes = [DiagnosticNote("units are ms, s, hz, khz, db, b (beats) and bar")]
        if let lower = NumberUnit(rawValue: suffix.lowercased()) {
          notes = [DiagnosticNote("units are lower-case: write '\(text)\(lower.rawValue)'")]
        }
        report(
          Self.IDs.unknownUnit, "unknown unit '\(suffix)' after '\(text)'",
          span(digitsEnd, position), notes: notes)
      }
    }
    let range = span(start, position)
    if let malformed {
      report(
        Self.IDs.malformedNumber,
        "malformed number '\(source.text(in: range))': \(malformed)", range)
      tokens.append(Token(.invalid, range))
      return
    }
    guard let value = Double(text), value.isFinite else {
      report(Self.IDs.malformedNumber, "number '\(text)' is too large", range)
      tokens.append(Token(.invalid, range))
      return
    }
    tokens.append(
      Token(.number, range, number: NumberLiteral(value: value, text: text, unit: unit)))
  }

  private mutating func lexString() {
    let start = position
    position += 1
    var value: [UInt8] = []
    while true {
      guard let byte = peek(), byte != UInt8(ascii: "\n") else {
        var end = position
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        report(
          Self.IDs.unterminatedString,
          "unterminated string: expected '\"' before the end of the line",
          span(start, end))
        break
      }
      position += 1
      if byte == UInt8(ascii: "\"") { break }
      if byte == UInt8(ascii: "\\") {
        let escapeStart = position - 1
        guard let escaped = peek(), escaped != UInt8(ascii: "\n") else { continue }
        position += 1
        switch escaped {
        case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "t"): value.append(UInt8(ascii: "\t"))
        default:
          if escaped >= 0xC0 {
            while let next = peek(), next & 0xC0 == 0x80 { position += 1 }
          }
          let range = span(escapeStart, position)
          report(
            Self.IDs.invalidEscape, "invalid escape '\(source.text(in: range))' in a string",
            range, notes: [DiagnosticNote("the escapes are \\\", \\\\, \\n and \\t")])
        }
        continue
      }
      // A control character as it is (a tab aside): a NUL would cut a path short where
      // the system reads it, and an escape would reach a terminal. C1 controls are
      // U+0080 to U+009F, two bytes in UTF-8.
      let isC1 = byte == 0xC2 && (peek().map { (0x80...0x9F).contains($0) } ?? false)
      if (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F || isC1 {
        let code = isC1 ? UInt32(bytes[position]) : UInt32(byte)
        if isC1 { position += 1 }
        report(
          Self.IDs.controlCharacter,
          "control character U+\(String(code, radix: 16, uppercase: true).leftPadded(to: 4)) "
            + "in a string", span(position - (isC1 ? 2 : 1), position),
          notes: [
            DiagnosticNote(
              "a string holds no control characters but a tab; write '\\n' for a line break or "
                + "'\\t' for a tab")
          ])
        continue
      }
      value.append(byte)
    }
    tokens.append(
      Token(
        .string, span(start, position),
        text: String(decoding: value, as: UTF8.self)))
  }
}

extension String {
  func leftPadded(to width: Int, with pad: Character = "0") -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}
