import ASTSyntax
import Foundation

/// Paths as scripts name them: relative paths are resolved against a base directory.
package enum FilePaths {
  /// `path` when absolute, else `path` under `base` (the current directory when `nil`).
  package static func resolve(_ path: String, against base: String?) -> String {
    if path.hasPrefix("/") { return path }
    let directory = base ?? FileManager.default.currentDirectoryPath
    if path.isEmpty { return directory }
    return directory.hasSuffix("/") ? directory + path : directory + "/" + path
  }

  /// What a path names, to tell two spellings of one file apart from two files: the
  /// device and inode of an existing file (so `in.wav`, `./in.wav`, a symbolic link to
  /// it and a hard link to it are one file), else the path with `.`, `..` and the
  /// symbolic links of its directory resolved.
  package static func identity(of path: String) -> String {
    var facts = stat()
    if stat(path, &facts) == 0 { return "inode \(facts.st_dev):\(facts.st_ino)" }
    let (directory, name) = split(path)
    let folder = directory.isEmpty ? "." : directory
    guard let resolved = realpath(folder, nil) else {
      return "path " + URL(fileURLWithPath: path).standardizedFileURL.path
    }
    defer { free(resolved) }
    return "path " + String(cString: resolved) + "/" + name
  }

  /// The part before the last `/` (empty when there is none) and the part after it.
  package static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return ("", path) }
    let directory = String(path[..<slash])
    return (
      directory.isEmpty && path.hasPrefix("/") ? "/" : directory,
      String(path[path.index(after: slash)...])
    )
  }
}
