/// Renders diagnostics as text for people: the one place that decides their look.
///
/// ```
/// song.ast:3:14: error: expected an expression after '|>', found end of line
///     3 | out = tone |>
///       |              ^
/// ```
///
/// The header is `FILE:LINE:COL: severity: message`; the source line follows with a
/// gutter, then carets under the whole span (to the end of its first line). Notes with
/// a place are rendered the same way with `note:`; notes without one follow as
/// `note: message`. Colour (ANSI escapes) is used only when asked for, which callers
/// do when writing to a terminal. Control characters in messages and source lines are
/// shown as visible signs (``Swift/String/terminalSafe(keepingTabs:)``), so a script
/// cannot drive the terminal through its diagnostics.
public struct DiagnosticRenderer: Sendable {
  /// The source the diagnostics point into.
  public let source: Source
  /// Sources before ``source`` that a place outside it may be in: the earlier inputs of
  /// an interactive session (see ``Source/init(name:text:after:)``).
  public let earlier: [Source]
  /// Whether to colour the output with ANSI escapes.
  public let usesColor: Bool

  /// Creates a renderer for diagnostics about `source`, whose places may also be in the
  /// `earlier` sources it continues.
  public init(source: Source, earlier: [Source] = [], usesColor: Bool = false) {
    self.source = source
    self.earlier = earlier
    self.usesColor = usesColor
  }

  /// The source holding a position: ``source``, or the earlier one that holds it.
  private func source(holding offset: Int) -> Source {
    if source.contains(offset) { return source }
    return earlier.last { $0.contains(offset) } ?? source
  }

  /// All diagnostics in source order, each followed by a blank-line-free snippet.
  public func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map(render).joined()
  }

  /// One diagnostic with its notes; ends with a newline.
  public func render(_ diagnostic: Diagnostic) -> String {
    var output = block(
      severity: diagnostic.severity, message: diagnostic.message, range: diagnostic.range)
    for note in diagnostic.notes {
      if let range = note.range {
        output += block(severity: .note, message: note.message, range: range)
      } else {
        output += paint("note:", style: Self.noteStyle) + " " + note.message.terminalSafe() + "\n"
      }
    }
    return output
  }

  /// A summary such as `2 errors, 1 warning`, or an empty string when there are none.
  public static func summary(of diagnostics: [Diagnostic]) -> String {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.filter { $0.severity == .warning }.count
    var parts: [String] = []
    if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
    if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
    return parts.joined(separator: ", ")
  }

  private static let errorStyle = "1;31"
  private static let warningStyle = "1;35"
  private static let noteStyle = "1;36"
  private static let caretStyle = "1;32"
  /// Source lines longer than this many characters are shown as a window around the span.
  static let widestLine = 160

  private func paint(_ text: String, style: String) -> String {
    usesColor ? "\u{1B}[\(style)m\(text)\u{1B}[0m" : text
  }

  private func block(severity: Severity, message: String, range: SourceRange) -> String {
    let source = source(holding: range.start)
    let location = source.location(of: range.start)
    let style: String
    switch severity {
    case .error: style = Self.errorStyle
    case .warning: style = Self.warningStyle
    case .note: style = Self.noteStyle
    }
    var output =
      paint("\(source.name.terminalSafe()):\(location.line):\(location.column):", style: "1") + " "
      + paint("\(severity.rawValue):", style: style) + " "
      + paint(message.terminalSafe(), style: "1") + "\n"
    let lineNumber = String(location.line)
    let gutterWidth = max(4, lineNumber.count + 1)
    let lineRange = source.lineRange(location.line)
    // Each character is one sign, so the carets below stay in line.
    let line = Array(source.text(in: lineRange).terminalSafe(keepingTabs: true))
    // The span: from the start column to its end on this line, at least one character.
    let prefix = source.text(
      in: SourceRange(start: lineRange.start, end: max(lineRange.start, range.start)))
    let spanEnd = min(range.end, lineRange.end)
    let start = prefix.count
    let spanCount = max(1, source.text(in: SourceRange(start: range.start, end: spanEnd)).count)
    // A very long line (generated code) is shown as a window around the span.
    var from = 0
    var to = line.count
    if line.count > Self.widestLine {
      from = max(0, start - 40)
      to = min(line.count, max(start + min(spanCount, 60) + 20, from + Self.widestLine))
    }
    let shown = (from > 0 ? "…" : "") + String(line[from..<to]) + (to < line.count ? "…" : "")
    let padding = String(repeating: " ", count: gutterWidth - lineNumber.count)
    output += paint(padding + lineNumber + " |", style: "34") + " " + shown + "\n"

    let indent =
      (from > 0 ? " " : "") + String(line[from..<min(start, to)].map { $0 == "\t" ? "\t" : " " })
    let carets = String(repeating: "^", count: max(1, min(spanCount, to - start)))
    output +=
      paint(String(repeating: " ", count: gutterWidth) + " |", style: "34") + " " + indent
      + paint(carets, style: Self.caretStyle) + "\n"
    return output
  }
}
