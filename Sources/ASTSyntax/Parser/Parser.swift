/// The result of parsing a source: the tree and every diagnostic found on the way.
public struct ParseResult: Sendable {
  /// The source that was parsed.
  public let source: Source
  /// The statements that parsed; a statement with an error is left out.
  public let script: Script
  /// The lexer's and parser's diagnostics, in source order.
  public let diagnostics: [Diagnostic]
  /// Whether the first statement continues a value: the source starts with `|>` and was
  /// parsed with ``Parser/parse(_:continuing:)``.
  public let continuesValue: Bool
}

/// Parses tokens into a ``Script``, recovering at statement boundaries.
///
/// Each statement with an error is reported once and skipped up to the next
/// statement separator outside brackets, so one mistake gives one diagnostic. The
/// grammar is in `Grammar.md`. Nesting deeper than ``maximumDepth`` is an error rather
/// than a stack overflow.
public struct Parser {
  /// Diagnostic identifiers of the parser.
  public enum IDs {
    /// An operand is missing: `x = 1 +`, `|>` at the end of a line.
    public static let expectedExpression: DiagnosticID = "expected-expression"
    /// A `(` or `[` without its closing bracket.
    public static let unclosedBracket: DiagnosticID = "unclosed-bracket"
    /// A closing bracket with no opening one.
    public static let unmatchedBracket: DiagnosticID = "unmatched-bracket"
    /// Something after a complete statement on the same line.
    public static let expectedSeparator: DiagnosticID = "expected-separator"
    /// `fn` without a name, or a parameter that is not a name.
    public static let expectedName: DiagnosticID = "expected-name"
    /// `=` after something other than a name.
    public static let invalidBindingTarget: DiagnosticID = "invalid-binding-target"
    /// A positional argument after a named one.
    public static let positionalAfterNamed: DiagnosticID = "positional-after-named"
    /// The right side of `|>` is not a function call.
    public static let invalidPipeTarget: DiagnosticID = "invalid-pipe-target"
    /// Expressions nested deeper than ``Parser/maximumDepth``.
    public static let nestingTooDeep: DiagnosticID = "nesting-too-deep"

    /// Every identifier above.
    public static let all: [DiagnosticID] = [
      expectedExpression, unclosedBracket, unmatchedBracket, expectedSeparator, expectedName,
      invalidBindingTarget, positionalAfterNamed, invalidPipeTarget, nestingTooDeep,
    ]
  }

  /// The deepest nesting of expressions accepted (brackets, operators and pipe stages).
  public static let maximumDepth = 100

  /// Lexes and parses a source.
  public static func parse(_ source: Source) -> ParseResult {
    parse(source, continuing: nil)
  }

  /// Lexes and parses an input of an interactive session, which may continue a value:
  /// when the input starts with `|>` and `value` names one, its first statement binds
  /// that name to the pipe with the name on its left. With `value` `_`, `|> gain 0.5`
  /// parses as `_ = _ |> gain 0.5`; the name is written nowhere, so both identifiers
  /// have the empty range at the `|>`.
  public static func parse(_ source: Source, continuing value: String?) -> ParseResult {
    let (tokens, lexerDiagnostics) = Lexer.tokenize(source)
    var parser = Parser(source: source, tokens: tokens)
    let script = parser.parseScript(continuing: value)
    return ParseResult(
      source: source, script: script,
      diagnostics: (lexerDiagnostics + parser.diagnostics).sortedUnique(),
      continuesValue: parser.continuedValue)
  }

  /// Thrown to abandon a statement after its error has been reported.
  private struct Abandon: Error {}

  private let source: Source
  private let tokens: [Token]
  private var index = 0
  private var diagnostics: [Diagnostic] = []
  /// The brackets open around the current position, innermost last.
  private var openBrackets: [Token] = []
  private var depth = 0
  /// Whether the first statement continued a value (see ``parse(_:continuing:)``).
  private var continuedValue = false

