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
  /// Nothing.
  case unit
}

/// A failure while running, at the statement or expression that caused it.
public struct RuntimeError: Error, CustomStringConvertible {
  /// What went wrong, lower-case, naming files and values.
  public let message: String
  /// Where in the script.
  public let range: SourceRange
  /// The identifier of its diagnostic.
  public static let id: DiagnosticID = "runtime-error"

  /// Whether the failure was a write to a pipe whose reader went away, which the
  /// runner ends quietly.
  public var isClosedByReader: Bool

  /// A failure at `range`.
  public init(message: String, range: SourceRange, isClosedByReader: Bool = false) {
    self.message = message
    self.range = range
    self.isClosedByReader = isClosedByReader
  }

  /// The message.
  public var description: String { message }

  /// The error as a diagnostic.
  public var diagnostic: Diagnostic {
    .error(Self.id, message, at: range)
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

  /// Prints the line.
  public func line(_ text: String) {
    print(text)
  }
}
