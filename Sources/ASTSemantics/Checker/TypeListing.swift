import ASTSyntax

/// The bindings and functions of a checked script with their types, for
/// `ast check --types`.
public enum TypeListing {
  /// `name: Type` for each binding and `fn name p1 p2` for each function, in order.
  public static func text(of script: TypedScript) -> String {
    var lines: [(SourceRange, String)] = []
    for statement in script.statements {
      if case .binding(let name, let value, let range) = statement {
        lines.append((range, "\(name): \(value.type)"))
      }
    }
    for function in script.functions {
      let head = (["fn", function.name] + function.parameters).joined(separator: " ")
      lines.append((function.range, head + " (checked at each call)"))
    }
    return lines.sorted { $0.0.start < $1.0.start }.map { $0.1 + "\n" }.joined()
  }
}