  private init(source: Source, tokens: [Token]) {
    self.source = source
    self.tokens = tokens
  }

  // MARK: Tokens

  private var current: Token { tokens[index] }

  private func token(at offset: Int) -> Token {
    tokens[min(index + offset, tokens.count - 1)]
  }

  private mutating func advance() -> Token {
    let token = tokens[index]
    if token.kind != .endOfFile { index += 1 }
    return token
  }

  /// Inside brackets line breaks mean nothing: skips them, unless the next line starts
  /// a new statement, which means the bracket was never closed.
  private mutating func skipNewlinesInBrackets() throws {
    guard let opener = openBrackets.last else { return }
    while current.kind == .newline {
      if startsStatement(at: index + 1) {
        let closer = opener.kind == .leftParen ? ")" : "]"
        let line = source.location(of: token(at: 1).range.start).line
        try fail(
          Self.IDs.unclosedBracket,
          "'\(source.text(in: opener.range))' is never closed", at: opener.range,
          notes: [DiagnosticNote("expected '\(closer)' before the statement on line \(line)")])
      }
      _ = advance()
    }
  }

  /// Whether the tokens at `position` begin a binding or a function definition:
  /// `fn`, or names followed by `=` (`x =`, or the mistaken `f x =`).
  private func startsStatement(at position: Int) -> Bool {
    guard position < tokens.count else { return false }
    if tokens[position].kind == .keywordFn { return true }
    var next = position
    while next < tokens.count, tokens[next].kind == .identifier { next += 1 }
    return next > position && next < tokens.count && tokens[next].kind == .equals
  }

  /// After an operator that continues the statement (`=`, `|>`, `+`, `:` ...), line
  /// breaks are skipped unless the next line starts a new statement.
  private mutating func skipContinuationNewlines() {
    while current.kind == .newline, !startsStatement(at: index + 1),
      token(at: 1).kind != .endOfFile
    {
      _ = advance()
    }
  }

  private mutating func skipSeparators() {
    while current.kind == .newline || current.kind == .semicolon { _ = advance() }
  }

  // MARK: Diagnostics

  private mutating func fail(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = []
  ) throws -> Never {
    diagnostics.append(.error(id, message, at: range, notes: notes))
    throw Abandon()
  }

  private mutating func report(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = []
  ) {
    diagnostics.append(.error(id, message, at: range, notes: notes))
  }

  /// How a token is named in messages: `end of line`, `'|>'`, `'440hz'`.
  private func describe(_ token: Token) -> String {
    switch token.kind {
    case .newline: "end of line"
    case .endOfFile: "end of file"
    case .string: "a string"
    case .number: "the number '\(source.text(in: token.range))'"
    case .identifier: "the name '\(source.text(in: token.range))'"
    default: "'\(source.text(in: token.range))'"
    }
  }

  /// The range from the start of `first` to the end of the last token consumed (a
  /// closing parenthesis included, which no expression's own range holds).
  private func spanning(from first: SourceRange) -> SourceRange {
    var previous = index - 1
    while previous >= 0, tokens[previous].kind == .newline { previous -= 1 }
    let end = previous >= 0 ? max(first.end, tokens[previous].range.end) : first.end
    return SourceRange(start: first.start, end: end)
  }

  /// The range to underline for a missing thing before `token`: the token itself, or
  /// for a line break or the end, the position just after the previous token.
  private func placeOfMissing(before token: Token) -> SourceRange {
    if token.kind == .newline || token.kind == .endOfFile {
      var previous = index - 1
      while previous >= 0, tokens[previous].kind == .newline { previous -= 1 }
      let end = previous >= 0 ? tokens[previous].range.end : source.startOffset
      return SourceRange(start: end, end: end)
    }
    return token.range
  }

  private mutating func enter(_ range: SourceRange) throws {
    depth += 1
    if depth > Self.maximumDepth {
      try fail(
        Self.IDs.nestingTooDeep,
        "expression nested too deeply (more than \(Self.maximumDepth) levels)", at: range,
        notes: [DiagnosticNote("split it into named parts with '='")])
    }
  }

