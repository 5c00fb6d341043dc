import ASTCore
import ASTRuntime
import ASTSemantics
import ASTSyntax
import Foundation

/// `ast test`'s runs of scripts against their golden files (``GoldenRecording``).
///
/// A script runs in a fresh temporary directory holding copies of the other files of
/// its own directory (its inputs), so runs never touch the directory; `input` reads
/// `NAME.stdin` when there is one, and nothing otherwise.
enum GoldenRunner {
  /// The result of one script.
  enum Outcome: Sendable, Equatable {
    /// The recording matches the golden file.
    case passed
    /// It does not; the lines say how.
    case failed([String])
    /// There is no golden file.
    case missing
    /// The golden file was written.
    case updated
  }

  /// The golden file of a script: `NAME.golden` beside `NAME.ast`.
  static func goldenPath(for script: String) -> String {
    (script.hasSuffix(".ast") ? String(script.dropLast(4)) : script) + ".golden"
  }

  /// The `.ast` files named, or found (sorted) in the directories named.
  static func scripts(in paths: [String]) -> [String] {
    var found: [String] = []
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        found.append(path)
        continue
      }
      if isDirectory.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        found += names.filter { $0.hasSuffix(".ast") }.sorted().map {
          FilePaths.resolve($0, against: path)
        }
      } else {
        found.append(path)
      }
    }
    return found
  }

  /// Runs a script and compares it with its golden file, or records the golden file.
  /// With `sandboxed`, the script may touch files only in its temporary directory.
  static func run(script path: String, update: Bool, sandboxed: Bool = false) async -> Outcome {
    let recorded = await record(script: path, sandboxed: sandboxed)
    let golden = goldenPath(for: path)
    if update {
      do {
        try TextFile.write(Array(recorded.utf8), to: golden)
        return .updated
      } catch {
        return .failed(["\(error)"])
      }
    }
    guard let data = FileManager.default.contents(atPath: golden) else { return .missing }
    let expected = String(decoding: data, as: UTF8.self)
    if let differences = GoldenRecording.compare(expected: expected, actual: recorded) {
      return .failed(differences)
    }
    return .passed
  }

  /// The golden text of a script's run; with `sandboxed`, every file the script names
  /// must lie in its temporary directory (see ``Sandbox``).
  static func record(script path: String, sandboxed: Bool = false) async -> String {
    let name = FilePaths.split(path).name
    let heading = "# golden output of \(name); record again with: ast test --update \(name)"
    func text(_ lines: [String]) -> String { ([heading] + lines).joined(separator: "\n") + "\n" }
    guard let data = FileManager.default.contents(atPath: path) else {
      return text(["status: 1", "stderr:", "  cannot read '\(name)'"])
    }
    let directory = NSTemporaryDirectory() + "ast-golden-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let inputs = copyInputs(from: FilePaths.split(path).directory, to: directory)
    var sandbox: Sandbox?
    if sandboxed {
      do {
        let box = try Sandbox(directory: directory)
        // Scripts run one after another: each is confined to its own folder.
        try Confinement.confine(to: box.root)
        sandbox = box
      } catch {
        return text(["status: 1", "stderr:", "  \(error)"])
      }
    }
    defer { if sandboxed { try? Confinement.confine(to: nil) } }
    // `NAME.stdin` beside the script, when there is one, is what `input` reads;
    // otherwise it reads nothing.
    var standardInput = open(
      (path.hasSuffix(".ast") ? String(path.dropLast(4)) : path) + ".stdin", O_RDONLY | O_CLOEXEC)
    if standardInput < 0 { standardInput = open("/dev/null", O_RDONLY | O_CLOEXEC) }
    defer { if standardInput >= 0 { close(standardInput) } }
    return text(
      await GoldenRecording.record(
        Source(name: name, bytes: [UInt8](data)), in: directory, inputs: inputs,
        inputDescriptor: standardInput, sandbox: sandbox))
  }

  /// Copies the regular files of `source` that are not scripts or golden files.
  private static func copyInputs(from source: String, to directory: String) -> Set<String> {
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let from = source.isEmpty ? "." : source
    var copied: Set<String> = []
    for name in (try? FileManager.default.contentsOfDirectory(atPath: from)) ?? []
    where !name.hasSuffix(".ast") && !name.hasSuffix(".golden") && !name.hasPrefix(".") {
      let full = FilePaths.resolve(name, against: from)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory),
        !isDirectory.boolValue
      else { continue }
      if (try? FileManager.default.copyItem(
        atPath: full, toPath: FilePaths.resolve(name, against: directory)))
        != nil
      {
        copied.insert(name)
      }
    }
    return copied
  }
}
