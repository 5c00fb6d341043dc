import ASTSyntax

/// Word wrapping for text shown in a terminal (`ast help`, the session's `:help`).
public enum TextWrap {
  /// The width help text is wrapped to: a classic terminal's 80 columns.
  public static let width = 80

  /// `text` broken at spaces into lines of at most `width` characters. The first line
  /// starts with `lead`; the following lines start with `indent` spaces. A word longer
  /// than a line stays whole on a line of its own.
  public static func wrap(_ text: String, lead: String, indent: Int, width: Int = width)
    -> [String]
  {
    let pad = String(repeating: " ", count: indent)
    var lines: [String] = []
    var line = lead
    var lineHasWord = false
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      let candidate = lineHasWord ? line + " " + word : line + word
      if lineHasWord, candidate.count > width {
        lines.append(line)
        line = pad + word
      } else {
        line = candidate
      }
      lineHasWord = true
    }
    lines.append(line)
    return lines
  }
}
