/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Comparable {
  /// A mistake that stops the script from running.
  case error
  /// Something suspicious that does not stop the script.
  case warning
  /// Extra information attached to another diagnostic.
  case note

  /// Errors sort before warnings, warnings before notes.
  public static func < (lhs: Severity, rhs: Severity) -> Bool {
    lhs.rank < rhs.rank
  }

  private var rank: Int {
    switch self {
    case .error: 0
    case .warning: 1
    case .note: 2
    }
  }
}

/// The stable identifier of a kind of diagnostic, such as `unterminated-string`.
///
/// Identifiers never change once published, so tools and golden tests can rely on
/// them; messages may be reworded. Each phase declares its identifiers beside the
/// code that emits them.
public struct DiagnosticID: Sendable, Hashable, CustomStringConvertible,
  ExpressibleByStringLiteral
{
  /// The identifier's text.
  public let rawValue: String

  /// Creates an identifier from its text.
  public init(_ rawValue: String) {
    self.rawValue = rawValue
  }

  /// Creates an identifier from a string literal.
  public init(stringLiteral value: String) {
    self.rawValue = value
  }

  /// The identifier's text.
  public var description: String { rawValue }
}

/// A secondary message attached to a diagnostic, optionally pointing somewhere.
public struct DiagnosticNote: Sendable, Hashable {
  /// What the note says.
  public var message: String
  /// Where it points, or `nil` for a note without a place.
  public var range: SourceRange?

  /// Creates a note.
  public init(_ message: String, at range: SourceRange? = nil) {
    self.message = message
    self.range = range
  }
}

/// A message about a script: what is wrong, where, and how to fix it.
///
/// Diagnostics are values collected by each phase (lexer, parser, checker) and
/// rendered in one place by ``DiagnosticRenderer``. Messages are lower-case, have
/// no full stop, quote the user's names, and say what was expected and what was found.
public struct Diagnostic: Sendable, Hashable {
  /// How serious it is.
  public var severity: Severity
  /// The stable identifier of its kind.
  public var id: DiagnosticID
  /// The main message.
  public var message: String
  /// The span the message is about.
  public var range: SourceRange
  /// Further messages, such as where something was first defined.
  public var notes: [DiagnosticNote]

  /// Creates a diagnostic.
  public init(
    _ severity: Severity, _ id: DiagnosticID, _ message: String, at range: SourceRange,
    notes: [DiagnosticNote] = []
  ) {
    self.severity = severity
    self.id = id
    self.message = message
    self.range = range
    self.notes = notes
  }

  /// An error diagnostic.
  public static func error(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = []
  ) -> Diagnostic {
    Diagnostic(.error, id, message, at: range, notes: notes)
  }

  /// A warning diagnostic.
  public static func warning(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = []
  ) -> Diagnostic {
    Diagnostic(.warning, id, message, at: range, notes: notes)
  }
}

extension Array where Element == Diagnostic {
  /// Whether any diagnostic is an error.
  public var containsErrors: Bool { contains { $0.severity == .error } }

  /// The diagnostics in source order, each distinct one once.
  public func sortedUnique() -> [Diagnostic] {
    var seen = Set<Diagnostic>()
    return
      filter { seen.insert($0).inserted }
      .enumerated()
      .sorted { a, b in
        (a.element.range.start, a.offset) < (b.element.range.start, b.offset)
      }
      .map(\.element)
  }
}
