import ASTCore
import ASTEngine

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
  /// Whether the failure was a write to a pipe whose reader went away, which the
  /// runner ends quietly.
  public var isClosedByReader = false

  /// The message.
  public var description: String { message }

  /// The error as a diagnostic.
  public var diagnostic: Diagnostic {
    .error(Evaluator.IDs.runtimeError, message, at: range)
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
