import Testing

@testable import ASTSemantics
@testable import ASTSyntax

/// `LINE:COL id` of the warnings of checking `text`.
private func warnings(_ text: String) -> [String] {
  checked(text, severity: .warning, messages: false)
}

@Suite("Checker: pitfalls")
struct PitfallTests {
  @Test("a bare linear gain below 0 or above 4 is a warning at the argument")
  func bareGains() {
    #expect(warnings("x = sine 440 1\nout = gain x -6") == ["2:14 suspicious-gain"])
    #expect(warnings("x = sine 440 1\nout = x |> gain 10") == ["2:17 suspicious-gain"])
    #expect(warnings("out = sine 440 1 amp:-1") == ["1:22 suspicious-gain"])
    // Decibels, ordinary gains and computed values are left alone.
    #expect(warnings("x = sine 440 1\nout = gain x -6db") == [])
    #expect(warnings("x = sine 440 1\nout = gain x 0.5 |> gain 4 |> gain 0") == [])
    #expect(warnings("x = sine 440 1\ng = 0 - 6\nout = gain x g") == [])
    let source = Source(name: "t.ast", text: "x = sine 440 1\nout = gain x -6")
    let warning = Checker.check(source).diagnostics.first
    #expect(warning?.message.contains("inverts the signal") == true)
    #expect(warning?.notes.first?.message.contains("'-6db'") == true)
  }

  @Test("an envelope or fade longer than its signal's known length is a warning")
  func longEnvelopes() {
    #expect(warnings("x = sine 440 1\nout = adsr x 10 100 0.5 200") == ["2:7 long-envelope"])
    #expect(
      warnings("x = sine 440 1 |> lowpass 500\nout = x |> fadeout 2") == ["2:12 long-envelope"])
    #expect(
      warnings("fn v f = saw f 0.5 |> adsr 0.2 0.2 0.5 0.2\nout = v 220") == ["1:23 long-envelope"])
    // Times that fit, and signals whose length is not known before running.
    #expect(warnings("x = sine 440 1\nout = adsr x 10ms 100ms 0.5 200ms") == [])
    #expect(warnings("x = noise 0.1 |> reverb\nout = fadeout x 1") == [])
    #expect(warnings("x = noise 0.1 |> reverb tail:0.5\nout = fadeout x 0.5") == [])
    #expect(
      warnings("x = noise 0.1 |> reverb tail:0.5\nout = fadeout x 0.7") == ["2:7 long-envelope"])
    // A pad, a slice or a repetition changes the length: what the input's was says nothing.
    #expect(warnings("out = pad (sine 440 1) 1 1 |> fadein 2") == [])
    #expect(warnings("out = repeat (sine 440 1) 3 |> fadeout 2") == [])
    #expect(warnings("out = slice (sine 440 5) 0 4 |> fadeout 2") == [])
    #expect(warnings("out = pad (sine 440 1) 1 1 |> gain 0.5 |> lowpass 500 |> fadein 2") == [])
    let source = Source(name: "t.ast", text: "x = sine 440 1\nout = adsr x 10 100 0.5 200")
    let warning = Checker.check(source).diagnostics.first
    #expect(
      warning?.message == "the envelope's times add up to 310 s, longer than the signal (1 s)")
    #expect(warning?.notes.contains { $0.message.contains("'ms'") } == true)
  }
}