  // MARK: Statements

  private mutating func parseScript(continuing value: String?) -> Script {
    var statements: [Statement] = []
    var first = true
    while true {
      skipSeparators()
      if current.kind == .endOfFile { break }
      if current.kind == .rightParen || current.kind == .rightBracket {
        report(
          Self.IDs.unmatchedBracket,
          "unmatched '\(source.text(in: current.range))' with no opening bracket",
          at: current.range)
        recover()
        continue
      }
      openBrackets = []
      depth = 0
      let start = index
      let reported = diagnostics.count
      let continues = first && value != nil && current.kind == .pipe
      first = false
      do {
        let statement: Statement
        if continues, let value {
          continuedValue = true
          statement = try parseContinuation(of: value)
        } else {
          statement = try parseStatement()
        }
        if current.kind != .newline, current.kind != .semicolon, current.kind != .endOfFile {
          try expectSeparator(after: statement)
        }
        if !containsInvalidToken(from: start, to: index) {
          statements.append(statement)
        }
      } catch {
        recover()
      }
      // A statement with a lexical error was reported by the lexer: it is left out, and
      // what the parser found after the bad character would only be a follow-on error.
      if containsInvalidToken(from: start, to: index) {
        diagnostics.removeSubrange(reported...)
      }
    }
    return Script(statements: statements)
  }

  private mutating func expectSeparator(after statement: Statement) throws {
    if current.kind == .equals, case .expression(let expression, _) = statement {
      var notes: [DiagnosticNote] = []
      if case .call(.identifier(let name), let arguments, _) = expression,
        arguments.allSatisfy({ $0.label == nil && $0.value.isIdentifier })
      {
        notes.append(
          DiagnosticNote("to define a function, write 'fn \(name.name) ... = ...'"))
      }
      try fail(
        Self.IDs.invalidBindingTarget, "only a name can be bound with '='",
        at: expression.range, notes: notes)
    }
    if current.kind == .rightParen || current.kind == .rightBracket {
      try fail(
        Self.IDs.unmatchedBracket,
        "unmatched '\(source.text(in: current.range))' with no opening bracket",
        at: current.range)
    }
    try fail(
      Self.IDs.expectedSeparator,
      "expected a new line or ';' after the statement, found \(describe(current))",
      at: current.range)
  }

  /// Whether any token in `from..<to` is one the lexer reported as bad.
  private func containsInvalidToken(from start: Int, to end: Int) -> Bool {
    tokens[start..<min(end, tokens.count)].contains { $0.kind == .invalid }
  }

  /// Skips to the next statement separator outside the brackets open at the error.
  private mutating func recover() {
    var level = openBrackets.count
    openBrackets = []
    while current.kind != .endOfFile {
      switch current.kind {
      case .leftParen, .leftBracket:
        level += 1
      case .rightParen, .rightBracket:
        level = max(0, level - 1)
      case .newline:
        // A following line that starts with '|>' still belongs to the statement.
        var next = index + 1
        while next < tokens.count, tokens[next].kind == .newline { next += 1 }
        let continues = next < tokens.count && tokens[next].kind == .pipe
        if (level == 0 && !continues) || startsStatement(at: index + 1) { return }
      case .semicolon:
        if level == 0 { return }
      default:
        break
      }
      _ = advance()
    }
  }

  private mutating func parseStatement() throws -> Statement {
    if current.kind == .keywordFn {
      return try parseFunction()
    }
    if current.kind == .identifier, token(at: 1).kind == .equals {
      let nameToken = advance()
      let name = Identifier(nameToken.text ?? "", nameToken.range)
      let equals = advance()
      let value = try parseOperand(after: equals)
      return .binding(name: name, value: value, nameToken.range.union(value.range))
    }
    let expression = try parseExpression()
    return .expression(expression, expression.range)
  }

