import Foundation

/// A failure to read a script file.
public struct SourceFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The path as given.
  public let path: String
  /// What went wrong.
  public let reason: String

  /// `cannot read 'PATH': reason`.
  public var description: String { "cannot read '\(path)': \(reason)" }
}

extension Source {
  /// Reads a script file; the source is named by the path as given.
  ///
  /// - Throws: ``SourceFileError`` when the file is missing, a directory or unreadable.
  public init(contentsOfFile path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw SourceFileError(path: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else {
      throw SourceFileError(path: path, reason: "it is a directory")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SourceFileError(path: path, reason: "permission denied or unreadable")
    }
    self.init(name: path, bytes: [UInt8](data))
  }
}
