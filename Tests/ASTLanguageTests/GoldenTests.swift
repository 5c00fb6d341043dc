import ASTTestSupport
import Foundation
import Testing

@testable import ASTLanguage

/// The repository's root, from this file's place.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

@Suite("Golden corpus")
struct GoldenTests {
  static let gallery = GoldenTest.scripts(in: [repositoryRoot + "/Scripts/examples"])
  static let errors = GoldenTest.scripts(in: [repositoryRoot + "/Tests/Golden/errors"])

  @Test("every gallery script runs and matches its golden file", arguments: gallery)
  func galleryScript(path: String) async {
    let outcome = await GoldenTest.run(script: path, update: false)
    #expect(outcome == .passed, "\(outcome)")
  }

  @Test("every error case reports what its golden file pins", arguments: errors)
  func errorCase(path: String) async {
    let outcome = await GoldenTest.run(script: path, update: false)
    #expect(outcome == .passed, "\(outcome)")
  }

  @Test("the gallery has at least fifteen commented patches")
  func galleryShape() throws {
    #expect(Self.gallery.count >= 15)
    for path in Self.gallery {
      let text = try String(contentsOfFile: path, encoding: .utf8)
      #expect(text.hasPrefix("#"), "\(path) starts without a comment")
    }
  }

  @Test("every diagnostic identifier appears in the error corpus")
  func everyDiagnostic() throws {
    var seen: Set<String> = []
    for path in Self.errors {
      let golden = try String(contentsOfFile: GoldenTest.goldenPath(for: path), encoding: .utf8)
      var inSection = false
      for line in golden.split(separator: "\n") {
        if line == "diagnostics:" {
          inSection = true
          continue
        }
        if !line.hasPrefix("  ") { inSection = false }
        if inSection, let id = line.split(separator: " ").last { seen.insert(String(id)) }
      }
    }
    let all = Lexer.IDs.all + Parser.IDs.all + Checker.IDs.all + Evaluator.IDs.all
    for id in all {
      #expect(seen.contains(id.rawValue), "no error case shows '\(id)'")
    }
  }
}

@Suite("Golden comparison")
struct GoldenComparisonTests {
  @Test("numbers may differ by 0.01 and envelope steps by one; nothing else")
  func tolerance() {
    let line =
      "out: 96000 frames, 48000 Hz, 2 channels, peak -6.02 dBFS, RMS -9.03 dBFS, envelope 9988"
    #expect(GoldenTest.linesAgree(line, line.replacingOccurrences(of: "-6.02", with: "-6.03")))
    #expect(GoldenTest.linesAgree(line, line.replacingOccurrences(of: "9988", with: "8999")))
    #expect(!GoldenTest.linesAgree(line, line.replacingOccurrences(of: "-6.02", with: "-6.05")))
    #expect(!GoldenTest.linesAgree(line, line.replacingOccurrences(of: "96000", with: "96001")))
    #expect(!GoldenTest.linesAgree(line, line.replacingOccurrences(of: "9988", with: "7988")))
    #expect(
      !GoldenTest.linesAgree(line, line.replacingOccurrences(of: "stereo", with: "mono") + " x"))
  }

  @Test("a failing case shows a line diff; a missing golden file fails; --update records")
  func outcomes() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("t.ast")
    try "print 1\n".write(toFile: script, atomically: true, encoding: .utf8)
    #expect(await GoldenTest.run(script: script, update: false) == .missing)
    #expect(await GoldenTest.run(script: script, update: true) == .updated)
    #expect(await GoldenTest.run(script: script, update: false) == .passed)
    try "print 2\n".write(toFile: script, atomically: true, encoding: .utf8)
    #expect(
      await GoldenTest.run(script: script, update: false)
        == .failed(["line 4:", "-   1", "+   2"]))
  }
}