  /// `|> stage ...` at the start of a session's input: `name = name |> stage ...`.
  private mutating func parseContinuation(of name: String) throws -> Statement {
    let place = SourceRange(start: current.range.start, end: current.range.start)
    let value = try parseExpression(after: .identifier(Identifier(name, place)))
    return .binding(name: Identifier(name, place), value: value, place.union(value.range))
  }

  private mutating func parseFunction() throws -> Statement {
    let keyword = advance()
    guard current.kind == .identifier else {
      try fail(
        Self.IDs.expectedName, "expected a function name after 'fn', found \(describe(current))",
        at: placeOfMissing(before: current))
    }
    let nameToken = advance()
    let name = Identifier(nameToken.text ?? "", nameToken.range)
    var parameters: [Identifier] = []
    while current.kind == .identifier {
      let parameter = advance()
      parameters.append(Identifier(parameter.text ?? "", parameter.range))
    }
    guard current.kind == .equals else {
      try fail(
        Self.IDs.expectedName,
        "expected a parameter name or '=' in the definition of '\(name.name)', found "
          + describe(current), at: placeOfMissing(before: current))
    }
    let equals = advance()
    let body = try parseOperand(after: equals)
    return .function(
      name: name, parameters: parameters, body: body, keyword.range.union(body.range))
  }

  // MARK: Expressions

  /// Whether a token can begin an expression.
  private func startsExpression(_ token: Token) -> Bool {
    switch token.kind {
    case .identifier, .number, .string, .leftParen, .leftBracket, .minus, .invalid: true
    default: false
    }
  }

  /// Parses the operand that must follow `operatorToken`, after any line breaks that
  /// continue the statement: a whole expression, or with `pipeStage` one without
  /// pipes, so that `a |> f |> g` groups as `(a |> f) |> g`.
  private mutating func parseOperand(after operatorToken: Token, pipeStage: Bool = false)
    throws -> Expr
  {
    skipContinuationNewlines()
    try skipNewlinesInBrackets()
    guard startsExpression(current) else {
      try fail(
        Self.IDs.expectedExpression,
        "expected an expression after '\(source.text(in: operatorToken.range))', found "
          + describe(current), at: placeOfMissing(before: current))
    }
    return pipeStage ? try parseSum() : try parseExpression()
  }

  /// An expression; with `first`, the pipes that continue it.
  private mutating func parseExpression(after first: Expr? = nil) throws -> Expr {
    let savedDepth = depth
    defer { depth = savedDepth }
    var left: Expr
    let start = first?.range ?? current.range
    if let first { left = first } else { left = try parseSum() }
    while true {
      try skipNewlinesInBrackets()
      if current.kind == .newline {
        // A line that starts with '|>' continues the statement above.
        var lookahead = index
        while tokens[lookahead].kind == .newline { lookahead += 1 }
        guard tokens[lookahead].kind == .pipe else { break }
        index = lookahead
      }
      guard current.kind == .pipe else { break }
      let pipe = advance()
      try enter(pipe.range)
      let stage = try parseOperand(after: pipe, pipeStage: true)
      if !stage.isPipeTarget {
        report(
          Self.IDs.invalidPipeTarget,
          "the right side of '|>' must be a function call, found \(stage.kindDescription)",
          at: stage.range,
          notes: [DiagnosticNote("'x |> f a b' means 'f x a b'")])
      }
      left = .pipe(left, stage, spanning(from: start.union(left.range)))
    }
    return left
  }

  /// The operators of a sum and of a product, made once rather than at every operand.
  private static let sumOperators: [TokenKind: BinaryOperator] = [.plus: .add, .minus: .subtract]
  private static let productOperators: [TokenKind: BinaryOperator] = [
    .star: .multiply, .slash: .divide,
  ]

  private mutating func parseSum() throws -> Expr {
    try parseBinaryLevel(Self.sumOperators) { try $0.parseProduct() }
  }

