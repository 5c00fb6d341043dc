import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("The sandbox")
struct SandboxTests {
  /// A sandbox directory with a file, a subdirectory, links in and out, and a file
  /// outside it.
  func makeBox() throws -> (TemporaryDirectory, Sandbox) {
    let directory = try TemporaryDirectory()
    let box = directory.file("box")
    let manager = FileManager.default
    try manager.createDirectory(atPath: box + "/sub", withIntermediateDirectories: true)
    try Data("in".utf8).write(to: URL(fileURLWithPath: box + "/in.wav"))
    try Data("secret".utf8).write(to: URL(fileURLWithPath: directory.file("secret.wav")))
    try manager.createSymbolicLink(atPath: box + "/leak.wav", withDestinationPath: "../secret.wav")
    try manager.createSymbolicLink(atPath: box + "/out", withDestinationPath: directory.path)
    try manager.createSymbolicLink(atPath: box + "/alias.wav", withDestinationPath: "sub/../in.wav")
    try manager.createSymbolicLink(atPath: box + "/inner", withDestinationPath: "sub")
    // A second name inside for the file outside, and one for a file inside.
    try manager.linkItem(atPath: directory.file("secret.wav"), toPath: box + "/hard.wav")
    try Data("twice".utf8).write(to: URL(fileURLWithPath: box + "/sub/twice.wav"))
    try manager.linkItem(atPath: box + "/sub/twice.wav", toPath: box + "/twice.wav")
    return (directory, try Sandbox(directory: box))
  }

  @Test("paths inside are allowed; absolute paths, '..' and links out are refused")
  func confine() throws {
    let (directory, sandbox) = try makeBox()
    defer { directory.cleanUp() }
    let root = sandbox.root
    #expect(try sandbox.confine("in.wav").get() == root + "/in.wav")
    #expect(try sandbox.confine("sub/new.wav").get() == root + "/sub/new.wav")
    #expect(try sandbox.confine("inner/new.wav").get() == root + "/sub/new.wav")
    #expect(try sandbox.confine("alias.wav").get() == root + "/in.wav")
    for (path, reason) in [
      ("../secret.wav", "'..' may not be used"),
      ("sub/../../secret.wav", "'..' may not be used"),
      (directory.file("secret.wav"), "name files relative to the sandbox, not absolutely"),
      ("leak.wav", "a symbolic link leads out of it"),
      ("out/secret.wav", "a symbolic link leads out of it"),
      ("out/new.wav", "a symbolic link leads out of it"),
      ("hard.wav", "the file has other names (hard links), which may lie outside"),
      ("twice.wav", "the file has other names (hard links), which may lie outside"),
    ] {
      guard case .failure(let refusal) = sandbox.confine(path) else {
        Issue.record("'\(path)' was allowed")
        continue
      }
      #expect(refusal.message == "'\(path)': it is outside the sandbox (\(reason))")
    }
    #expect(throws: SandboxError.self) { try Sandbox(directory: directory.file("none")) }
  }

  @Test("the checker refuses constant paths out of the sandbox at their place")
  func checker() throws {
    let (directory, sandbox) = try makeBox()
    defer { directory.cleanUp() }
    var options = CheckOptions()
    options.sandbox = sandbox
    let text = "a = read \"leak.wav\"\nwrite (sine 440 1) \"../x.wav\"\n"
    let check = Checker.check(Source(name: "t.ast", text: text), options: options)
    let messages = check.diagnostics.map(\.message)
    #expect(
      messages == [
        "cannot read 'leak.wav': it is outside the sandbox (a symbolic link leads out of it)",
        "cannot write '../x.wav': it is outside the sandbox ('..' may not be used)",
      ])
    #expect(check.diagnostics.map(\.range.start) == [9, 39])
  }

  @Test("the evaluator refuses a path the checker did not see, at its place")
  func runtime() async throws {
    let (directory, sandbox) = try makeBox()
    defer { directory.cleanUp() }
    // Checked without the sandbox, run with it: the run is the last line of defence.
    let text = "fn save x p = write x p\nsave (sine 440 0.1) \"out/escaped.wav\"\n"
    let check = Checker.check(
      Source(name: "t.ast", text: text), options: CheckOptions(baseDirectory: sandbox.root))
    #expect(check.diagnostics.isEmpty, "\(check.diagnostics.map(\.message))")
    var options = RunOptions(output: CapturedOutput())
    options.sandbox = sandbox
    do {
      _ = try await Evaluator(check: check, options: options).run()
      Issue.record("the write was allowed")
    } catch let error as RuntimeError {
      #expect(error.message.contains("cannot write 'out/escaped.wav': it is outside the sandbox"))
      #expect(error.range.start == 44)
    }
    #expect(!FileManager.default.fileExists(atPath: directory.file("escaped.wav")))
  }
}
