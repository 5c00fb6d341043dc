/// Prints a syntax tree as an indented outline with positions, for `ast check --dump`.
///
/// ```
/// binding out 1:1-1:19
///   call 1:7-1:19
///     identifier sine 1:7-1:11
///     number 440 1:12-1:15
///     number 1.0 1:16-1:19
/// ```
public struct SyntaxDump {
  /// The source the tree's ranges point into.
  public let source: Source

  /// Creates a dumper for trees parsed from `source`.
  public init(source: Source) {
    self.source = source
  }

  /// The outline of a whole script, one line per node, ending with a newline.
  public func dump(_ script: Script) -> String {
    var lines: [String] = []
    for statement in script.statements { dump(statement, into: &lines) }
    return lines.map { $0 + "\n" }.joined()
  }

  private func place(_ range: SourceRange) -> String {
    "\(source.location(of: range.start))-\(source.location(of: range.end))"
  }

  private func dump(_ statement: Statement, into lines: inout [String]) {
    switch statement {
    case .binding(let name, let value, let range):
      lines.append("binding \(name.name) \(place(range))")
      dump(value, indent: 1, into: &lines)
    case .function(let name, let parameters, let body, let range):
      let names = parameters.map(\.name).joined(separator: " ")
      lines.append(
        "function \(name.name)\(names.isEmpty ? "" : " (" + names + ")") \(place(range))")
      dump(body, indent: 1, into: &lines)
    case .expression(let expression, let range):
      lines.append("expression \(place(range))")
      dump(expression, indent: 1, into: &lines)
    }
  }

  private func dump(_ expression: Expr, indent: Int, into lines: inout [String]) {
    let pad = String(repeating: "  ", count: indent)
    let at = place(expression.range)
    switch expression {
    case .number(let literal, _):
      lines.append("\(pad)number \(literal.spelling) \(at)")
    case .string(let value, _):
      lines.append("\(pad)string \(SourcePrinter.quote(value)) \(at)")
    case .identifier(let identifier):
      lines.append("\(pad)identifier \(identifier.name) \(at)")
    case .list(let items, _):
      lines.append("\(pad)list \(at)")
      for item in items { dump(item, indent: indent + 1, into: &lines) }
    case .call(let callee, let arguments, _):
      lines.append("\(pad)call \(at)")
      dump(callee, indent: indent + 1, into: &lines)
      for argument in arguments {
        if let label = argument.label {
          lines.append("\(pad)  named \(label.name) \(place(argument.range))")
          dump(argument.value, indent: indent + 2, into: &lines)
        } else {
          dump(argument.value, indent: indent + 1, into: &lines)
        }
      }
    case .negate(let operand, _):
      lines.append("\(pad)negate \(at)")
      dump(operand, indent: indent + 1, into: &lines)
    case .binary(let op, let left, let right, _):
      lines.append("\(pad)binary \(op.rawValue) \(at)")
      dump(left, indent: indent + 1, into: &lines)
      dump(right, indent: indent + 1, into: &lines)
    case .pipe(let left, let right, _):
      lines.append("\(pad)pipe \(at)")
      dump(left, indent: indent + 1, into: &lines)
      dump(right, indent: indent + 1, into: &lines)
    case .invalid:
      lines.append("\(pad)invalid \(at)")
    }
  }
}

extension Script {
  /// The same tree with every range set to ``SourceRange/zero``, for comparing shapes.
  public func strippingRanges() -> Script {
    Script(statements: statements.map { $0.strippingRanges() })
  }
}

extension Statement {
  /// The same statement with every range set to ``SourceRange/zero``.
  public func strippingRanges() -> Statement {
    switch self {
    case .binding(let name, let value, _):
      .binding(name: name.strippingRange(), value: value.strippingRanges(), .zero)
    case .function(let name, let parameters, let body, _):
      .function(
        name: name.strippingRange(), parameters: parameters.map { $0.strippingRange() },
        body: body.strippingRanges(), .zero)
    case .expression(let expression, _):
      .expression(expression.strippingRanges(), .zero)
    }
  }
}

extension Identifier {
  func strippingRange() -> Identifier { Identifier(name, .zero) }
}

extension Expr {
  /// The same expression with every range set to ``SourceRange/zero``.
  public func strippingRanges() -> Expr {
    switch self {
    case .number(let literal, _): .number(literal, .zero)
    case .string(let value, _): .string(value, .zero)
    case .identifier(let identifier): .identifier(identifier.strippingRange())
    case .list(let items, _): .list(items.map { $0.strippingRanges() }, .zero)
    case .call(let callee, let arguments, _):
      .call(
        callee: callee.strippingRanges(),
        arguments: arguments.map {
          CallArgument(
            label: $0.label?.strippingRange(), value: $0.value.strippingRanges(), range: .zero)
        }, .zero)
    case .negate(let operand, _): .negate(operand.strippingRanges(), .zero)
    case .binary(let op, let left, let right, _):
      .binary(op, left.strippingRanges(), right.strippingRanges(), .zero)
    case .pipe(let left, let right, _):
      .pipe(left.strippingRanges(), right.strippingRanges(), .zero)
    case .invalid: .invalid(.zero)
    }
  }
}
