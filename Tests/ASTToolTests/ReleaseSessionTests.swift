import ASTTestSupport
import Foundation
import Testing

/// The release build of `ast`, the one the README tells people to build and install:
/// `.build/release/ast` beside the debug build the tests come from.
let releaseAstExecutable: String = {
  let debug = URL(fileURLWithPath: astExecutable)
  let configuration = debug.deletingLastPathComponent()
  return configuration.deletingLastPathComponent()
    .appendingPathComponent("release").appendingPathComponent("ast").path
}()

@Suite("The release build on a terminal")
struct ReleaseSessionTests {
  /// Starts the release session on a terminal, binds a name and starts a render that
  /// would take most of a minute.
  private func startLongRender(home: String) throws -> PseudoTerminal? {
    guard FileManager.default.isExecutableFile(atPath: releaseAstExecutable) else {
      Issue.record(
        "no release build at \(releaseAstExecutable): build it with 'swift build -c release'")
      return nil
    }
    let terminal = try PseudoTerminal(releaseAstExecutable, [], environment: ["HOME": home])
    #expect(terminal.waitFor("ast> "))
    terminal.type("keep = 6 * 7\r")
    #expect(terminal.waitFor("keep: 42"))
    terminal.type("sine 440 100000 rate:48000 |> lowpass 1000\r")
    usleep(500_000)
    return terminal
  }

  /// Waits for the interruption and the prompt after `mark`; returns the seconds taken.
  private func secondsUntilPrompt(_ terminal: PseudoTerminal, after mark: Int) -> Double? {
    let start = Date()
    guard terminal.waitFor("interrupted", after: mark, seconds: 30) else { return nil }
    guard terminal.waitFor("ast> ", after: mark, seconds: 30) else { return nil }
    return Date().timeIntervalSince(start)
  }

  /// The session goes on with its bindings after the interruption.
  private func expectBindingsKept(_ terminal: PseudoTerminal) {
    let mark = terminal.screen.count
    terminal.type("keep + 1\r")
    #expect(terminal.waitFor("43", after: mark))
    terminal.type("\u{4}")
    #expect(terminal.waitForExit() == 0)
  }

  @Test("Ctrl-C stops a render within a second and keeps the bindings")
  func controlC() throws {
    let home = try TemporaryDirectory()
    defer { home.cleanUp() }
    guard let terminal = try startLongRender(home: home.path) else { return }
    let mark = terminal.screen.count
    terminal.type("\u{3}")
    let seconds = secondsUntilPrompt(terminal, after: mark)
    #expect(seconds != nil, "no prompt after Ctrl-C: \(terminal.screen.suffix(300))")
    if let seconds { #expect(seconds < 1.0, "the prompt came back after \(seconds) s") }
    expectBindingsKept(terminal)
  }

  @Test("SIGINT from another process stops a render within a second")
  func interruptSignal() throws {
    let home = try TemporaryDirectory()
    defer { home.cleanUp() }
    guard let terminal = try startLongRender(home: home.path) else { return }
    let mark = terminal.screen.count
    terminal.signal(SIGINT)
    let seconds = secondsUntilPrompt(terminal, after: mark)
    #expect(seconds != nil, "no prompt after SIGINT: \(terminal.screen.suffix(300))")
    if let seconds { #expect(seconds < 1.0, "the prompt came back after \(seconds) s") }
    expectBindingsKept(terminal)
  }
}
