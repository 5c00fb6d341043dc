import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("REPL session")
struct SessionTests {
  @Test("statements run against the session's bindings; results show as summary lines")
  func statements() async {
    let session = Session()
    #expect(
      await session.submit("osc = sine 440 1 rate:8000").lines == [
        "osc: Audio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS"
      ])
    #expect(
      await session.submit("gain osc 0.5").lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak -6.02 dBFS, RMS -9.03 dBFS"
      ])
    #expect(await session.submit("x = 2 * 3").lines == ["x: 6"])
    #expect(await session.submit("fn louder s = gain s 2").lines == ["fn louder s"])
    #expect(await session.submit("rate 48000").lines == ["rate 48000"])
    #expect(await session.submit("peak (sine 1 1)").lines.count == 1)
  }

  @Test("a line starting with |> continues the last value")
  func continuation() async {
    let session = Session()
    _ = await session.submit("sine 440 1 rate:8000")
    #expect(
      await session.submit("|> gain 0.25").lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak -12.04 dBFS, RMS -15.05 dBFS"
      ])
    #expect(
      await session.submit("|> gain 2").lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak -6.02 dBFS, RMS -9.03 dBFS"
      ])
    let fresh = Session()
    #expect(await fresh.submit("|> gain 2").failed)
  }

  @Test("names may be redefined, and uses before keep their old value")
  func redefinition() async {
    let session = Session()
    _ = await session.submit("a = sine 440 1 rate:8000")
    _ = await session.submit("b = gain a 0.5")
    _ = await session.submit("a = silence 1 rate:8000")
    #expect(
      await session.submit("b").lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak -6.02 dBFS, RMS -9.03 dBFS"
      ])
    #expect(
      await session.submit("a = a + 1").lines == [
        "a: Audio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS 0.00 dBFS"
      ])
  }

  @Test("errors print as diagnostics at <repl> and change nothing")
  func errors() async {
    let session = Session()
    _ = await session.submit("a = sine 440 1 rate:8000")
    let reply = await session.submit("a = sine 1s 440hz")
    #expect(reply.failed)
    #expect(
      reply.lines.first?.hasPrefix("<repl>:2:10: error: 'freq' of 'sine' takes a frequency") == true
    )
    #expect(
      await session.submit("a").lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS"
      ])
    let missing = await session.submit("x = read \"/nonexistent/file.wav\"")
    #expect(missing.failed)
    // Showing a value has no effect in a script, so the saved script keeps the binding only.
    #expect(session.script == "a = sine 440 1 rate:8000\n")
  }

  @Test("unfinished statements need more input")
  func continuationLines() {
    #expect(Session.needsMoreInput("x = (sine 440"))
    #expect(Session.needsMoreInput("x = sine 440 1 |>"))
    #expect(Session.needsMoreInput("x = 1 +"))
    #expect(Session.needsMoreInput("mix [a,"))
    #expect(Session.needsMoreInput("x ="))
    #expect(!Session.needsMoreInput("x = sine 440 1"))
    #expect(!Session.needsMoreInput("x = (1 + 2)"))
  }

  @Test("commands: help, type, graph, vars, save, write, reset, quit")
  func commands() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let session = Session(baseDirectory: directory.path)
    #expect(await session.submit(":help").lines.count == Session.commands.count + 2)
    #expect(await session.submit(":help lowpass").lines.first == "lowpass x cutoff q:0.7071")
    #expect(
      await session.submit(":help lowpas").lines == [
        "error: no builtin named 'lowpas'; did you mean 'lowpass'?"
      ])
    _ = await session.submit("osc = saw 220 1 rate:8000")
    _ = await session.submit("out = osc |> lowpass 800")
    #expect(await session.submit(":type pan osc 0").lines == ["Audio(8000 Hz, stereo)"])
    #expect(
      await session.submit(":graph out").lines == [
        "lowpass  → Audio(8000 Hz, mono)", "  saw  → Audio(8000 Hz, mono)", "    220", "    1",
        "    8000", "    1", "  800", "  0.7071",
      ])
    #expect(
      await session.submit(":vars").lines == [
        "osc: Audio(8000 Hz, mono)", "out: Audio(8000 Hz, mono)",
      ])
    #expect(await session.submit(":write out out.wav").failed == false)
    #expect(FileManager.default.fileExists(atPath: directory.file("out.wav")))
    #expect(
      await session.submit(":save session.ast").lines == ["saved 3 statements to 'session.ast'"])
    let saved = try String(contentsOfFile: directory.file("session.ast"), encoding: .utf8)
    #expect(saved == "osc = saw 220 1 rate:8000\nout = osc |> lowpass 800\nwrite out \"out.wav\"\n")
    let replay = Checker.check(
      Source(name: "saved", text: saved), options: CheckOptions(baseDirectory: directory.path))
    #expect(replay.diagnostics.isEmpty)
    #expect(await session.submit(":reset").lines == ["session cleared"])
    #expect(await session.submit(":vars").lines == ["(no bindings)"])
    #expect(await session.submit(":quit").quits)
    #expect(
      await session.submit(":quiy").lines == [
        "error: unknown command ':quiy'; did you mean ':quit'?"
      ])
  }

  @Test("completion offers builtins, bound names, named arguments, commands and paths")
  func completion() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    _ = FileManager.default.createFile(atPath: directory.file("drums.wav"), contents: Data())
    try FileManager.default.createDirectory(
      atPath: directory.file("dir"), withIntermediateDirectories: false)
    let session = Session(baseDirectory: directory.path)
    _ = await session.submit("oscillator = sine 440 1 rate:8000")
    #expect(session.completions(line: "low", cursor: 3) == ["lowpass", "lowshelf"])
    #expect(session.completions(line: "x = osc", cursor: 7) == ["oscillator"])
    #expect(session.completions(line: "lowpass oscillator 800 ", cursor: 23).contains("q:"))
    #expect(session.completions(line: "lowpass oscillator 800 q", cursor: 24) == ["q:"])
    #expect(session.completions(line: ":he", cursor: 3) == [":help"])
    // A whole file name inside a string gets its closing quote, unless one follows.
    #expect(session.completions(line: "read \"dr", cursor: 8) == ["drums.wav\""])
    #expect(session.completions(line: "read \"dr\"", cursor: 8) == ["drums.wav"])
    #expect(session.completions(line: "read \"d", cursor: 7) == ["dir/", "drums.wav\""])
    // The arguments of :save, :load and :write.
    #expect(session.completions(line: ":save dr", cursor: 8) == ["drums.wav"])
    #expect(session.completions(line: ":load d", cursor: 7) == ["dir/", "drums.wav"])
    #expect(session.completions(line: ":write osc", cursor: 10) == ["oscillator"])
    #expect(session.completions(line: ":write oscillator dr", cursor: 20) == ["drums.wav"])
    #expect(session.completions(line: ":help lowp", cursor: 10) == ["lowpass"])
    #expect(Session.completionWord(":write oscillator dir/dr") == "dir/dr")
    // The choices of a parameter.
    #expect(session.completions(line: "noise 1 color:\"p", cursor: 16) == ["pink\""])
    #expect(
      session.completions(line: "noise 1 color:\"", cursor: 15) == ["brown\"", "pink\"", "white\""])
  }

  @Test("a command typed without its colon is an unknown name with a hint")
  func commandWithoutColon() async {
    let session = Session()
    let reply = await session.submit("help")
    #expect(reply.failed)
    #expect(reply.lines.contains("note: the session's commands start with ':': type ':help'"))
    #expect(await session.submit("exit").lines.last?.contains("':quit'") == true)
  }

  @Test("print shows a value once, in the summary's format; '_' keeps it without printing")
  func printOnce() async {
    let session = Session()
    _ = await session.submit("x = sine 440 1 rate:8000")
    #expect(await session.submit("print (peak x)").lines == ["0.00 dBFS"])
    #expect(
      await session.submit("print x").lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS"
      ])
    #expect(
      await session.submit("|> gain 0.5").lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak -6.02 dBFS, RMS -9.03 dBFS"
      ])
    #expect(await session.submit("rms x").lines == ["-3.01 dBFS"])
    #expect(await session.submit("d = duration x").lines == ["d: 1 s"])
    #expect(await session.submit("n = 1 / 3").lines == ["n: 0.333333"])
  }

  @Test("the last value is kept whatever else the line holds: a ';' in a string, a function")
  func lastValueAmongOthers() async {
    let session = Session()
    #expect(await session.submit("print \"a;b\"").lines == ["a;b"])
    #expect(await session.submit("_").lines == ["\"a;b\""])
    #expect(await session.submit("fn twice y = y * 2; twice 21").lines == ["42", "fn twice y"])
    #expect(await session.submit("_ + 1").lines == ["43"])
    #expect(await session.submit(":type 2s + 1").lines == ["Number"])
  }
}

@Suite("Saving a session")
struct SessionSaveTests {
  @Test("names bound again are versioned so the saved script runs and reproduces the session")
  func versions() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let session = Session(baseDirectory: directory.path)
    for line in [
      "osc = saw 220 1 rate:8000", "|> lowpass 1200 q:0.9", "|> gain -6db", "out = osc",
      "out = mix [out, _]",
    ] {
      #expect(await session.submit(line).failed == false, "\(line)")
    }
    #expect(
      session.script == """
        osc = saw 220 1 rate:8000
        _1 = osc
        _2 = _1 |> lowpass 1200 q:0.9
        _2 |> gain -6db
        out_1 = osc
        _4 = out_1
        out = mix [out_1, _4]

        """)
    // The saved script checks cleanly and renders what the session's 'out' holds.
    let (_, report, _) = try await runScript(session.script, directory: directory.path)
    let live = await session.submit("out")
    #expect(live.lines == [report.out?.line ?? "no out"])
  }
}