  private mutating func parseProduct() throws -> Expr {
    try parseBinaryLevel(Self.productOperators) { try $0.parseUnary() }
  }

  /// One level of left-associative binary operators: operands parsed by `operand`,
  /// joined by the operators in `operators`.
  private mutating func parseBinaryLevel(
    _ operators: [TokenKind: BinaryOperator], operand: (inout Parser) throws -> Expr
  ) throws -> Expr {
    let savedDepth = depth
    defer { depth = savedDepth }
    // The first operand's first token: an opening parenthesis its range leaves out.
    let start = current.range
    var left = try operand(&self)
    while true {
      try skipNewlinesInBrackets()
      guard let op = operators[current.kind] else { return left }
      let operatorToken = advance()
      try enter(operatorToken.range)
      skipContinuationNewlines()
      try skipNewlinesInBrackets()
      guard startsExpression(current) else {
        try fail(
          Self.IDs.expectedExpression,
          "expected an expression after '\(op.rawValue)', found \(describe(current))",
          at: placeOfMissing(before: current))
      }
      let right = try operand(&self)
      left = .binary(op, left, right, spanning(from: start.union(left.range)))
    }
  }

  private mutating func parseUnary() throws -> Expr {
    guard current.kind == .minus else { return try parseApplication() }
    let minus = advance()
    try enter(minus.range)
    defer { depth -= 1 }
    try skipNewlinesInBrackets()
    guard startsExpression(current) else {
      try fail(
        Self.IDs.expectedExpression, "expected an expression after '-', found \(describe(current))",
        at: placeOfMissing(before: current))
    }
    let operand = try parseUnary()
    return .negate(operand, spanning(from: minus.range))
  }

  /// Whether the current token can begin an argument of an application.
  private func startsArgument() -> Bool {
    switch current.kind {
    case .identifier, .number, .string, .leftParen, .leftBracket, .invalid: true
    default: false
    }
  }

  private mutating func parseApplication() throws -> Expr {
    let head = try parsePrimary()
    var arguments: [CallArgument] = []
    var firstNamed: Identifier?
    let savedDepth = depth
    defer { depth = savedDepth }
    while true {
      try skipNewlinesInBrackets()
      guard startsArgument() else { break }
      if arguments.isEmpty { try enter(head.range) }
      if current.kind == .identifier, token(at: 1).kind == .colon {
        let labelToken = advance()
        let label = Identifier(labelToken.text ?? "", labelToken.range)
        let colon = advance()
        skipContinuationNewlines()
        try skipNewlinesInBrackets()
        guard
          current.kind == .minus
            || (startsArgument() && !(current.kind == .identifier && token(at: 1).kind == .colon))
        else {
          try fail(
            Self.IDs.expectedExpression,
            "expected a value after '\(label.name)\(source.text(in: colon.range))', found "
              + describe(current), at: placeOfMissing(before: current))
        }
        let value = try parseNamedValue()
        firstNamed = firstNamed ?? label
        arguments.append(
          CallArgument(label: label, value: value, range: spanning(from: label.range)))
      } else {
        let value = try parsePrimary()
        if let firstNamed {
          report(
            Self.IDs.positionalAfterNamed,
            "positional argument after the named argument '\(firstNamed.name):'",
            at: value.range, notes: [DiagnosticNote("named arguments come last")])
        }
        arguments.append(CallArgument(label: nil, value: value, range: value.range))
      }
    }
    guard let last = arguments.last else { return head }
    return .call(callee: head, arguments: arguments, spanning(from: head.range.union(last.range)))
  }

  /// The value of a named argument: a primary, or `-` before a named value, so that
  /// `f a:-x b:1` gives `a` the value `-x` and leaves `b:1` to `f`.
  private mutating func parseNamedValue() throws -> Expr {
    guard current.kind == .minus else { return try parsePrimary() }
    let minus = advance()
    try enter(minus.range)
    defer { depth -= 1 }
    guard current.kind == .minus || startsArgument() else {
      try fail(
        Self.IDs.expectedExpression, "expected an expression after '-', found \(describe(current))",
        at: placeOfMissing(before: current))
    }
    let operand = try parseNamedValue()
    return .negate(operand, spanning(from: minus.range))
  }

