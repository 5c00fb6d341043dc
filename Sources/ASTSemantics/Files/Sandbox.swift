import ASTSyntax
import Foundation

/// A directory that confines every file a script reads or writes (`ast run --sandbox`).
///
/// Paths are taken relative to the directory. An absolute path, a `..` component, a
/// path that leads out through a symbolic link, or a file with more than one name (a
/// hard link, which may be a file outside) is refused; the refusal is an error at the
/// place in the script that named the file.
public struct Sandbox: Sendable, Equatable {
  /// The directory, with every symbolic link in it resolved.
  public let root: String

  /// Confines scripts to `directory`.
  ///
  /// - Throws: ``SandboxError`` when it is not an existing directory.
  public init(directory: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
      isDirectory.boolValue, let resolved = Self.realPath(directory)
    else {
      throw SandboxError(message: "the sandbox '\(directory)' is not a directory")
    }
    root = resolved
  }

  /// The path to open for `path`, or why it is refused (`'PATH': it is outside the
  /// sandbox (why)`, to follow `cannot read` or `cannot write`).
  public func confine(_ path: String) -> Result<String, SandboxError> {
    func refuse(_ reason: String) -> Result<String, SandboxError> {
      .failure(SandboxError(message: "'\(path)': it is outside the sandbox (\(reason))"))
    }
    if path.hasPrefix("/") { return refuse("name files relative to the sandbox, not absolutely") }
    let components = path.split(separator: "/", omittingEmptySubsequences: true)
    if components.contains("..") { return refuse("'..' may not be used") }
    guard let name = components.last else {
      return .failure(SandboxError(message: "'\(path)': the path names no file"))
    }
    let joined = root + "/" + components.joined(separator: "/")
    // An existing file (or link) must resolve inside; a new one must be made in a
    // directory that resolves inside.
    var status = stat()
    if lstat(joined, &status) == 0 {
      guard let resolved = Self.realPath(joined) else {
        return refuse("it is a symbolic link that leads nowhere")
      }
      guard contains(resolved) else { return refuse("a symbolic link leads out of it") }
      // A file with other names may be one outside under another name: a hard link
      // cannot be told from the file it names.
      var target = stat()
      if stat(resolved, &target) == 0, target.st_mode & S_IFMT == S_IFREG, target.st_nlink > 1 {
        return refuse("the file has other names (hard links), which may lie outside")
      }
      return .success(resolved)
    }
    let parent =
      components.dropLast().isEmpty
      ? root : root + "/" + components.dropLast().joined(separator: "/")
    guard let directory = Self.realPath(parent) else {
      // A missing directory: the open fails later with the usual message.
      return .success(joined)
    }
    return contains(directory)
      ? .success(directory + "/" + name) : refuse("a symbolic link leads out of it")
  }

  private func contains(_ resolved: String) -> Bool {
    resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/")
  }

  private static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}

/// A file access that a ``Sandbox`` refuses, or a sandbox that cannot be set up.
public struct SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What was refused and why.
  public let message: String

  /// The message.
  public var description: String { message }
}

extension Sandbox {
  /// A path a script names, as it is opened: confined to `sandbox` when there is one,
  /// else a relative path taken against `base`. A refusal's message reads "cannot read
  /// 'x': ..." or "cannot write ...".
  package static func open(
    _ path: String, in sandbox: Sandbox?, base: String?, writing: Bool
  ) -> Result<String, SandboxError> {
    guard let sandbox else { return .success(FilePaths.resolve(path, against: base)) }
    return sandbox.confine(path).mapError {
      SandboxError(message: "cannot \(writing ? "write" : "read") \($0.message)")
    }
  }
}
