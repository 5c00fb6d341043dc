import Testing

@testable import ASTSemantics
@testable import ASTSyntax

/// Checks inputs one after another as a session does, keeping the environment and the
/// source of each accepted input; returns the last input's check.
private struct Inputs {
  var environment = CheckedEnvironment()
  var last: Source?

  mutating func check(_ text: String) -> SessionInputCheck {
    let source = Source(name: "<repl>", text: text, after: last)
    let checked = Checker.check(source, in: environment, keepsLastValue: true)
    if let extended = checked.environment {
      environment = extended
      last = source
    }
    return checked
  }
}

/// The places and identifiers of a check's diagnostics.
private func places(_ checked: SessionInputCheck) -> [String] {
  checked.result.diagnostics.map {
    "\(checked.result.parse.source.location(of: $0.range.start)) \($0.id)"
  }
}

@Suite("Checker: one input of a session against its environment")
struct SessionCheckTests {
  @Test("bindings, functions and the rate carry over; an input with an error adds nothing")
  func environment() {
    var inputs = Inputs()
    #expect(inputs.check("rate 8000; fn twice x = x * 2").environment != nil)
    #expect(inputs.check("osc = sine 440 1").environment != nil)
    let failed = inputs.check("n = 3; osc = lowpass osc 5000")
    #expect(failed.environment == nil)
    // The rate set by the first input is known to the third: 5000 Hz is above Nyquist.
    #expect(places(failed) == ["3:26 out-of-range"])
    #expect(inputs.environment.bindings.map(\.name) == ["osc"])
    #expect(inputs.environment.names == ["osc", "twice"])
    #expect(!inputs.environment.binds("n"))
    let twice = inputs.check("y = twice (gain osc 0.5)")
    #expect(
      twice.environment?.bindings.map { "\($0.name): \($0.type)" } == [
        "osc: Audio(8000 Hz, mono)", "y: Audio(8000 Hz, mono)",
      ])
    // Only the new input was parsed: its statements are its own.
    #expect(twice.result.parse.script.statements.count == 1)
    #expect(twice.result.parse.source.firstLine == 3)
  }

  @Test("the last value: an expression's, a binding's, and a pipe continuing it")
  func lastValue() {
    var inputs = Inputs()
    let expression = inputs.check("sine 440 1")
    guard case .binding("_", _, _)? = expression.result.script.statements.first else {
      Issue.record("not kept as '_': \(expression.result.script.statements)")
      return
    }
    let pipe = inputs.check("|> gain 0.5")
    #expect(pipe.result.parse.continuesValue)
    #expect(
      pipe.statements.map { SourcePrinter.print($0) } == ["_ = _ |> gain 0.5"])
    let binding = inputs.check("x = 2")
    #expect(binding.lastValueAlias == "x")
    #expect(binding.statements.map { SourcePrinter.print($0) } == ["x = 2", "_ = x"])
    #expect(inputs.environment.binds("_"))
    // Two statements: neither is the last value.
    let two = inputs.check("y = 3; y + 1")
    #expect(two.lastValueAlias == nil)
    #expect(two.statements.map { SourcePrinter.print($0) } == ["y = 3", "y + 1"])
  }

  @Test("a source read once: a later input reading it again is refused at its own place")
  func readOnceAcrossInputs() {
    var inputs = Inputs()
    #expect(inputs.check("a = subscribe \"x\"").environment != nil)
    #expect(inputs.check("write (join a) \"a1.wav\"").environment != nil)
    let again = inputs.check("write (join a) \"a2.wav\"")
    #expect(again.environment == nil)
    #expect(places(again) == ["3:13 read-twice"])
  }

  @Test("a later input may write a file again; one input may not write it twice")
  func writeAgain() {
    var inputs = Inputs()
    #expect(inputs.check("write (sine 440 1) \"again.wav\"").environment != nil)
    #expect(inputs.check("write (sine 220 1) \"again.wav\"").environment != nil)
    let twice = inputs.check("write (sine 220 1) \"again.wav\"\nwrite (sine 110 1) \"again.wav\"")
    #expect(places(twice) == ["4:20 written-twice"])
  }

  @Test("a file written by an earlier input and read by a later one is a conflict there")
  func readAfterWrite() {
    var inputs = Inputs()
    #expect(inputs.check("read \"never-written.wav\"").environment == nil)
    #expect(inputs.check("write (sine 440 1) \"never-written.wav\"").environment != nil)
    // Read now: the earlier write decides its type (the file does not exist).
    #expect(inputs.check("x = read \"never-written.wav\"").environment != nil)
    let rewrite = inputs.check("write x \"never-written.wav\"")
    #expect(places(rewrite) == ["3:9 read-write-conflict"])
  }
}
