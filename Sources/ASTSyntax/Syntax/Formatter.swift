/// Rewrites scripts in the canonical layout (`ast fmt`), keeping their comments.
///
/// Each statement is printed by ``SourcePrinter`` on one line with single spaces when it
/// fits in 80 columns and was written on one line. Otherwise it is broken at its pipes,
/// each `|>` stage on a line of its own indented by two spaces, and a list that ends its
/// first line (`mix [...]`) is laid out one item a line, with a trailing comma.
/// Comments stay where they were: a comment on lines of its own stays there, a comment
/// at the end of a statement's last line stays at its end (two spaces before the `#`).
/// A statement with a comment inside it (between the lines of a pipe) keeps its own
/// lines, with trailing spaces removed, since moving such a comment would change its
/// meaning to the reader. Blank lines between statements are kept, at most one in a
/// row. Formatting formatted text changes nothing.
public enum Formatter {
  /// A comment: where it starts and ends (UTF-8 offsets) and its text from `#`.
  struct Comment {
    let start: Int
    let end: Int
    let text: String
  }

  /// What formatting a script gave.
  public enum Outcome: Sendable {
    /// The script in the canonical layout.
    case formatted(String)
    /// The script does not parse; its diagnostics.
    case unparsable([Diagnostic])
  }

  /// The canonical layout of `source`, or its parse errors when it does not parse.
  public static func format(_ source: Source) -> Outcome {
    let parse = Parser.parse(source)
    if parse.diagnostics.containsErrors { return .unparsable(parse.diagnostics) }
    let comments = scanComments(source.bytes)
    var lines: [String] = []
    var next = 0
    var lastLine: Int?

    func line(_ offset: Int) -> Int { source.line(of: offset) }
    // One blank line where the original had at least one.
    func separate(from endLine: Int?, to startLine: Int) {
      if let endLine, startLine - endLine >= 2, !lines.isEmpty { lines.append("") }
    }

    for statement in parse.script.statements {
      let range = statement.range
      while next < comments.count, comments[next].start < range.start {
        let comment = comments[next]
        separate(from: lastLine, to: line(comment.start))
        lines.append(comment.text)
        lastLine = line(comment.start)
        next += 1
      }
      separate(from: lastLine, to: line(range.start))
      let endLine = line(max(range.start, range.end - 1))
      let lineEnd = source.lineRange(endLine).end
      if next < comments.count, comments[next].start < range.end {
        // A comment inside the statement: its own lines, up to the end of its last line.
        let original = source.text(in: SourceRange(start: range.start, end: lineEnd))
        lines += original.split(separator: "\n", omittingEmptySubsequences: false).map {
          String($0.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
        }
        while next < comments.count, comments[next].start < lineEnd { next += 1 }
      } else {
        var printed = layout(statement, keepsBreaks: line(range.start) != endLine)
        if next < comments.count, line(comments[next].start) == endLine {
          printed[printed.count - 1] += "  " + comments[next].text
          next += 1
        }
        lines += printed
      }
      lastLine = endLine
    }
    while next < comments.count {
      separate(from: lastLine, to: line(comments[next].start))
      lines.append(comments[next].text)
      lastLine = line(comments[next].start)
      next += 1
    }
    return .formatted(lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n")
  }

  /// The columns a statement's line may take before it is broken.
  public static let width = 80

  /// The lines of one statement in the canonical layout; with `keepsBreaks` (the
  /// statement spans several lines as written) it is broken even when it would fit.
  static func layout(_ statement: Statement, keepsBreaks: Bool = false) -> [String] {
    let prefix: String
    let value: Expr
    switch statement {
    case .binding(let name, let expression, _):
      prefix = name.name + " = "
      value = expression
    case .function(let name, let parameters, let body, _):
      prefix = (["fn", name.name] + parameters.map(\.name)).joined(separator: " ") + " = "
      value = body
    case .expression(let expression, _):
      prefix = ""
      value = expression
    }
    let single = prefix + SourcePrinter.print(value)
    if single.count <= width, !keepsBreaks { return [single] }
    var stages: [Expr] = []
    var head = value
    while case .pipe(let left, let right, _) = head {
      stages.append(right)
      head = left
    }
    let first = layoutHead(prefix, head, keepsBreaks: keepsBreaks && stages.isEmpty)
    return first + stages.reversed().map { "  |> " + SourcePrinter.printStage($0) }
  }

  /// The first line of a statement, with a list that ends it laid out one item a line
  /// when the line would be too long.
  static func layoutHead(_ prefix: String, _ head: Expr, keepsBreaks: Bool) -> [String] {
    let single = prefix + SourcePrinter.printStage(head)
    guard single.count > width || keepsBreaks else { return [single] }
    let items: [Expr]
    let opening: String
    switch head {
    case .list(let elements, _):
      items = elements
      opening = prefix + "["
    case .call(let callee, let arguments, let range):
      guard let last = arguments.last, last.label == nil, case .list(let elements, _) = last.value
      else { return [single] }
      items = elements
      opening =
        prefix + SourcePrinter.print(.call(callee: callee, arguments: arguments.dropLast(), range))
        + " ["
    default:
      return [single]
    }
    guard items.count >= 2 else { return [single] }
    return [opening] + items.map { "  " + SourcePrinter.print($0) + "," } + ["]"]
  }

  /// Every comment of a script: from a `#` outside a string to the end of its line.
  static func scanComments(_ bytes: [UInt8]) -> [Comment] {
    var comments: [Comment] = []
    var index = 0
    var inString = false
    while index < bytes.count {
      let byte = bytes[index]
      if inString {
        if byte == UInt8(ascii: "\\") {
          index += 2
          continue
        }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") { inString = false }
      } else if byte == UInt8(ascii: "\"") {
        inString = true
      } else if byte == UInt8(ascii: "#") {
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        var text = String(decoding: bytes[index..<end], as: UTF8.self)
        while let last = text.last, last == " " || last == "\t" || last == "\r" {
          text.removeLast()
        }
        comments.append(Comment(start: index, end: end, text: text))
        index = end
        continue
      }
      index += 1
    }
    return comments
  }
}
