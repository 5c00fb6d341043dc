import Foundation

/// Diagnostics as JSON lines, for editors and other tools.
///
/// One object per line: `file`, `line`, `column`, `endLine`, `endColumn` (columns in
/// characters, from 1), `severity`, `id`, `message` and `notes` (each with `message`
/// and, when it points somewhere, `line` and `column`).
public enum DiagnosticJSON {
  struct Note: Encodable {
    let message: String
    let line: Int?
    let column: Int?
  }

  struct Entry: Encodable {
    let file: String
    let line: Int
    let column: Int
    let endLine: Int
    let endColumn: Int
    let severity: String
    let id: String
    let message: String
    let notes: [Note]
  }

  /// The diagnostics, one JSON object per line, each line ending with a newline.
  public static func lines(_ diagnostics: [Diagnostic], source: Source) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return diagnostics.map { diagnostic in
      let start = source.location(of: diagnostic.range.start)
      let end = source.location(of: diagnostic.range.end)
      let entry = Entry(
        file: source.name, line: start.line, column: start.column, endLine: end.line,
        endColumn: end.column, severity: diagnostic.severity.rawValue, id: diagnostic.id.rawValue,
        message: diagnostic.message,
        notes: diagnostic.notes.map { note in
          let place = note.range.map { source.location(of: $0.start) }
          return Note(message: note.message, line: place?.line, column: place?.column)
        })
      let data = (try? encoder.encode(entry)) ?? Data()
      return String(decoding: data, as: UTF8.self) + "\n"
    }.joined()
  }
}
