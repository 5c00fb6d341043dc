/// A failure to read or write an audio file, naming the file.
public struct AudioFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What kind of failure it was.
  public enum Kind: Sendable, Equatable {
    /// Nothing exists at the path, or its directory does not exist.
    case notFound
    /// The path names a directory or another thing that is not a regular file.
    case notAFile
    /// The file or its directory cannot be opened for lack of permission.
    case permissionDenied
    /// The format cannot be told from the path, or it cannot store what was asked.
    case unsupportedFormat
    /// The file's contents are not audio libsndfile can decode (corrupt, truncated).
    case unreadable
    /// Writing failed: a full disk, a file size limit.
    case writeFailed
    /// The reader of a pipe being written closed it (a broken pipe): not a failure of
    /// the writer, so callers usually stop quietly.
    case closedByReader
  }

  /// Whether the file was being read or written.
  public enum Operation: String, Sendable, Equatable {
    /// Reading or inspecting a file.
    case read
    /// Writing a file.
    case write
  }

  /// What kind of failure it was.
  public let kind: Kind
  /// Whether the file was being read or written.
  public let operation: Operation
  /// The path of the file, as the caller gave it.
  public let path: String
  /// What went wrong, in a few words.
  public let reason: String

  /// Creates an error for `path`.
  public init(_ kind: Kind, _ operation: Operation, path: String, reason: String) {
    self.kind = kind
    self.operation = operation
    self.path = path
    self.reason = reason
  }

  /// `cannot read 'PATH': reason` or `cannot write 'PATH': reason` (`standard output`
  /// for the path `-`).
  public var description: String {
    if path == "-" {
      return "cannot \(operation.rawValue) standard \(operation == .read ? "input" : "output"): "
        + reason
    }
    return "cannot \(operation.rawValue) '\(path)': \(reason)"
  }
}
