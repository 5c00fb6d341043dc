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

/// Whether the release build is there; records an issue saying how to make it when not.
func releaseBuildExists() -> Bool {
  guard FileManager.default.isExecutableFile(atPath: releaseAstExecutable) else {
    Issue.record(
      "no release build at \(releaseAstExecutable): build it with 'swift build -c release'")
    return false
  }
  return true
}

@Suite("The release build on a terminal")
struct ReleaseSessionTests {
  /// Starts the release session on a terminal, binds a name and starts a render that
  /// would take most of a minute.
  private func startLongRender(home: String) throws -> PseudoTerminal? {
    guard releaseBuildExists() else { return nil }
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

  @Test("Tab completes a file inside a string with its closing quote; 'help' hints ':help'")
  func completionAndHint() throws {
    guard releaseBuildExists() else { return }
    let home = try TemporaryDirectory()
    defer { home.cleanUp() }
    try Sox.run([
      "-n", "-r", "8000", "-c", "1", home.file("take.wav"), "synth", "0.5", "sine", "440",
    ])
    let terminal = try PseudoTerminal(releaseAstExecutable, [], environment: ["HOME": home.path])
    #expect(terminal.waitFor("ast> "))
    var mark = terminal.screen.count
    terminal.type("read \"\(home.path)/ta\t")
    usleep(300_000)
    terminal.type("\r")
    #expect(terminal.waitFor("Audio(8000 Hz, mono) 0.500 s", after: mark))
    mark = terminal.screen.count
    terminal.type("help\r")
    #expect(terminal.waitFor("type ':help'", after: mark))
    terminal.type("\u{4}")
    #expect(terminal.waitForExit() == 0)
  }
}

@Suite("First contact: the demo and the installer")
struct FirstContactTests {
  @Test("Scripts/install.sh puts the binary and the completions under a prefix")
  func install() throws {
    guard releaseBuildExists() else { return }
    let prefix = try TemporaryDirectory()
    defer { prefix.cleanUp() }
    let result = try runProcess(
      "/usr/bin/env",
      [
        "AST_BINARY=\(releaseAstExecutable)", "bash", repositoryRoot + "/Scripts/install.sh",
        prefix.path,
      ])
    #expect(result.status == 0, "\(result.errorText)")
    #expect(result.text.contains("installed 0.1.0 as \(prefix.path)/bin/ast"))
    let installed = try runProcess(prefix.file("bin/ast"), ["--version"])
    #expect(installed.text.hasPrefix("0.1.0"))
    for (path, word) in [
      ("share/bash-completion/completions/ast", "complete"),
      ("share/zsh/site-functions/_ast", "#compdef ast"),
      ("share/fish/vendor_completions.d/ast.fish", "complete -c 'ast'"),
    ] {
      let text = (try? String(contentsOfFile: prefix.file(path), encoding: .utf8)) ?? ""
      #expect(text.contains(word), "\(path)")
    }
  }

  @Test("Scripts/demo.sh shows a patch checked, rendered and drawn, and an error message")
  func demo() throws {
    guard releaseBuildExists() else { return }
    let result = try runProcess(
      "/usr/bin/env",
      ["AST_BINARY=\(releaseAstExecutable)", "bash", repositoryRoot + "/Scripts/demo.sh"])
    #expect(result.status == 0, "\(result.errorText)")
    #expect(result.text.contains("out: Audio(44100 Hz, mono)"))
    #expect(result.text.contains("Audio(44100 Hz, mono) 2.000 s, peak -3.42 dBFS"))
    #expect(result.text.contains("error: 'cutoff' of 'lowpass' must be greater than 0"))
    for picture in ["bell-wave.png", "bell-spectrogram.png"] {
      let path = repositoryRoot + "/.build/demo/" + picture
      let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
      #expect(size > 1000, "\(picture)")
    }
  }
}
