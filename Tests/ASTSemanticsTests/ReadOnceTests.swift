import Testing

@testable import ASTSemantics
@testable import ASTSyntax

/// The places of the `read-twice` diagnostics of checking `text`.
private func readTwice(_ text: String) -> [String] {
  checked(text).filter { $0.contains("read-twice") }.map { String($0.prefix { $0 != " " }) }
}

@Suite("Checker: sources read once")
struct CheckerReadOnceTests {
  @Test("a subscription bound as a stream and joined by two statements")
  func subscriptionInTwoStatements() {
    let script = """
      rate 8000
      a = subscribe "x"
      write (join a) "a1.wav"
      write (join a) "a2.wav"
      publish "x" (sine 440 0.5 |> chunk 0.1)
      """
    #expect(readTwice(script) == ["4:13"])
  }

  @Test("standard input bound as a signal and used by two statements")
  func inputSignalInTwoStatements() {
    let script = """
      x = input rate:8000 |> join
      print (peak x)
      out = x |> gain 0.5
      """
    #expect(readTwice(script) == ["3:7"])
  }

  @Test("through further bindings and a function, the place is the use in the statement")
  func throughBindingsAndFunctions() {
    let script = """
      x = input rate:8000 |> join
      y = x |> lowpass 1000
      fn quiet s = s |> gain 0.5
      print (peak (quiet y))
      out = y
      """
    #expect(readTwice(script) == ["5:7"])
  }

  @Test("two 'input' calls split standard input, even in one statement")
  func twoInputs() {
    #expect(readTwice("out = mix [input rate:8000 |> join, input rate:8000 |> join]") == ["1:37"])
  }

  @Test("a stream used twice in one statement is read twice")
  func streamTwiceInOneStatement() {
    #expect(readTwice("s = input rate:8000\nout = mix [join s, join s]") == ["2:25"])
  }

  @Test("a named signal shared within one statement, and two subscriptions, are fine")
  func allowed() {
    let shared = """
      x = input rate:8000 |> join
      out = stereo (x |> lowpass 500) (x |> highpass 2000)
      """
    #expect(checked(shared).isEmpty)
    let twoSubscriptions = """
      rate 8000
      write (join (subscribe "x")) "a1.wav"
      write (join (subscribe "x")) "a2.wav"
      publish "x" (sine 440 0.5 |> chunk 0.1)
      """
    #expect(checked(twoSubscriptions).isEmpty)
    // A binding nothing runs reads nothing; a number is computed once for the run.
    let unused = "a = input rate:8000\nn = duration (join (input rate:8000))\nout = sine 440 n"
    #expect(checked(unused).isEmpty)
  }

  @Test("the message names the source, with a note at the first read")
  func message() {
    let source = Source(
      name: "t.ast",
      text: "a = subscribe \"x\"\nprint (join a)\nprint (join a)\n"
        + "publish \"x\" (sine 440 0.1 rate:8000 |> chunk 0.1)")
    let diagnostic = Checker.check(source).diagnostics.first { $0.id == Checker.IDs.readTwice }
    #expect(diagnostic?.message.contains("the subscription to 'x'") == true)
    #expect(
      diagnostic?.notes.first?.range.map { source.location(of: $0.start).description } == "2:13")
  }
}
