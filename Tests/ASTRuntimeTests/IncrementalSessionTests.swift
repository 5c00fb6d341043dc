import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("REPL session: each input is checked alone")
struct IncrementalSessionTests {
  @Test("a file read by an earlier statement is not opened again by a later one, Tab or :vars")
  func fileReadOnce() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let session = Session(baseDirectory: directory.path)
    let writer = Session(baseDirectory: directory.path)
    #expect(await writer.submit("write (sine 440 1 rate:8000) \"take.wav\"").failed == false)
    #expect(await session.submit("take = read \"take.wav\"").failed == false)
    // The file changes: a check that opened it again would see a stereo 16 kHz file.
    #expect(
      await writer.submit("write (pan (sine 440 1 rate:16000) 0) \"take.wav\"").failed == false)
    #expect(await session.submit(":vars").lines == ["take: Audio(8000 Hz, mono)"])
    #expect(
      await session.submit(":type mix [take, sine 1 1 rate:8000]").lines == [
        "Audio(8000 Hz, mono)"
      ])
    // Then it goes: completion, :vars and a later statement's check do not miss it.
    try FileManager.default.removeItem(atPath: directory.file("take.wav"))
    #expect(session.completions(line: "gain ta", cursor: 7) == ["tag", "take"])
    #expect(session.completions(line: ":graph t", cursor: 8) == ["take"])
    #expect(await session.submit(":vars").lines == ["take: Audio(8000 Hz, mono)"])
    #expect(await session.submit(":type take |> lowpass 3900").lines == ["Audio(8000 Hz, mono)"])
    // Above the Nyquist frequency of the rate read then: the check still knows it.
    let high = await session.submit("take |> lowpass 5000")
    #expect(high.failed)
    #expect(high.lines.first?.contains("Nyquist") == true, "\(high.lines)")
  }

  @Test("'|>' continues the value of a statement holding strings, a ';' and a comment")
  func continuationAfterStrings() async throws {
    let session = Session()
    let first = await session.submit("sweep 100 1000 1 curve:\"lin\" rate:8000 # a;b")
    #expect(first.failed == false)
    #expect(await session.submit("|> gain 1").lines == first.lines)
    #expect(await session.submit("s = \"a;b\"").lines == ["s: \"a;b\""])
    #expect(await session.submit("_").lines == ["\"a;b\""])
    #expect(await session.submit("fn half x = x / 2; half 5").lines == ["2.5", "fn half x"])
    #expect(await session.submit("|> print").lines == ["2.5"])
    #expect(await session.submit("|> gain 1").failed)
    #expect(await session.submit("_ * 2").lines == ["5"])
    // The saved script runs as the session did.
    let (_, _, printed) = try await runScript(session.script)
    #expect(printed == ["2.5"])
  }

  @Test("a rejected input changes nothing: bindings, :vars, the last value, the script")
  func rejectedInput() async {
    let session = Session()
    _ = await session.submit("a = sine 440 1 rate:8000")
    _ = await session.submit("fn loud s = gain s 2")
    let vars = await session.submit(":vars").lines
    #expect(vars == ["a: Audio(8000 Hz, mono)", "fn loud s"])
    let script = session.script
    // The first statement is fine, the second is not: neither is kept.
    let reply = await session.submit("b = 2; fn loud s = gain s 3; a = sine 1s 440hz")
    #expect(reply.failed)
    #expect(await session.submit(":vars").lines == vars)
    #expect(session.completions(line: "b", cursor: 1).contains("b") == false)
    #expect(await session.submit(":type b").failed)
    #expect(session.script == script)
    // '_' is still the signal shown first.
    #expect(
      await session.submit("|> gain 0.5").lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak -6.02 dBFS, RMS -9.03 dBFS"
      ])
  }

  @Test("a diagnostic shows its input's own text, numbered as the session's lines")
  func diagnosticPlaces() async {
    let session = Session()
    _ = await session.submit("a = 1")
    _ = await session.submit("b = 2\nc = 3")
    _ = await session.submit("d = osk")
    let reply = await session.submit("fn f x = mix x\ne = osk")
    #expect(
      reply.lines == [
        "<repl>:5:5: error: unknown name 'osk'",
        "   5 | e = osk",
        "     |     ^^^",
      ])
    #expect(await session.submit("fn f x = mix x").lines == ["fn f x"])
    // A mistake in the body of a function defined by an earlier input, and a note there.
    let call = await session.submit("f (sine 1 1 rate:8000)")
    #expect(call.failed)
    #expect(call.lines.first?.hasPrefix("<repl>:4:14: error: 'xs' of 'mix'") == true, "\(call)")
    #expect(call.lines.dropFirst().first == "   4 | fn f x = mix x")
    let missing = await session.submit("f")
    #expect(
      missing.lines == [
        "<repl>:5:1: error: missing argument 'x' of 'f'",
        "   5 | f",
        "     | ^",
        "<repl>:4:1: note: 'f' is defined as 'fn f x = ...'",
        "   4 | fn f x = mix x",
        "     | ^^^^^^^^^^^^^^",
      ])
    // A continued value is shown as typed, not with the '_' it stands for.
    _ = await session.submit("sine 440 1 rate:8000")
    #expect(
      await session.submit("|> osk").lines == [
        "<repl>:6:4: error: unknown name 'osk'",
        "   6 | |> osk",
        "     |    ^^^",
      ])
  }

  @Test("checking does not grow with the session: each check reads only the new input")
  func checkingCost() async {
    let session = Session()
    var typed = 1
    _ = await session.submit("0")
    for index in 0..<300 {
      let line = index.isMultiple(of: 3) ? "x\(index) = _ + 1" : "_ + 1"
      typed += line.utf8.count
      #expect(await session.submit(line).failed == false, "\(line)")
    }
    #expect(session.checkedBytes == typed)
    typed += "x3".utf8.count
    #expect(session.completions(line: "x29", cursor: 3) == ["x291", "x294", "x297"])
    #expect(await session.submit(":vars").lines.count == 100)
    #expect(await session.submit(":type x3").lines == ["Number"])
    #expect(session.checkedBytes == typed)
    // The next input is line 302 of the session.
    #expect(await session.submit("osk").lines.first == "<repl>:302:1: error: unknown name 'osk'")
  }
}