  private mutating func parsePrimary() throws -> Expr {
    let token = current
    switch token.kind {
    case .number:
      _ = advance()
      return .number(token.number ?? NumberLiteral(value: 0, text: "0", unit: nil), token.range)
    case .string:
      _ = advance()
      return .string(token.text ?? "", token.range)
    case .identifier:
      _ = advance()
      return .identifier(Identifier(token.text ?? "", token.range))
    case .invalid:
      _ = advance()
      return .invalid(token.range)
    case .leftParen:
      return try parseParenthesized()
    case .leftBracket:
      return try parseList()
    default:
      try fail(
        Self.IDs.expectedExpression, "expected an expression, found \(describe(token))",
        at: placeOfMissing(before: token))
    }
  }

  private mutating func parseParenthesized() throws -> Expr {
    let opener = advance()
    try enter(opener.range)
    defer { depth -= 1 }
    openBrackets.append(opener)
    try skipNewlinesInBrackets()
    guard startsExpression(current) else {
      try fail(
        Self.IDs.expectedExpression, "expected an expression after '(', found \(describe(current))",
        at: placeOfMissing(before: current))
    }
    let inner = try parseExpression()
    try skipNewlinesInBrackets()
    try expectClosing(.rightParen, ")", opener: opener)
    openBrackets.removeLast()
    return inner
  }

  private mutating func parseList() throws -> Expr {
    let opener = advance()
    try enter(opener.range)
    defer { depth -= 1 }
    openBrackets.append(opener)
    var items: [Expr] = []
    while true {
      try skipNewlinesInBrackets()
      if current.kind == .rightBracket { break }
      guard startsExpression(current) else {
        let after = items.isEmpty ? "'['" : "','"
        try fail(
          Self.IDs.expectedExpression,
          "expected a list item or ']' after \(after), found \(describe(current))",
          at: placeOfMissing(before: current))
      }
      items.append(try parseExpression())
      try skipNewlinesInBrackets()
      if current.kind == .comma {
        _ = advance()
        continue
      }
      break
    }
    let closer = current
    try expectClosing(.rightBracket, "]", opener: opener, inList: true)
    openBrackets.removeLast()
    return .list(items, opener.range.union(closer.range))
  }

  private mutating func expectClosing(
    _ kind: TokenKind, _ text: String, opener: Token, inList: Bool = false
  ) throws {
    guard current.kind == kind else {
      let expected = inList ? "',' or '\(text)'" : "'\(text)'"
      try fail(
        Self.IDs.unclosedBracket,
        "expected \(expected) to close '\(source.text(in: opener.range))', found "
          + describe(current), at: placeOfMissing(before: current),
        notes: [
          DiagnosticNote(
            "'\(source.text(in: opener.range))' opened here", at: opener.range)
        ])
    }
    _ = advance()
  }
}

extension Expr {
  /// Whether the expression is a bare name.
  var isIdentifier: Bool {
    if case .identifier = self { return true }
    return false
  }

  /// Whether the expression may stand on the right of `|>`: a call or a name.
  var isPipeTarget: Bool {
    switch self {
    case .call(.identifier, _, _), .identifier, .invalid: true
    default: false
    }
  }

  /// How the expression is named in messages: `a number`, `a list`.
  var kindDescription: String {
    switch self {
    case .number: "a number"
    case .string: "a string"
    case .identifier: "a name"
    case .list: "a list"
    case .call: "a call"
    case .negate: "a negation"
    case .binary(let op, _, _, _): "an expression with '\(op.rawValue)'"
    case .pipe: "a pipe"
    case .invalid: "an invalid expression"
    }
  }
}
