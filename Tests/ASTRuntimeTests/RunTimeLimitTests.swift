import ASTEngine
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

/// Scripts as long as a chain of tens of thousands of bindings, and numbers computed while
/// running at the edges of what a signal can be: each runs, or stops with an error at its
/// place, and never crashes.
@Suite("Limits while running")
struct RunTimeLimitTests {
  /// A plain 1, known only once `silence` has been rendered: the checker cannot fold it.
  static let computed = "d = duration (silence 1) / 1s\n"

  /// `first`, then `count - 1` bindings each made from the one before by `step` (with
  /// `PREV` standing for the name before), and `out` the last of them.
  static func chain(_ count: Int, first: String, step: String, out: String = "LAST") -> String {
    var lines = ["a0 = " + first]
    lines.reserveCapacity(count + 1)
    for index in 1..<count {
      lines.append("a\(index) = " + step.replacingOccurrences(of: "PREV", with: "a\(index - 1)"))
    }
    lines.append("out = " + out.replacingOccurrences(of: "LAST", with: "a\(count - 1)"))
    return lines.joined(separator: "\n") + "\n"
  }

  /// The error of running `statement` after ``computed``, and the text it points at.
  func failure(_ statement: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
    async -> (error: RuntimeError?, place: String?)
  {
    let text = Self.computed + statement
    let error = await runtimeFailure(text, sourceLocation: sourceLocation)
    let place = error.map { Source(name: "t.ast", text: text).text(in: $0.range) }
    return (error, place)
  }

  // MARK: Long chains

  @Test("a chain of 40,000 signal bindings builds, renders and is released")
  func signalChain() async throws {
    // Built and released one binding inside the next, this chain overflowed the stack.
    let text = Self.chain(40_000, first: "sine 440 0.1 rate:8000", step: "PREV |> gain 1")
    let (_, report, _) = try await runScript(text)
    #expect(report.out?.frameCount == 800)
    #expect(report.out?.sampleRate == 8000)
  }

  @Test("a binding used twice in a long chain is still built once and shared")
  func sharedInChain() async throws {
    // Every link reads the one before twice: rebuilt at each use, this would be 2^2000
    // graphs; shared, it is one node a link.
    let text = Self.chain(2_000, first: "sine 440 0.1 rate:8000", step: "(PREV + PREV) * 0.5")
    let audio = try await render(text)
    let dry = try await render("out = sine 440 0.1 rate:8000")
    #expect(audio == dry)
  }

  @Test("building the named signals first builds only those the run evaluates")
  func onlyWhatIsEvaluated() async throws {
    // `bad` would be an error, but `first` never evaluates its second argument.
    let text =
      Self.computed
      + "fn first x y = x\nbad = sine 440 (d / 0)\nc = first (sine 440 0.1) bad\nout = c\n"
    let (_, report, _) = try await runScript(text)
    #expect(report.out?.frameCount == 4410)
    let (error, place) = await failure(
      "fn second x y = y\nbad = sine 440 (d / 0)\nc = second (sine 440 0.1) bad\nout = c")
    #expect(error?.message == "'dur' of 'sine' must be a finite number")
    #expect(place == "d / 0")
  }

  @Test("chains of streams and of numbers run too")
  func streamAndNumberChains() async throws {
    let streams = Self.chain(
      20_000, first: "sine 440 0.1 rate:8000 |> chunk 0.05", step: "PREV |> gain 1",
      out: "join LAST")
    let (_, streamed, _) = try await runScript(streams)
    #expect(streamed.out?.frameCount == 800)
    let numbers = Self.chain(
      40_000, first: "duration (silence 0.1 rate:8000) / 1s", step: "PREV + 0.000001",
      out: "sine 440 (LAST) rate:8000")
    let (_, counted, _) = try await runScript(numbers)
    // 0.1 s and 39,999 millionths: 0.139999 s, 1120 frames.
    #expect(counted.out?.frameCount == 1120)
  }

  @Test("a chain building more nodes than the limit stops with the limit's error")
  func nodeLimit() async {
    // Each link evaluates 15 expressions (the name, and a call and its gain a stage).
    let text = Self.chain(
      14_000, first: "sine 440 0.1 rate:8000",
      step: "PREV |> gain 1 |> gain 1 |> gain 1 |> gain 1 |> gain 1 |> gain 1 |> gain 1")
    let error = await runtimeFailure(text)
    #expect(
      error?.message
        == "the patch builds more than \(Evaluator.maximumNodes) nodes; use fewer layers or "
        + "fewer repetitions")
  }

