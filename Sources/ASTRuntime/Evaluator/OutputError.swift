import ASTCore

/// A failure of a file that the run's options name rather than the script (the file
/// `out` goes to, ``RunOptions/out``, its picture, ``RunOptions/picturePath``, or the JSON
/// lines on standard output): it belongs to whoever chose the file, not to a line of the
/// script.
public struct OutputError: Error, CustomStringConvertible {
  /// Which of the run's files failed.
  public enum Target: Sendable {
    /// The file `out` is written to.
    case out
    /// The picture of `out`.
    case picture
    /// Standard output, where `out` goes as JSON lines (``OutDestination/jsonLines``).
    case jsonLines
    /// The sound device `out` is played on (``RunOptions/play``); the path is its name.
    case device
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

  /// Creates the error for the file at `path` that cannot take what the run has for it.
  public init(_ target: Target, path: String, reason: String) {
    self.target = target
    self.path = path
    self.reason = reason
    isClosedByReader = false
  }

  /// `cannot write 'PATH': reason` (`standard output` for the path `-`), or
  /// `cannot play on audio device 'NAME': reason`.
  public var description: String {
    if target == .device { return "cannot play on audio device '\(path)': \(reason)" }
    return AudioFileError(.writeFailed, .write, path: path, reason: reason).description
  }
}
