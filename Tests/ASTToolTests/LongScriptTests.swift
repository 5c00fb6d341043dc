import ASTTestSupport
import Foundation
import Testing

/// Scripts of tens of thousands of statements, on the release build people run.
@Suite("Long scripts on the release build")
struct LongScriptTests {
  /// A chain of `count` bindings, each the one before through `gain 1`, and `out` the
  /// last.
  static func chain(_ count: Int) -> String {
    var lines = ["a0 = sine 440 0.1 rate:8000"]
    lines.reserveCapacity(count + 1)
    for index in 1..<count { lines.append("a\(index) = a\(index - 1) |> gain 1") }
    lines.append("out = a\(count - 1)")
    return lines.joined(separator: "\n") + "\n"
  }

  @Test("a chain of 40,000 bindings runs to its end; one past the node limit stops with it")
  func chain() throws {
    guard releaseBuildExists() else { return }
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // Built, rendered and released one binding inside the next, this overflowed the
    // stack with no message; it now takes well under a second.
    let path = directory.file("chain.ast")
    try Self.chain(40_000).write(toFile: path, atomically: true, encoding: .utf8)
    let start = Date()
    let result = try runProcess(releaseAstExecutable, ["run", path])
    let seconds = Date().timeIntervalSince(start)
    #expect(result.status == 0, "\(result.errorText)")
    #expect(result.text == "Audio(8000 Hz, mono) 0.100 s, peak 0.00 dBFS, RMS -3.01 dBFS\n")
    #expect(seconds < 30, "the chain took \(seconds) s")
    // Each link builds three nodes: 70,000 links pass the limit of 200,000.
    let longer = directory.file("longer.ast")
    try Self.chain(70_000).write(toFile: longer, atomically: true, encoding: .utf8)
    let limited = try runProcess(releaseAstExecutable, ["run", longer])
    #expect(limited.status == 1)
    #expect(
      limited.errorText.contains(
        "error: the patch builds more than 200000 nodes; use fewer layers or fewer repetitions"),
      "\(limited.errorText)")
  }
}
