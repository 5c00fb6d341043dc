import ASTCore
import ASTEngine
import ASTSyntax

/// A value while a script runs: numbers and strings are known, signals and streams are
/// freshly built graphs that render when pulled.
public enum RuntimeValue {
  /// A number.
  case number(Double)
  /// A string.
  case string(String)
  /// A signal, with the metadata `tag` attached to it for its chunks.
  case audio(AudioNode, Metadata)
  /// A stream of chunks.
  case stream(ChunkSource)
  /// A list.
  case list([RuntimeValue])
  /// Note events in musical time.
  case pattern(Pattern)
  /// Nothing.
  case unit
}

/// A failure while running, at the statement or expression that caused it.
public struct RuntimeError: Error, CustomStringConvertible {
  /// What went wrong, lower-case, naming files and values.
  public let message: String
  /// Where in the script.
  public let range: SourceRange
  /// What else to know: where to look, what to do.
  public var notes: [DiagnosticNote]
  /// The identifier of its diagnostic: ``id`` unless the failure has one of its own.
  public let diagnosticID: DiagnosticID
  /// The identifier of a failure's diagnostic.
  public static let id: DiagnosticID = "runtime-error"
  /// The identifier of a number computed while running that its parameter does not take.
  public static let outOfRangeID: DiagnosticID = "computed-out-of-range"

  /// Whether the failure was a write to a pipe whose reader went away, which the
  /// runner ends quietly.
  public var isClosedByReader: Bool

  /// A failure at `range`.
  public init(
    message: String, range: SourceRange, notes: [DiagnosticNote] = [],
    id: DiagnosticID = RuntimeError.id, isClosedByReader: Bool = false
  ) {
    self.message = message
    self.range = range
    self.notes = notes
    self.diagnosticID = id
    self.isClosedByReader = isClosedByReader
  }

  /// A number computed while running that the parameter `parameter` of `builtin` does
  /// not take, at the argument's place, in the words the checker uses for a constant.
  package init(
    _ problem: ParameterError, of parameter: BuiltinParameter, in builtin: Builtin,
    at range: SourceRange
  ) {
    self.init(
      message: problem.message(subject: builtin.subject(parameter)), range: range,
      notes: problem.diagnosticNotes, id: Self.outOfRangeID)
  }

  /// The message.
  public var description: String { message }

  /// The error as a diagnostic.
  public var diagnostic: Diagnostic {
    .error(diagnosticID, message, at: range, notes: notes)
  }

  /// Throws when two signals to be combined at `range` have different rates.
  package static func requireSameRate(_ a: AudioNode, _ b: AudioNode, at range: SourceRange) throws
  {
    guard a.sampleRate == b.sampleRate else {
      throw RuntimeError(
        message: "cannot combine audio at \(a.sampleRate) Hz with audio at \(b.sampleRate) Hz",
        range: range)
    }
  }
}

/// Where a script's output lines go (summaries from `print`, the summary of `out`).
public protocol RunOutput: Sendable {
  /// Writes one line.
  func line(_ text: String)
}

/// Output to standard output.
public struct StandardRunOutput: RunOutput {
  /// Creates it.
  public init() {}

  /// Prints the line, its control characters but tabs and line breaks shown as signs.
  public func line(_ text: String) {
    print(text.terminalSafe(keepingTabs: true, keepingLineBreaks: true))
  }
}
