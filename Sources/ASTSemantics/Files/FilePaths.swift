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
