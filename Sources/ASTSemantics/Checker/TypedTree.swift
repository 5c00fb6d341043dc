import ASTSyntax

/// A checked expression: every node has its type, names are resolved, builtin calls
/// have one argument per parameter (defaults filled in), numbers are in their
/// parameter's unit (seconds, hertz, linear gain or decibels), and calls of `fn`
/// definitions carry the body checked for that call.
public indirect enum TypedExpr: Sendable, Hashable {
  /// A number known before running.
  case constant(Double, ValueType, SourceRange)
  /// A string.
  case string(String, SourceRange)
  /// The value of a script binding.
  case binding(name: String, ValueType, SourceRange)
  /// The value of a parameter of the enclosing function call (`index` counts from 0).
  case parameter(name: String, index: Int, ValueType, SourceRange)
  /// A list.
  case list([TypedExpr], ValueType, SourceRange)
  /// A builtin call with one argument per parameter. `lifted` is true when an
  /// Audio-to-Audio builtin is applied to a Stream, chunk by chunk.
  case builtin(Builtin, arguments: [TypedExpr], lifted: Bool, ValueType, SourceRange)
  /// A call of a `fn` definition: the arguments, then the body checked for them, in
  /// which ``parameter(name:index:_:_:)`` refers to the arguments.
  case function(name: String, arguments: [TypedExpr], body: TypedExpr, ValueType, SourceRange)
  /// Arithmetic on numbers or signals.
  case arithmetic(BinaryOperator, TypedExpr, TypedExpr, ValueType, SourceRange)
  /// Unary minus.
  case negate(TypedExpr, ValueType, SourceRange)
  /// An expression whose error has been reported.
  case invalid(SourceRange)
  /// An optional argument that was left out and whose builtin takes its own default
  /// (``DefaultValue/absent(spelling:)``); it evaluates to nothing.
  case absent(SourceRange)

  /// The expression's type.
  public var type: ValueType {
    switch self {
    case .constant(_, let type, _), .binding(_, let type, _), .parameter(_, _, let type, _),
      .list(_, let type, _), .builtin(_, _, _, let type, _), .function(_, _, _, let type, _),
      .arithmetic(_, _, _, let type, _), .negate(_, let type, _):
      type
    case .string: .string
    case .invalid, .absent: .unknown
    }
  }

  /// The source range the expression was checked from.
  public var range: SourceRange {
    switch self {
    case .constant(_, _, let range), .string(_, let range), .binding(_, _, let range),
      .parameter(_, _, _, let range), .list(_, _, let range), .builtin(_, _, _, _, let range),
      .function(_, _, _, _, let range), .arithmetic(_, _, _, _, let range),
      .negate(_, _, let range), .invalid(let range), .absent(let range):
      range
    }
  }

  /// The value of a constant number, if the expression is one.
  public var constantValue: Double? {
    if case .constant(let value, _, _) = self { return value }
    return nil
  }

  /// The text of a string literal, if the expression is one.
  public var stringValue: String? {
    if case .string(let value, _) = self { return value }
    return nil
  }

  /// The expression when its value is known before running (a number or a string).
  var known: TypedExpr? {
    switch self {
    case .constant, .string: self
    default: nil
    }
  }

  /// A known value placed at another range (where a name refers to it).
  func relocated(to range: SourceRange) -> TypedExpr {
    switch self {
    case .constant(let value, let type, _): .constant(value, type, range)
    case .string(let value, _): .string(value, range)
    default: self
    }
  }
}

/// A checked statement.
public enum TypedStatement: Sendable, Hashable {
  /// `name = value`.
  case binding(name: String, value: TypedExpr, SourceRange)
  /// An expression evaluated for its effect.
  case expression(TypedExpr, SourceRange)
  /// A script-wide setting and its value, in force below it: `rate 48000`, `tempo 96`,
  /// `meter 3`.
  case setting(ScriptSetting, Double, SourceRange)
}

/// A function definition as the checker keeps it.
public struct FunctionSignature: Sendable, Hashable {
  /// The function's name.
  public let name: String
  /// The parameter names.
  public let parameters: [String]
  /// Where it is defined.
  public let range: SourceRange
}

/// A checked script: statements in order, and the type of each binding.
public struct TypedScript: Sendable {
  /// The statements in order (function definitions are expanded at their calls).
  public var statements: [TypedStatement]
  /// Each binding's name and type, in order.
  public var bindings: [(name: String, type: ValueType)]
  /// The function definitions, in order.
  public var functions: [FunctionSignature]
}

extension TypedStatement {
  /// The statement's source range.
  public var range: SourceRange {
    switch self {
    case .binding(_, _, let range), .expression(_, let range), .setting(_, _, let range): range
    }
  }
}

extension TypedExpr {
  /// Calls `body` on this expression and every expression inside it.
  package func visit(_ body: (TypedExpr) -> Void) {
    body(self)
    switch self {
    case .list(let items, _, _): items.forEach { $0.visit(body) }
    case .builtin(_, let arguments, _, _, _): arguments.forEach { $0.visit(body) }
    case .function(_, let arguments, let bodyExpression, _, _):
      arguments.forEach { $0.visit(body) }
      bodyExpression.visit(body)
    case .arithmetic(_, let a, let b, _, _):
      a.visit(body)
      b.visit(body)
    case .negate(let a, _, _): a.visit(body)
    case .constant, .string, .binding, .parameter, .invalid, .absent: break
    }
  }

  /// Whether evaluating it writes, prints, plots or publishes.
  package var hasEffects: Bool {
    var found = false
    visit { expression in
      if case .builtin(let builtin, _, _, _, _) = expression, builtin.effects.isObservable {
        found = true
      }
    }
    return found
  }

}
