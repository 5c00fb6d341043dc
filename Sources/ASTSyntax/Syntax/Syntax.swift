/// A name as written, with its place.
public struct Identifier: Sendable, Hashable {
  /// The name.
  public var name: String
  /// Where it is written.
  public var range: SourceRange

  /// Creates an identifier.
  public init(_ name: String, _ range: SourceRange) {
    self.name = name
    self.range = range
  }
}

/// A binary operator.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
  /// `+`: sum, or mixing signals.
  case add = "+"
  /// `-`: difference.
  case subtract = "-"
  /// `*`: product, or ring modulation / VCA on signals.
  case multiply = "*"
  /// `/`: quotient.
  case divide = "/"

  /// Binding strength: `*` and `/` bind tighter than `+` and `-`.
  public var precedence: Int {
    switch self {
    case .add, .subtract: 1
    case .multiply, .divide: 2
    }
  }
}

/// One argument of an application: positional, or named with `name:value`.
public struct CallArgument: Sendable, Hashable {
  /// The name of a named argument, or `nil` for a positional one.
  public var label: Identifier?
  /// The argument's value.
  public var value: Expr
  /// The whole argument, label included.
  public var range: SourceRange

  /// Creates an argument.
  public init(label: Identifier?, value: Expr, range: SourceRange) {
    self.label = label
    self.value = value
    self.range = range
  }
}

/// An expression of the language. Every node carries its source range.
///
/// Parentheses leave no node: `(a + b)` is the `add` node itself.
public indirect enum Expr: Sendable, Hashable {
  /// A number literal, such as `440`, `-6db` or `1.2khz`.
  case number(NumberLiteral, SourceRange)
  /// A string literal, escapes resolved.
  case string(String, SourceRange)
  /// A reference to a name.
  case identifier(Identifier)
  /// A list `[a, b, c]`.
  case list([Expr], SourceRange)
  /// An application by juxtaposition: `callee arg1 arg2 name:value`.
  case call(callee: Expr, arguments: [CallArgument], SourceRange)
  /// Unary minus: `-x`.
  case negate(Expr, SourceRange)
  /// A binary operation: `a + b`.
  case binary(BinaryOperator, Expr, Expr, SourceRange)
  /// A pipe: `value |> stage`, meaning the stage's call with `value` as first argument.
  case pipe(Expr, Expr, SourceRange)
  /// A part that did not parse; its error has been reported.
  case invalid(SourceRange)

  /// The node's source range.
  public var range: SourceRange {
    switch self {
    case .number(_, let range), .string(_, let range), .list(_, let range),
      .call(_, _, let range), .negate(_, let range), .binary(_, _, _, let range),
      .pipe(_, _, let range), .invalid(let range):
      range
    case .identifier(let identifier):
      identifier.range
    }
  }

  /// Whether the node or any node inside it is ``invalid(_:)``.
  public var containsInvalid: Bool {
    switch self {
    case .invalid: true
    case .number, .string, .identifier: false
    case .list(let items, _): items.contains { $0.containsInvalid }
    case .call(let callee, let arguments, _):
      callee.containsInvalid || arguments.contains { $0.value.containsInvalid }
    case .negate(let operand, _): operand.containsInvalid
    case .binary(_, let left, let right, _), .pipe(let left, let right, _):
      left.containsInvalid || right.containsInvalid
    }
  }
}

/// A statement of a script.
public enum Statement: Sendable, Hashable {
  /// `name = value`.
  case binding(name: Identifier, value: Expr, SourceRange)
  /// `fn name p1 p2 = body`.
  case function(name: Identifier, parameters: [Identifier], body: Expr, SourceRange)
  /// Any other expression, evaluated for its effect.
  case expression(Expr, SourceRange)

  /// The statement's source range.
  public var range: SourceRange {
    switch self {
    case .binding(_, _, let range), .function(_, _, _, let range), .expression(_, let range):
      range
    }
  }
}

/// A parsed script: its statements in order.
public struct Script: Sendable, Hashable {
  /// The statements in source order.
  public var statements: [Statement]

  /// Creates a script.
  public init(statements: [Statement]) {
    self.statements = statements
  }
}