  // MARK: Rates

  @Test("a spectrogram of audio below its lowest rate, known only while running, is an error")
  func spectrogramRate() async {
    let (error, place) = await failure(
      "out = silence 1 |> resample (d * 39) |> spectrogram \"low.png\"")
    #expect(error?.message == "'spectrogram' takes audio at 41 Hz or more, got audio at 39 Hz")
    #expect(error?.diagnostic.id == Checker.IDs.unsupportedRate)
    #expect(place == "spectrogram \"low.png\"")
    #expect(
      error?.diagnostic.notes.map(\.message) == [
        "its frequency axis runs from 20 Hz up to half the sample rate",
        "resample it first, e.g. 'resample x 41'",
      ])
  }

  @Test("a resampling ratio beyond libsoxr's, known only while running, is an error")
  func resampleRatio() async {
    let (error, place) = await failure("out = silence 1 rate:8 |> resample (d * 768000)")
    #expect(
      error?.message
        == "cannot resample from 8 Hz to 768000 Hz: one rate may be at most 4096 times the other")
    #expect(place == "resample (d * 768000)")
  }

  @Test("a file format that cannot hold a rate known only while running is an error")
  func fileRate() async {
    let (error, place) = await failure(
      "out = silence 1 |> resample (d * 1000) |> write \"never.mp3\"")
    #expect(
      error?.message
        == "cannot write 'never.mp3' at 1000 Hz: MP3 takes audio at 8000, 11025, 12000, 16000, "
        + "22050, 24000, 32000, 44100 or 48000 Hz, not 1000 Hz")
    #expect(error?.diagnostic.id == Checker.IDs.unsupportedRate)
    #expect(place == "write \"never.mp3\"")
    // A stream's rate is its chunks'.
    let (streamed, _) = await failure(
      "out = silence 1 |> resample (d * 256000) |> chunk 0.5 |> write \"never.ogg\"")
    #expect(
      streamed?.message.hasSuffix("Ogg Vorbis takes audio at up to 200000 Hz, not 256000 Hz")
        == true)
  }

  // MARK: Lengths

  @Test("a computed time longer than a signal can be is refused at the argument")
  func tooLong() async {
    let cases: [(String, String)] = [
      ("out = sine 440 (d * 1e300)", "d * 1e300"),
      ("out = sine 440 (d * 2e13) |> resample 768000", "d * 2e13"),
      ("out = pad (sine 1 1) (d * 1e15) 0", "d * 1e15"),
      ("out = sine 440 1 |> slice 0 (d * 1e300)", "d * 1e300"),
      ("out = sine 440 1 |> delay (d * 1e300)", "d * 1e300"),
      ("out = sine 440 1 |> delay 0.1 tail:(d * 1e300)", "d * 1e300"),
      ("out = sine 440 1 |> fadein (d * 1e300)", "d * 1e300"),
      ("out = overlay (sine 440 1) (sine 220 1) (d * 1e300)", "d * 1e300"),
    ]
    for (statement, expectedPlace) in cases {
      let (error, place) = await failure(statement)
      #expect(
        error?.message.contains(
          "must be at most 2.04245e+11 s at 44100 Hz, the longest a signal "
            + "can be") == true, "\(statement): \(error?.message ?? "no error")")
      #expect(error?.diagnostic.id == Evaluator.IDs.computedOutOfRange, "\(statement)")
      #expect(place == expectedPlace, "\(statement)")
    }
  }

  @Test("a time that is too long is worded alike by the checker and the running script")
  func tooLongSameWords() async {
    let constant = Checker.check(Source(name: "t.ast", text: "out = sine 440 1e300 rate:8000"))
      .diagnostics.first
    let (error, _) = await failure("out = sine 440 (d * 1e300) rate:8000")
    #expect(
      constant?.message == "'dur' of 'sine' must be at most 1.1259e+12 s at 8000 Hz, the "
        + "longest a signal can be, got 1e+300 s")
    #expect(error?.message == constant?.message)
    #expect(error?.diagnostic.notes.map(\.message) == constant?.notes.map(\.message))
  }

  @Test("lengths made of computed lengths are refused when longer than a signal can be")
  func sums() async {
    let cases: [(String, String)] = [
      (
        "out = pad (pad (sine 1 1) (d * 1e11) (d * 1e11)) (d * 1e11) (d * 1e11)",
        "the padded signal would be 1.764e+16 frames long"
      ),
      ("a = sine 1 (d * 1e11)\nout = concat [a, a, a]", "the concatenated signal would be"),
      ("out = repeat (sine 440 1) (d * 1e12)", "the repeated signal would be"),
      (
        "out = sine 440 (d * 1e11) rate:8000 |> resample 384000",
        "the resampled signal would be 3.84e+16 frames long"
      ),
      ("out = sine 440 (d * 1.5e11) |> delay 0.1 tail:(d * 1.5e11)", "the signal with its tail"),
    ]
    for (statement, start) in cases {
      let (error, _) = await failure(statement)
      #expect(error?.message.hasPrefix(start) == true, "\(statement): \(error?.message ?? "none")")
      #expect(
        error?.message.hasSuffix("longer than a signal can be (2^53 frames)") == true,
        "\(statement)")
    }
  }

  // MARK: Counts

  @Test("a computed count too large to count is refused; repeating nothing is nothing")
  func counts() async throws {
    let (error, place) = await failure("out = repeat (sine 440 1) (d * 1e300)")
    #expect(
      error?.message
        == "'n' of 'repeat' must be a whole number of at most 2^53 (9.0072e+15), got 1e+300")
    #expect(place == "d * 1e300")
    // A signal of no frames repeated 10^15 times is empty at once, not 10^15 builds.
    let (_, report, _) = try await runScript(Self.computed + "out = repeat (silence 0) (d * 1e15)")
    #expect(report.out?.frameCount == 0)
  }

  @Test("a computed chunk shorter than a frame is an error at the argument")
  func tinyChunk() async {
    let (error, place) = await failure("out = sine 440 1 |> chunk (d * 1e-9) |> join")
    #expect(error?.message == "the chunk duration is shorter than one frame")
    #expect(place == "d * 1e-9")
  }

  @Test("computed bounds of a slice the wrong way round give an empty signal")
  func reversedSlice() async throws {
    let (_, report, _) = try await runScript(
      Self.computed + "out = sine 440 1 |> slice (d * 0.8) (d * 0.2)")
    #expect(report.out?.frameCount == 0)
  }

  // MARK: Numbers that are not numbers

  @Test("NaN and infinity computed while running are refused at every kind of parameter")
  func notFinite() async {
    let nan = "((d - 1) / (d - 1))"
    let infinity = "(d / (d - 1))"
    let cases: [(String, String)] = [
      ("out = sine 440 \(nan)", "'dur' of 'sine'"),
      ("out = sine 440 1 rate:\(nan)", "'rate' of 'sine'"),
      ("out = sine \(nan) 1", "'freq' of 'sine'"),
      ("out = repeat (sine 440 0.1) \(nan)", "'n' of 'repeat'"),
      ("out = join (chunk (sine 440 1) \(nan))", "'dur' of 'chunk'"),
      ("out = pad (sine 440 1) \(infinity) 0", "'before' of 'pad'"),
      ("out = slice (sine 440 1) 0 \(infinity)", "'end' of 'slice'"),
      ("out = delay (sine 440 1) \(nan)", "'time' of 'delay'"),
      ("out = sine 440 1 |> lowpass \(infinity)", "'cutoff' of 'lowpass'"),
      ("out = join (input rate:\(nan))", "'rate' of 'input'"),
      ("out = noise 1 seed:\(infinity)", "'seed' of 'noise'"),
    ]
    for (statement, subject) in cases {
      let (error, place) = await failure(statement)
      #expect(error?.message == "\(subject) must be a finite number", "\(statement)")
      let expected = statement.contains(nan) ? nan : infinity
      #expect(place == String(expected.dropFirst().dropLast()), "\(statement)")
    }
  }

  @Test("a computed rate, channel count, cutoff or width out of range is an error")
  func outOfRange() async {
    let cases: [(String, String)] = [
      ("out = sine 440 1 rate:(d - 1)", "'rate' of 'sine' must be between 1 and 768000, got 0"),
      (
        "out = join (input rate:8000 channels:(d * 0))",
        "'channels' of 'input' must be between 1 and 64, got 0"
      ),
      (
        "out = sine 440 1 |> lowpass (d * 30000)",
        "'cutoff' of 'lowpass' must be greater than 0 and below the Nyquist frequency (half the "
          + "sample rate), got 30000 Hz"
      ),
      (
        "out = square 440 1 width:(0 - d)",
        "'width' of 'square' must be greater than 0 and less than 1, got -1"
      ),
    ]
    for (statement, message) in cases {
      let (error, _) = await failure(statement)
      #expect(error?.message == message, "\(statement)")
    }
  }
}
