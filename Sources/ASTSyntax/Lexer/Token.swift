/// The unit written after a number literal.
public enum NumberUnit: String, Sendable, Hashable, CaseIterable {
  /// Milliseconds.
  case milliseconds = "ms"
  /// Seconds.
  case seconds = "s"
  /// Hertz.
  case hertz = "hz"
  /// Kilohertz.
  case kilohertz = "khz"
  /// Decibels (a gain).
  case decibels = "db"
  /// Beats at the script's tempo (a time).
  case beats = "b"
  /// Bars at the script's tempo and meter (a time).
  case bars = "bar"
}

/// A number literal as written: its value, its spelling and its unit.
public struct NumberLiteral: Sendable, Hashable {
  /// The value of the digits (before the unit is applied), sign included.
  public var value: Double
  /// The digits as written, sign included, without the unit (`-6`, `1.2`, `1e-3`).
  public var text: String
  /// The unit, or `nil` for a bare number.
  public var unit: NumberUnit?

  /// Creates a literal.
  public init(value: Double, text: String, unit: NumberUnit?) {
    self.value = value
    self.text = text
    self.unit = unit
  }

  /// The literal as written: digits and unit.
  public var spelling: String { text + (unit?.rawValue ?? "") }
}

/// The kinds of token.
public enum TokenKind: Sendable, Hashable {
  /// A name: a letter or `_`, then letters, digits and `_`.
  case identifier
  /// The keyword `fn`.
  case keywordFn
  /// A number literal, possibly negative, possibly with a unit.
  case number
  /// A string literal.
  case string
  /// `|>`.
  case pipe
  /// `=`.
  case equals
  /// `+`.
  case plus
  /// `-`.
  case minus
  /// `*`.
  case star
  /// `/`.
  case slash
  /// `(`.
  case leftParen
  /// `)`.
  case rightParen
  /// `[`.
  case leftBracket
  /// `]`.
  case rightBracket
  /// `,`.
  case comma
  /// `:`.
  case colon
  /// `;`.
  case semicolon
  /// One or more line breaks (with any comments and blank lines between them).
  case newline
  /// The end of the source.
  case endOfFile
  /// Text that is not a token; the lexer has reported it.
  case invalid
}

/// A token: its kind, where it is, and the value of a literal.
public struct Token: Sendable, Hashable {
  /// What kind of token it is.
  public var kind: TokenKind
  /// Where it is in the source.
  public var range: SourceRange
  /// The value of a number literal.
  public var number: NumberLiteral?
  /// The value of a string literal (escapes resolved), or an identifier's name.
  public var text: String?

  /// Creates a token.
  public init(
    _ kind: TokenKind, _ range: SourceRange, number: NumberLiteral? = nil, text: String? = nil
  ) {
    self.kind = kind
    self.range = range
    self.number = number
    self.text = text
  }
}
