import ASTEngine
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

/// Numbers computed while running are checked against the parameters' declarations.
@Suite("Parameters checked while running")
struct ParameterCheckTests {
  /// A plain 1, known only once `silence` has been rendered: the checker cannot fold it.
  static let computed = "d = duration (silence 1) / 1s\n"

  /// The error of running `statement` after ``computed``, and the text it points at.
  func failure(
    _ statement: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) async -> (error: RuntimeError?, place: String?) {
    let text = Self.computed + statement
    let error = await runtimeFailure(text, sourceLocation: sourceLocation)
    let source = Source(name: "t.ast", text: text)
    let place = error.map { source.text(in: $0.range) }
    return (error, place)
  }

  /// The message and notes the checker gives `statement`.
  func checked(_ statement: String) -> (message: String?, notes: [String]) {
    let diagnostic = Checker.check(Source(name: "t.ast", text: statement)).diagnostics.first
    return (diagnostic?.message, diagnostic?.notes.map(\.message) ?? [])
  }

  @Test("a computed feedback out of range is an error at the argument, naming value and range")
  func feedback() async {
    let (error, place) = await failure("out = sine 440 1 |> delay 0.1 feedback:(d * 2)")
    #expect(
      error?.message == "'feedback' of 'delay' must be greater than -1 and less than 1, got 2")
    #expect(place == "d * 2")
    #expect(error?.diagnostic.id == Evaluator.IDs.computedOutOfRange)
    #expect(error?.diagnostic.severity == .error)
  }

  @Test("a computed cutoff at or above the Nyquist frequency of the input's rate is refused")
  func cutoffAboveNyquist() async {
    let (error, place) = await failure("out = sine 440 1 rate:8000 |> lowpass (d * 5000)")
    #expect(
      error?.message
        == "'cutoff' of 'lowpass' must be greater than 0 and below the Nyquist frequency "
        + "(half the sample rate), got 5000 Hz")
    #expect(
      error?.diagnostic.notes.map(\.message) == ["at 8000 Hz the Nyquist frequency is 4000 Hz"])
    #expect(place == "d * 5000")
    // Below it, the same computed cutoff runs.
    #expect(
      await runtimeFailure(Self.computed + "out = sine 440 1 rate:8000 |> lowpass (d * 3000)")
        == nil)
    // A stream, chunk by chunk, at its chunks' rate.
    let (lifted, _) = await failure(
      "out = sine 440 1 rate:8000 |> chunk 0.1 |> highpass (d * 4000) |> join")
    #expect(lifted?.message.contains("'cutoff' of 'highpass'") == true)
    #expect(
      lifted?.diagnostic.notes.map(\.message) == ["at 8000 Hz the Nyquist frequency is 4000 Hz"])
  }

  @Test("a generator's frequency is bounded by its own computed rate")
  func generatorNyquist() async {
    let (error, place) = await failure("out = sine (d * 30000) 1 rate:(d * 48000)")
    #expect(error?.message.hasPrefix("'freq' of 'sine' must be greater than 0 and below") == true)
    #expect(
      error?.diagnostic.notes.map(\.message) == ["at 48000 Hz the Nyquist frequency is 24000 Hz"])
    #expect(place == "d * 30000")
    let (rate, _) = await failure("out = sine 440 1 rate:(d * 1000.5)")
    #expect(rate?.message == "'rate' of 'sine' must be a whole number, got 1000.5")
  }

  @Test("a computed negative drive amount is refused, not passed through")
  func negativeDrive() async {
    let (error, place) = await failure("out = sine 440 1 |> drive (0 - d)")
    #expect(error?.message == "'amount' of 'drive' must be greater than 0, got -1")
    #expect(place == "0 - d")
  }

  @Test("times, counts, widths and non-finite numbers computed while running are checked")
  func others() async {
    let cases: [(String, String, String)] = [
      (
        "out = sine 440 1 |> pad (0 - d) 0", "'before' of 'pad' must be at least 0, got -1 s",
        "0 - d"
      ),
      (
        "out = sine 440 1 |> repeat (d * 2.5)", "'n' of 'repeat' must be a whole number, got 2.5",
        "d * 2.5"
      ),
      (
        "out = square 440 1 width:(d + 1)",
        "'width' of 'square' must be greater than 0 and less than 1, got 2", "d + 1"
      ),
      (
        "out = sine 440 1 |> gain (d / 0)", "'g' of 'gain' must be a finite number", "d / 0"
      ),
      (
        "out = sine 440 1 |> compress ratio:(d / 2)",
        "'ratio' of 'compress' must be at least 1, got 0.5", "d / 2"
      ),
      (
        "out = sine 440 1 |> delay 0.1 tail:(0 - d)",
        "'tail' of 'delay' must be at least 0, got -1 s", "0 - d"
      ),
    ]
    for (statement, message, expectedPlace) in cases {
      let (error, place) = await failure(statement)
      #expect(error?.message == message, "\(statement)")
      #expect(place == expectedPlace, "\(statement)")
    }
  }

  @Test("the checker and the running script word an out-of-range value alike")
  func sameWords() async {
    let pairs = [
      (
        "out = sine 440 1 |> delay 0.1 feedback:2", "out = sine 440 1 |> delay 0.1 feedback:(d * 2)"
      ),
      (
        "out = sine 440 1 rate:8000 |> lowpass 5000",
        "out = sine 440 1 rate:8000 |> lowpass (d * 5000)"
      ),
      ("out = sine 440 1 |> drive (-1)", "out = sine 440 1 |> drive (0 - d)"),
      ("out = sine 440 1 |> repeat 2.5", "out = sine 440 1 |> repeat (d * 2.5)"),
    ]
    for (constant, computed) in pairs {
      let atCheck = checked(constant)
      let (error, _) = await failure(computed)
      #expect(atCheck.message != nil, "\(constant)")
      #expect(error?.message == atCheck.message, "\(computed)")
      #expect(error?.diagnostic.notes.map(\.message) == atCheck.notes, "\(computed)")
    }
  }

  @Test("a modulating signal is not checked sample by sample: drive passes it through")
  func modulationIsNotChecked() async throws {
    let driven = try await render(
      "out = sine 440 0.1 rate:8000 |> drive (sine 2 0.1 rate:8000 * 0 - 1)")
    let dry = try await render("out = sine 440 0.1 rate:8000")
    #expect(driven == dry)
  }

  @Test("the builtin's declaration reads its range from the node")
  func oneSourceOfTruth() throws {
    let delay = try #require(BuiltinRegistry.builtin(named: "delay"))
    #expect(delay.parameter(named: "feedback")?.range == DelayNode.feedback.range)
    #expect(delay.parameter(named: "tail")?.range == EffectTail.parameter.range)
    let lowpass = try #require(BuiltinRegistry.builtin(named: "lowpass"))
    #expect(lowpass.parameter(named: "cutoff")?.range == BiquadNode.frequency.range)
    #expect(lowpass.parameter(named: "cutoff")?.unit == BiquadNode.frequency.unit)
    let drive = try #require(BuiltinRegistry.builtin(named: "drive"))
    #expect(drive.parameter(named: "amount")?.defaultValue == .number(1, spelling: "1"))
  }
}
