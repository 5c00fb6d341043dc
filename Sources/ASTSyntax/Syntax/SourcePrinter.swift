/// Prints syntax trees back as canonical source.
///
/// Parsing the printed text gives the same tree (ranges aside): parentheses are added
/// exactly where precedence needs them, a unary minus on a number literal is written
/// `-(3)` so that it does not become the literal `-3`, and a statement whose value is a
/// chain of two or more pipes puts each `|>` stage on its own line, indented by two
/// spaces. Comments are not part of the tree and are not printed.
public enum SourcePrinter {
  /// A script, one statement per line, ending with a newline (empty for no statements).
  public static func print(_ script: Script) -> String {
    script.statements.map { print($0) + "\n" }.joined()
  }

  /// One statement, without a trailing newline.
  public static func print(_ statement: Statement) -> String {
    switch statement {
    case .binding(let name, let value, _):
      return name.name + " = " + printTopLevel(value)
    case .function(let name, let parameters, let body, _):
      let head = (["fn", name.name] + parameters.map(\.name)).joined(separator: " ")
      return head + " = " + printTopLevel(body)
    case .expression(let expression, _):
      return printTopLevel(expression)
    }
  }

  /// One expression on one line.
  public static func print(_ expression: Expr) -> String {
    print(expression, minimumLevel: Level.pipe)
  }

  /// An expression as one stage of a chain of pipes (or its head), on one line:
  /// parenthesised when it is itself a pipe.
  public static func printStage(_ expression: Expr) -> String {
    print(expression, minimumLevel: Level.pipe + 1)
  }

  private enum Level {
    static let pipe = 0
    static let product = 2
    static let unary = 3
    static let application = 4
    static let primary = 5
  }

  private static func level(of expression: Expr) -> Int {
    switch expression {
    case .pipe: Level.pipe
    case .binary(let op, _, _, _): op.precedence
    case .negate: Level.unary
    case .call: Level.application
    case .number, .string, .identifier, .list, .invalid: Level.primary
    }
  }

  /// A statement's value: a chain of two or more pipes is laid out one stage a line.
  private static func printTopLevel(_ expression: Expr) -> String {
    var stages: [Expr] = []
    var head = expression
    while case .pipe(let left, let right, _) = head {
      stages.append(right)
      head = left
    }
    guard stages.count >= 2 else { return print(expression) }
    return print(head, minimumLevel: Level.pipe + 1)
      + stages.reversed().map { "\n  |> " + print($0, minimumLevel: Level.pipe + 1) }.joined()
  }

  private static func print(_ expression: Expr, minimumLevel: Int) -> String {
    let text = printBare(expression)
    return level(of: expression) < minimumLevel ? "(" + text + ")" : text
  }

  private static func printBare(_ expression: Expr) -> String {
    switch expression {
    case .number(let literal, _):
      return literal.spelling
    case .string(let value, _):
      return quote(value)
    case .identifier(let identifier):
      return identifier.name
    case .list(let items, _):
      return "[" + items.map { print($0, minimumLevel: Level.pipe) }.joined(separator: ", ") + "]"
    case .call(let callee, let arguments, _):
      var parts = [print(callee, minimumLevel: Level.primary)]
      for argument in arguments {
        if let label = argument.label {
          parts.append(label.name + ":" + printNamedValue(argument.value))
        } else {
          parts.append(print(argument.value, minimumLevel: Level.primary))
        }
      }
      return parts.joined(separator: " ")
    case .negate(let operand, _):
      // A digit right after the minus would make a negative literal.
      let printed = print(operand, minimumLevel: Level.unary)
      if let first = printed.unicodeScalars.first, ("0"..."9").contains(first) {
        return "-(" + printed + ")"
      }
      return "-" + printed
    case .binary(let op, let left, let right, _):
      return print(left, minimumLevel: op.precedence) + " " + op.rawValue + " "
        + print(right, minimumLevel: op.precedence + 1)
    case .pipe(let left, let right, _):
      return print(left, minimumLevel: Level.pipe) + " |> "
        + print(right, minimumLevel: Level.pipe + 1)
    case .invalid:
      return "<invalid>"
    }
  }

  /// The value of a named argument: a primary, or `-` before a named value.
  private static func printNamedValue(_ value: Expr) -> String {
    guard case .negate(let operand, _) = value else {
      return print(value, minimumLevel: Level.primary)
    }
    let printed = printNamedValue(operand)
    if let first = printed.unicodeScalars.first, ("0"..."9").contains(first) {
      return "-(" + printed + ")"
    }
    return "-" + printed
  }

  /// A string literal with `\\`, `\"`, `\n` and `\t` escaped.
  public static func quote(_ value: String) -> String {
    var result = "\""
    for character in value {
      switch character {
      case "\\": result += "\\\\"
      case "\"": result += "\\\""
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      default: result.append(character)
      }
    }
    return result + "\""
  }
}
