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

  /// Throws when two signals to be combined at `range` have different rates.
  static func requireSameRate(_ a: AudioNode, _ b: AudioNode, at range: SourceRange) throws {
    guard a.sampleRate == b.sampleRate else {
      throw RuntimeError(
        message: "cannot combine audio at \(a.sampleRate) Hz with audio at \(b.sampleRate) Hz",
        range: range)
    }
  }
}

/// A failure of a file that the run's options name rather than the script (where to
/// write `out`, ``RunOptions/outPath``, its picture, ``RunOptions/plotPath``, or the JSON
/// lines on standard output): it belongs to whoever chose the file, not to a line of the
/// script.
public struct OutputError: Error, CustomStringConvertible {
  /// Which of the run's files failed.
  public enum Target: Sendable {
    /// The file `out` is written to.
    case out
    /// The picture of `out`.
    case plot
    /// Standard output, where `out` goes as JSON lines (``RunOptions/emitsJSONLines``).
    case emit
  }

  /// Which of the run's files failed.
  public let target: Target
  /// The path as the options give it.
  public let path: String
  /// What went wrong, in a few words: `the directory 'x' does not exist`.
  public let reason: String
  /// Whether the failure was a write to a pipe whose reader went away.
  public let isClosedByReader: Bool

  /// Creates the error for a failure of the file at `path`; an ``ASTCore/AudioFileError``
  /// gives its reason, any other error its description.
  public init(_ target: Target, path: String, failure: any Error) {
    self.target = target
    self.path = path
    if let file = failure as? AudioFileError {
      reason = file.reason
      isClosedByReader = file.kind == .closedByReader
    } else {
      reason = String(describing: failure)
      isClosedByReader = false
    }
  }

  /// `cannot write 'PATH': reason` (`standard output` for the path `-`).
  public var description: String {
    AudioFileError(.writeFailed, .write, path: path, reason: reason).description
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
