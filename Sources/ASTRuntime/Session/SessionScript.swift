import ASTSemantics
import ASTSyntax

/// Writes a session as a script that `ast run` reproduces.
///
/// A session may bind a name again; a script binds each name once. So every binding but
/// the last of a name is renamed (`osc` bound three times becomes `osc_1`, `osc_2`, then
/// `osc`), and each use refers to the version bound before it. Statements are printed
/// in the canonical layout.
enum SessionScript {
  static func script(from statements: [Statement]) -> String {
    var totals: [String: Int] = [:]
    for statement in statements {
      if let name = boundName(statement) { totals[name, default: 0] += 1 }
    }
    let taken = Set(totals.keys)
    func versionName(_ name: String, _ version: Int) -> String {
      if version == totals[name] { return name }
      var candidate = name == "_" ? "_\(version)" : "\(name)_\(version)"
      while taken.contains(candidate) { candidate += "_" }
      return candidate
    }
    var current: [String: String] = [:]
    var versions: [String: Int] = [:]
    var output: [Statement] = []
    for statement in statements {
      switch statement {
      case .binding(let name, let value, let range):
        let renamedValue = rename(value, current, locals: [])
        let version = versions[name.name, default: 0] + 1
        versions[name.name] = version
        let newName = versionName(name.name, version)
        current[name.name] = newName
        output.append(.binding(name: Identifier(newName, name.range), value: renamedValue, range))
      case .function(let name, let parameters, let body, let range):
        let renamedBody = rename(body, current, locals: Set(parameters.map(\.name)))
        let version = versions[name.name, default: 0] + 1
        versions[name.name] = version
        let newName = versionName(name.name, version)
        current[name.name] = newName
        output.append(
          .function(
            name: Identifier(newName, name.range), parameters: parameters, body: renamedBody,
            range))
      case .expression(let value, let range):
        output.append(.expression(rename(value, current, locals: []), range))
      }
    }
    // The session names each shown value '_'; where no later statement uses a version
    // of it, the statement is written as the user typed it.
    var used: Set<String> = []
    for statement in output { identifiers(in: statement, into: &used) }
    return output.compactMap { statement -> String? in
      if case .binding(let name, let value, let range) = statement, name.name.hasPrefix("_"),
        name.name.dropFirst().allSatisfy(\.isNumber), !used.contains(name.name)
      {
        if case .identifier = value { return nil }
        return SourcePrinter.print(.expression(value, range)) + "\n"
      }
      return SourcePrinter.print(statement) + "\n"
    }.joined()
  }

  private static func identifiers(in statement: Statement, into names: inout Set<String>) {
    func visit(_ expression: Expr) {
      switch expression {
      case .identifier(let identifier): names.insert(identifier.name)
      case .number, .string, .invalid: break
      case .list(let items, _): items.forEach(visit)
      case .call(let callee, let arguments, _):
        visit(callee)
        arguments.forEach { visit($0.value) }
      case .negate(let operand, _): visit(operand)
      case .binary(_, let left, let right, _), .pipe(let left, let right, _):
        visit(left)
        visit(right)
      }
    }
    switch statement {
    case .binding(_, let value, _): visit(value)
    case .function(_, _, let body, _): visit(body)
    case .expression(let value, _): visit(value)
    }
  }

  private static func boundName(_ statement: Statement) -> String? {
    switch statement {
    case .binding(let name, _, _), .function(let name, _, _, _): name.name
    case .expression: nil
    }
  }

  /// The expression with names referring to session bindings replaced by their current
  /// versions; names in `locals` (function parameters) are left alone.
  private static func rename(_ expression: Expr, _ names: [String: String], locals: Set<String>)
    -> Expr
  {
    func go(_ expression: Expr) -> Expr {
      rename(expression, names, locals: locals)
    }
    switch expression {
    case .identifier(let identifier):
      guard !locals.contains(identifier.name), let renamed = names[identifier.name] else {
        return expression
      }
      return .identifier(Identifier(renamed, identifier.range))
    case .number, .string, .invalid:
      return expression
    case .list(let items, let range):
      return .list(items.map(go), range)
    case .call(let callee, let arguments, let range):
      return .call(
        callee: go(callee),
        arguments: arguments.map {
          CallArgument(label: $0.label, value: go($0.value), range: $0.range)
        },
        range)
    case .negate(let operand, let range):
      return .negate(go(operand), range)
    case .binary(let op, let left, let right, let range):
      return .binary(op, go(left), go(right), range)
    case .pipe(let left, let right, let range):
      return .pipe(go(left), go(right), range)
    }
  }
}
