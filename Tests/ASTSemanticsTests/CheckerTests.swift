import ASTCore
import ASTTestSupport
import Foundation
import Testing

@testable import ASTSemantics
@testable import ASTSyntax

/// `LINE:COL id: message` for each diagnostic of checking `text` (of one `severity`
/// only, when given; `LINE:COL id` without `messages`).
func checked(
  _ text: String, options: CheckOptions = CheckOptions(), severity: Severity? = nil,
  messages: Bool = true
) -> [String] {
  let source = Source(name: "t.ast", text: text)
  return Checker.check(source, options: options).diagnostics.filter { diagnostic in
    severity.map { diagnostic.severity == $0 } ?? true
  }.map {
    "\(source.location(of: $0.range.start)) \($0.id)" + (messages ? ": \($0.message)" : "")
  }
}

/// The type of each binding of a script that must check cleanly.
func bindingTypes(
  _ text: String, options: CheckOptions = CheckOptions(),
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [String: String] {
  let result = Checker.check(Source(name: "t.ast", text: text), options: options)
  #expect(
    result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))",
    sourceLocation: sourceLocation)
  return Dictionary(
    result.script.bindings.map { ($0.name, $0.type.description) }, uniquingKeysWith: { $1 })
}

/// Builtins that tests match checked calls against.
enum BuiltinNames {
  static let lowpass = BuiltinRegistry.builtin(named: "lowpass")
  static let eq = BuiltinRegistry.builtin(named: "eq")
}

@Suite("Checker: names")
struct CheckerNameTests {
  @Test("bound names, builtins and parameters resolve")
  func resolves() {
    let types = bindingTypes("osc = sine 440 1\nfn twice x = x + x\nout = twice osc")
    #expect(types["osc"] == "Audio(44100 Hz, mono)")
    #expect(types["out"] == "Audio(44100 Hz, mono)")
  }

  @Test("an unknown name suggests the nearest bound or builtin name")
  func unknownName() {
    #expect(
      checked("osc = sine 440 1\nout = osk") == ["2:7 unknown-name: unknown name 'osk'"])
    let source = Source(name: "t", text: "out = lowpas (sine 440 1) 1000")
    let result = Checker.check(source)
    #expect(result.diagnostics.first?.notes == [DiagnosticNote("did you mean 'lowpass'?")])
    #expect(checked("out = zzzzzz") == ["1:7 unknown-name: unknown name 'zzzzzz'"])
    #expect(Checker.check(Source(name: "t", text: "out = zzzzzz")).diagnostics.first?.notes == [])
  }

  @Test("a name used above its binding says so")
  func usedBeforeDefinition() {
    #expect(
      checked("out = gain osc 0.5\nosc = sine 440 1") == [
        "1:12 used-before-definition: 'osc' is used before it is defined"
      ])
  }

  @Test("rebinding a name is an error with a note at the first binding")
  func rebinding() {
    #expect(
      checked("x = 1\ny = 2\nx = 3") == [
        "3:1 rebinding: 'x' is already defined; a script binds each name once"
      ])
    let result = Checker.check(Source(name: "t", text: "x = 1\nx = 3"))
    #expect(result.diagnostics.first?.notes.first?.range == SourceRange(start: 0, end: 1))
    // A REPL session may rebind.
    #expect(checked("x = 1\nx = 3", options: CheckOptions(allowsRebinding: true)).isEmpty)
  }

  @Test("builtin names cannot be bound or used as parameters")
  func shadowing() {
    #expect(
      checked("sine = 3") == [
        "1:1 shadows-builtin: 'sine' is the name of a builtin; choose another name for a binding"
      ])
    #expect(
      checked("fn gain x = x") == [
        "1:4 shadows-builtin: 'gain' is the name of a builtin; choose another name for a function"
      ])
    #expect(
      checked("fn f mix = mix") == [
        "1:6 shadows-builtin: the parameter 'mix' has the name of a builtin; choose another name"
      ])
    #expect(
      checked("fn f a a = a") == ["1:8 duplicate-parameter: 'f' has two parameters named 'a'"])
  }

  @Test("values are not functions")
  func notAFunction() {
    #expect(
      checked("osc = sine 440 1\nout = osc 0.5") == [
        "2:7 not-a-function: 'osc' is an Audio, not a function; it takes no arguments"
      ])
    #expect(
      checked("out = 3 4") == [
        "1:7 not-a-function: a Number is not a function; it cannot take arguments"
      ])
    #expect(
      checked("fn f x = x 1\ny = f 2") == [
        "1:10 not-a-function: 'x' is a parameter holding a value, not a function; it takes no arguments"
      ])
  }
}

@Suite("Checker: arguments")
struct CheckerArgumentTests {
  @Test("positional, named and default arguments fill the parameters")
  func filling() {
    let result = Checker.check(Source(name: "t", text: "y = lowpass (sine 440 1) 1khz"))
    #expect(result.diagnostics.isEmpty)
    guard
      case .binding(_, .builtin(BuiltinNames.lowpass, let arguments, false, _, _), _)? = result
        .script
        .statements.first
    else {
      Issue.record("not a lowpass call")
      return
    }
    #expect(arguments.count == 3)
    #expect(arguments[1].constantValue == 1000)
    #expect(arguments[2].constantValue == 0.7071)
  }

  @Test("too many arguments name what the builtin takes")
  func tooMany() {
    #expect(
      checked("x = gain (sine 440 1) 0.5 2") == [
        "1:27 too-many-arguments: too many arguments to 'gain': it takes at most 2 ('x' and 'g')"
      ])
  }

  @Test("unknown and duplicate named arguments")
  func named() {
    #expect(
      checked("x = lowpass (sine 440 1) 1000 qq:1") == [
        "1:31 unknown-parameter: 'lowpass' has no parameter 'qq'"
      ])
    #expect(
      checked("x = lowpass (sine 440 1) 1000 cutoff:500") == [
        "1:31 duplicate-argument: 'cutoff' of 'lowpass' is given twice"
      ])
  }

  @Test("a missing required argument is named, with the signature")
  func missing() {
    #expect(checked("x = sine 440") == ["1:5 missing-argument: missing argument 'dur' of 'sine'"])
    let notes = Checker.check(Source(name: "t", text: "x = sine 440")).diagnostics.first?.notes
    #expect(notes == [DiagnosticNote("'sine freq dur phase:0 rate:rate amp:1.0'")])
  }

  @Test("generators take rate: and amp: by name only")
  func namedOnly() {
    #expect(bindingTypes("x = sine 440 1 0 rate:8000 amp:0.5")["x"] == "Audio(8000 Hz, mono)")
    #expect(
      checked("x = sine 440 1 0 8000") == [
        "1:18 too-many-arguments: too many arguments to 'sine': it takes at most 3 ('freq', 'dur' and 'phase')"
      ])
  }

  @Test("argument types are checked, naming the parameter")
  func types() {
    #expect(
      checked("x = gain 0.5 0.5") == [
        "1:10 type-mismatch: 'x' of 'gain' takes an Audio, got a Number"
      ])
    #expect(
      checked("x = lowpass (sine 440 1) 1000 q:(sine 1 1)") == [
        "1:34 type-mismatch: 'q' of 'lowpass' takes a Number, got an Audio"
      ])
    #expect(
      checked("x = read 3") == ["1:10 type-mismatch: 'path' of 'read' takes a String, got a Number"]
    )
    #expect(
      checked("x = mix (sine 1 1)") == [
        "1:10 type-mismatch: 'xs' of 'mix' takes a list of Audio, got an Audio"
      ])
    #expect(
      checked("x = mix [1, 2]") == [
        "1:9 type-mismatch: 'xs' of 'mix' takes a list of Audio, got a list of Number"
      ])
    #expect(checked("x = mix []") == ["1:9 type-mismatch: 'xs' of 'mix' needs at least one signal"])
    #expect(
      checked("x = join (sine 1 1)") == [
        "1:11 type-mismatch: 's' of 'join' takes a Stream, got an Audio"
      ])
    #expect(
      checked("x = noise 1 color:\"red\"") == [
        "1:19 invalid-choice: 'color' of 'noise' must be \"white\", \"pink\" or \"brown\", got \"red\""
      ])
  }

  @Test("signal parameters take a Number or an Audio")
  func signals() {
    #expect(
      bindingTypes("lfo = sine 5 1\nx = sine (440 + 20 * lfo) 1")["x"] == "Audio(44100 Hz, mono)")
    #expect(
      bindingTypes("x = lowpass (saw 110 1) (sine 1 1 * 500 + 1000)")["x"]
        == "Audio(44100 Hz, mono)")
    #expect(
      checked("x = sine \"a\" 1") == [
        "1:10 type-mismatch: 'freq' of 'sine' takes a Number or an Audio, got a String"
      ])
  }

  @Test("statements that only act give no value")
  func noValue() {
    #expect(
      checked("s = chunk (sine 1 1) 0.5\nx = publish \"a\" s") == [
        "2:5 no-value: this produces no value to bind; it only acts"
      ])
  }

  @Test("'rate' is a statement of its own and sets the generators' rate below it")
  func rateSetting() {
    let types = bindingTypes("a = sine 440 1\nrate 48000\nb = sine 440 1\nrate 8khz\nc = noise 1")
    #expect(types["a"] == "Audio(44100 Hz, mono)")
    #expect(types["b"] == "Audio(48000 Hz, mono)")
    #expect(types["c"] == "Audio(8000 Hz, mono)")
    #expect(
      checked("x = rate 48000") == [
        "1:5 misplaced-setting: 'rate' is a setting and must stand alone as a statement"
      ])
    #expect(
      checked("rate 44100.5") == [
        "1:6 out-of-range: 'hz' of 'rate' must be a whole number, got 44100.5"
      ])
    #expect(
      checked("r = 2\nrate (sine 1 1)") == [
        "2:7 type-mismatch: 'hz' of 'rate' takes a Number, got an Audio"
      ])
  }
}

@Suite("Checker: units and ranges")
struct CheckerUnitTests {
  @Test("a literal's unit must fit the parameter")
  func units() {
    #expect(
      checked("x = sine 1s 440hz") == [
        "1:10 unit-mismatch: 'freq' of 'sine' takes a frequency (hz or khz), but this is a time",
        "1:13 unit-mismatch: 'dur' of 'sine' takes a time (ms or s), but this is a frequency",
      ])
    #expect(checked("x = sine 440hz 500ms") == [])
    #expect(
      checked("x = lowpass (sine 1 1) 1000 q:3hz") == [
        "1:31 unit-mismatch: 'q' of 'lowpass' is a plain number, but this is a frequency"
      ])
    #expect(checked("t = 2s + 440hz") == ["1:10 unit-mismatch: cannot add a frequency to a time"])
  }

  @Test("units convert: ms to seconds, khz to hertz, db to a linear gain")
  func conversions() {
    let result = Checker.check(
      Source(name: "t", text: "a = 250ms\nb = 1.2khz\nc = -6db\nd = 2s + 500ms"))
    let values = result.script.statements.compactMap { statement -> Double? in
      if case .binding(_, let value, _) = statement { return value.constantValue }
      return nil
    }
    #expect(values[0] == 0.25)
    #expect(values[1] == 1200)
    #expect(abs(values[2] - 0.501_187_233_627_272_2) < 1e-15)
    #expect(values[3] == 2.5)
  }

  @Test("a db literal given to a decibel parameter stays in decibels")
  func decibelParameters() {
    let result = Checker.check(
      Source(name: "t", text: "x = eq (sine 1 1) 1khz -6db\ny = eq (sine 1 1) 1khz -6"))
    #expect(result.diagnostics.isEmpty)
    for statement in result.script.statements {
      guard case .binding(_, .builtin(BuiltinNames.eq, let arguments, _, _, _), _) = statement
      else {
        Issue.record("not an eq call")
        continue
      }
      #expect(arguments[2].constantValue == -6)
    }
    // A gain bound to a name converts back to its decibels.
    let bound = Checker.check(Source(name: "t", text: "g = -6db\nx = eq (sine 1 1) 1khz g"))
    #expect(bound.diagnostics.isEmpty)
    if case .binding(_, .builtin(BuiltinNames.eq, let arguments, _, _, _), _)? = bound.script
      .statements.last
    {
      #expect(abs((arguments[2].constantValue ?? 0) + 6) < 1e-12)
    } else {
      Issue.record("not an eq call")
    }
    #expect(
      checked("x = eq (sine 1 1) 1khz 2s") == [
        "1:24 unit-mismatch: 'gain_db' of 'eq' takes decibels (db), but this is a time"
      ])
  }

  @Test("constant arguments are checked against their ranges")
  func ranges() {
    #expect(
      checked("x = sine 440 -1") == [
        "1:14 out-of-range: 'dur' of 'sine' must be at least 0, got -1 s"
      ])
    #expect(
      checked("x = lowpass (sine 1 1) 1000 q:0") == [
        "1:31 out-of-range: 'q' of 'lowpass' must be greater than 0, got 0"
      ])
    #expect(
      checked("x = lowpass (sine 1 1) 30khz") == [
        "1:24 out-of-range: 'cutoff' of 'lowpass' must be greater than 0 and below the Nyquist frequency (half the sample rate), got 30000 Hz"
      ])
    #expect(checked("x = lowpass (sine 1 1 rate:96000) 30khz").isEmpty)
    #expect(
      checked("x = repeat (sine 1 1) 2.5") == [
        "1:23 out-of-range: 'n' of 'repeat' must be a whole number, got 2.5"
      ])
    #expect(
      checked("x = delay (sine 1 1) 0.1 feedback:1") == [
        "1:35 out-of-range: 'feedback' of 'delay' must be greater than -1 and less than 1, got 1"
      ])
    #expect(
      checked("x = adsr (sine 1 1) 0.1 0.1 1.5 0.1") == [
        "1:29 out-of-range: 'sustain' of 'adsr' must be between 0 and 1, got 1.5"
      ])
    #expect(
      checked("x = sine (440 * 100) 1") == [
        "1:11 out-of-range: 'freq' of 'sine' must be greater than 0 and below the Nyquist frequency (half the sample rate), got 44000 Hz"
      ])
    let notes = Checker.check(Source(name: "t", text: "x = lowpass (sine 1 1) 30khz")).diagnostics
      .first?.notes
    #expect(notes == [DiagnosticNote("at 44100 Hz the Nyquist frequency is 22050 Hz")])
  }
}

@Suite("Checker: arithmetic and audio facts")
struct CheckerArithmeticTests {
  @Test("Number op Number is a Number, folded when constant; anything with Audio is Audio")
  func typing() {
    let types = bindingTypes(
      "a = 1 + 2 * 3\nb = sine 440 1 * 0.5\nc = 0.5 * sine 440 1\nd = b + c\ne = -b")
    #expect(types["a"] == "Number")
    #expect(types["b"] == "Audio(44100 Hz, mono)")
    #expect(types["c"] == "Audio(44100 Hz, mono)")
    #expect(types["d"] == "Audio(44100 Hz, mono)")
    #expect(types["e"] == "Audio(44100 Hz, mono)")
  }

  @Test("strings, streams and lists in arithmetic are errors")
  func badOperands() {
    #expect(checked("x = \"a\" + 1") == ["1:5 type-mismatch: cannot use '+' on a String"])
    #expect(
      checked("s = chunk (sine 1 1) 0.5\nx = s * 2") == [
        "2:5 type-mismatch: cannot use '*' on a Stream"
      ])
    #expect(checked("x = [1] - 1") == ["1:5 type-mismatch: cannot use '-' on a List"])
    #expect(checked("x = -\"a\"") == ["1:6 type-mismatch: cannot negate a String"])
  }

  @Test("different sample rates cannot be combined; the message suggests resample")
  func rates() {
    #expect(
      checked("a = sine 440 1\nb = sine 440 1 rate:48000\nc = a + b") == [
        "3:5 rate-mismatch: cannot combine audio at 44100 Hz with audio at 48000 Hz in '+'"
      ])
    #expect(
      bindingTypes("a = sine 440 1\nb = sine 440 1 rate:48000\nc = resample a 48000 + b")["c"]
        == "Audio(48000 Hz, mono)")
    #expect(
      checked("a = sine 440 1\nb = sine 440 1 rate:48000\nc = mix [a, b]") == [
        "3:13 rate-mismatch: cannot combine audio at 44100 Hz with audio at 48000 Hz in one list"
      ])
    #expect(
      checked("lfo = sine 5 1 rate:8000\nx = sine (440 + lfo) 1") == [
        "2:11 rate-mismatch: 'freq' of 'sine' is audio at 8000 Hz, but the signal is at 44100 Hz"
      ])
  }

  @Test("channels: mono mixes into anything; stereo and 3 channels do not mix")
  func channels() {
    let types = bindingTypes(
      "m = sine 440 1\ns = pan m 0.5\nboth = s + m\nback = mono s\nst = stereo m m")
    #expect(types["s"] == "Audio(44100 Hz, stereo)")
    #expect(types["both"] == "Audio(44100 Hz, stereo)")
    #expect(types["back"] == "Audio(44100 Hz, mono)")
    #expect(types["st"] == "Audio(44100 Hz, stereo)")
    #expect(
      checked("m = sine 440 1\ns = pan m 0\nx = stereo s m") == [
        "3:12 channel-mismatch: 'left' of 'stereo' must be mono, got stereo"
      ])
  }

  @Test("Audio-to-Audio builtins lift to streams; whole-signal ones do not")
  func streams() {
    let types = bindingTypes(
      "s = chunk (sine 440 1) 500ms\nf = s |> lowpass 800 |> gain -6db\nj = join f\nr = resample s 48000"
    )
    #expect(types["s"] == "Stream(44100 Hz, mono)")
    #expect(types["f"] == "Stream(44100 Hz, mono)")
    #expect(types["j"] == "Audio(44100 Hz, mono)")
    #expect(types["r"] == "Stream(48000 Hz, mono)")
    #expect(
      checked("s = chunk (sine 440 1) 0.5\nr = reverse s") == [
        "2:13 type-mismatch: 'x' of 'reverse' takes an Audio, got a Stream"
      ])
  }
}

@Suite("Checker: functions")
struct CheckerFunctionTests {
  @Test("functions are checked at each call with that call's types")
  func perCall() {
    let types = bindingTypes(
      "fn louder x = gain x 2\na = louder (sine 440 1)\nb = louder (chunk (sine 440 1) 0.5)\nc = louder (sine 1 1 rate:8000)"
    )
    #expect(types["a"] == "Audio(44100 Hz, mono)")
    #expect(types["b"] == "Stream(44100 Hz, mono)")
    #expect(types["c"] == "Audio(8000 Hz, mono)")
    #expect(
      checked("fn louder x = gain x 2\nbad = louder 3") == [
        "2:14 type-mismatch: 'x' of 'gain' takes an Audio, got a Number"
      ])
  }

  @Test("a function that calls itself is reported")
  func recursion() {
    #expect(
      checked("fn f x = f x") == ["1:10 recursion: 'f' calls itself; recursion is not supported"])
  }

  @Test("calls of functions match arguments by position and name")
  func arguments() {
    #expect(
      bindingTypes("fn v freq dur = saw freq dur\nx = v dur:1 freq:220")["x"]
        == "Audio(44100 Hz, mono)")
    #expect(
      checked("fn v freq dur = saw freq dur\nx = v 220") == [
        "2:5 missing-argument: missing argument 'dur' of 'v'"
      ])
    #expect(
      checked("fn v freq dur = saw freq dur\nx = v 220 1 2") == [
        "2:13 too-many-arguments: too many arguments to 'v': it takes 2 ('freq' and 'dur')"
      ])
    #expect(
      checked("fn v freq dur = saw freq dur\nx = v 220 1 pitch:3") == [
        "2:13 unknown-parameter: 'v' has no parameter 'pitch'"
      ])
    #expect(bindingTypes("fn tone = sine 440 1\nx = tone")["x"] == "Audio(44100 Hz, mono)")
  }

  @Test("names in a function's body are resolved even if it is never called")
  func uncalled() {
    #expect(checked("fn f x = gain x vol") == ["1:17 unknown-name: unknown name 'vol'"])
  }

  @Test("functions calling each other many times cannot make checking hang")
  func expansionLimit() {
    var text = "fn f0 x = x\n"
    for level in 1...40 { text += "fn f\(level) x = f\(level - 1) x + f\(level - 1) x\n" }
    text += "y = f40 1\n"
    let found = checked(text)
    #expect(found.count == 1)
    #expect(found.first?.contains("too many times to check") == true)
  }

  @Test("calls that share a checked body still report their own mistakes, each at its place")
  func sharedBodies() {
    // The second and third calls match the first (same arguments, same rate) and reuse its
    // body; a call whose body reports something is checked afresh every time.
    let found = checked(
      "fn v f = saw f 1 |> lowpass 2000\nout = mix [v 110, v 110, v 1e9, v 1e9, v 110]")
    #expect(found.count == 2)
    #expect(found.allSatisfy { $0.contains("frequency") }, "\(found)")
    #expect(Set(found.map { $0.prefix(5) }).count == 2, "\(found)")
    // A rate set between calls is part of what the body depends on.
    #expect(
      bindingTypes("fn v f = saw f 1\na = v 110\nrate 8000\nb = v 110")["b"]
        == "Audio(8000 Hz, mono)")
  }

  /// Found through the fuzzer's slowest input: fewer than 20,000 calls of a large body,
  /// each call checking every item again and comparing each unknown name with every
  /// name for a suggestion. A 12 kB script like this kept the checker busy for minutes.
  @Test("large function bodies called many times cannot make checking hang", arguments: ["u", "x"])
  func expandedSizeLimit(item: String) {
    var text = "fn e0 x = [" + Array(repeating: item, count: 2_000).joined(separator: ", ") + "]\n"
    for level in 1...14 { text += "fn e\(level) x = e\(level - 1) (e\(level - 1) x)\n" }
    text += "d = e14 1\n"
    let start = ContinuousClock.now
    let found = checked(text)
    #expect(ContinuousClock.now - start < .seconds(20))
    #expect(found.filter { $0.contains("too many times to check") }.count == 1)
    #expect(found.contains { $0.contains("more than 200000 expressions") })
    // Each unknown name is reported once, where it is written.
    #expect(found.filter { $0.contains("unknown-name") }.count == (item == "u" ? 2_000 : 0))
  }
}

@Suite("Checker: files")
struct CheckerFileTests {
  @Test("read takes its facts from the file header at check time")
  func readFacts() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try AudioSegment.silent(milliseconds: 10, sampleRate: 22_050, channelCount: 2).export(
      to: directory.file("in.wav"))
    let options = CheckOptions(baseDirectory: directory.path)
    #expect(bindingTypes("x = read \"in.wav\"", options: options)["x"] == "Audio(22050 Hz, stereo)")
    #expect(
      checked("x = read \"missing.wav\"", options: options) == [
        "1:10 unreadable-file: cannot read 'missing.wav': no such file"
      ])
    #expect(
      checked("x = read \"in.wav\" + sine 440 1", options: options) == [
        "1:5 rate-mismatch: cannot combine audio at 22050 Hz with audio at 44100 Hz in '+'"
      ])
  }

  @Test("a script may not read and write the same file")
  func readWrite() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try AudioSegment.silent(milliseconds: 10).export(to: directory.file("a.wav"))
    let options = CheckOptions(baseDirectory: directory.path)
    #expect(
      checked("x = read \"a.wav\"\nwrite (gain x 0.5) \"a.wav\"", options: options) == [
        "2:20 read-write-conflict: this script writes 'a.wav', which it also reads"
      ])
    #expect(checked("x = read \"a.wav\"\nwrite (gain x 0.5) \"b.wav\"", options: options).isEmpty)
  }

  @Test("one file under another name is the same file: spelled, linked or through a link")
  func sameFileOtherNames() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try AudioSegment.silent(milliseconds: 10).export(to: directory.file("a.wav"))
    try FileManager.default.createDirectory(
      atPath: directory.file("sub"), withIntermediateDirectories: false)
    #expect(link(directory.file("a.wav"), directory.file("hard.wav")) == 0)
    #expect(symlink("a.wav", directory.file("soft.wav")) == 0)
    #expect(symlink(".", directory.file("here")) == 0)
    let options = CheckOptions(baseDirectory: directory.path)
    for written in ["./a.wav", "sub/../a.wav", "hard.wav", "soft.wav", "here/a.wav"] {
      #expect(
        checked("x = read \"a.wav\"\nwrite x \"\(written)\"", options: options, messages: false)
          == ["2:9 read-write-conflict"], "\(written)")
    }
    // Two writes to one file, which need not exist yet.
    #expect(
      checked(
        "write (sine 440 1) \"new.wav\"\nwrite (sine 220 1) \"here/new.wav\"", options: options)
        == [
          "2:20 written-twice: this script writes 'here/new.wav' twice; the first would be lost"
        ])
    #expect(
      checked(
        "write (sine 440 1) \"new.wav\"\nwrite (sine 220 1) \"new2.wav\"", options: options
      ).isEmpty)
  }
}

@Suite("Builtin registry")
struct BuiltinRegistryTests {
  static let everyBuiltin = """
    rate 48000
    s1 = sine 440 1
    s2 = square 220 1 width:0.3
    s3 = saw 110 1 amp:0.5
    s4 = triangle 330 1
    s5 = noise 1 color:"pink" seed:7
    s6 = silence 0.5
    s7 = sweep 20 20khz 2s curve:"lin"
    l1 = gain s1 -6db
    l2 = mix [s1, s2, s3]
    l3 = pan s4 -0.5
    l4 = stereo s1 s2
    l5 = mono l3
    l6 = normalize s5 peak:-3db
    l7 = clip s3 limit:0.8
    f1 = lowpass s3 1khz q:0.9
    f2 = highpass s3 200
    f3 = bandpass s5 1khz
    f4 = notch s5 1khz q:2
    f5 = eq s3 1khz 6db
    f6 = lowshelf s3 200 -3
    f7 = highshelf s3 5khz 3db q:0.5
    e1 = adsr s3 10ms 100ms 0.7 200ms
    e2 = fadein s1 0.1
    e3 = fadeout s1 0.1
    t1 = delay s1 250ms feedback:0.4 mix:0.3
    t2 = reverb s1 room:0.8 damp:0.2 wet:0.4
    d1 = compress s1 threshold_db:-12 ratio:3 attack:2ms release:80ms
    d2 = drive s1 amount:3
    c1 = concat [s1, s2]
    c2 = slice c1 0.5 1.5
    c3 = repeat s1 3
    c4 = reverse s1
    c5 = pad s1 0.1 0.2
    c6 = overlay s1 s2 at:0.25
    c7 = resample s1 44100
    st = chunk s1 100ms
    j1 = join st
    publish "bus" st
    sub = subscribe "bus"
    live = input rate:16000 channels:2 format:"f32"
    w1 = write l4 "out.wav" format:"s24"
    p1 = print s1
    p2 = tag st "take" 2
    n1 = duration s1
    n2 = peak s1
    n3 = rms s1
    pl = plot s1 "wave.png"
    sg = spectrogram s1 "spec.png"
    r1 = read "in.wav"
    tempo 96
    meter 3
    nt = note "a4"
    m1 = midi s1
    q1 = seq "c4 [e4,g4] ~ <a4 b4>*2" bars:2 cycles:2 transpose:-12
    fn pluck freq dur = saw freq (dur + 100ms) |> adsr 5ms 50ms 0.5 100ms
    v1 = voices q1 pluck gain:-6db max:8
    """

  @Test("every builtin of the vocabulary is called correctly at least once")
  func everyBuiltinChecks() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try AudioSegment.silent(milliseconds: 10, sampleRate: 48_000).export(
      to: directory.file("in.wav"))
    let result = Checker.check(
      Source(name: "all.ast", text: Self.everyBuiltin),
      options: CheckOptions(baseDirectory: directory.path))
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
    var called = Set<String>()
    func collect(_ expression: TypedExpr) {
      switch expression {
      case .builtin(let builtin, let arguments, _, _, _):
        called.insert(builtin.name)
        arguments.forEach(collect)
      case .list(let items, _, _): items.forEach(collect)
      case .arithmetic(_, let a, let b, _, _):
        collect(a)
        collect(b)
      case .negate(let a, _, _): collect(a)
      case .function(_, let arguments, let body, _, _):
        arguments.forEach(collect)
        collect(body)
      default: break
      }
    }
    for statement in result.script.statements {
      switch statement {
      case .binding(_, let value, _), .expression(let value, _): collect(value)
      case .setting(let setting, _, _): called.insert(setting.name)
      }
    }
    // The checker computes a note of a constant name: a constant is left.
    if case .binding("nt", .constant(440, _, _), _)? = result.script.statements.first(where: {
      if case .binding("nt", _, _) = $0 { return true }
      return false
    }) {
      called.insert("note")
    }
    let names = Set(BuiltinRegistry.all.map(\.name))
    #expect(names.subtracting(called).isEmpty, "\(names.subtracting(called))")
    let types = Dictionary(
      result.script.bindings.map { ($0.name, $0.type.description) }, uniquingKeysWith: { $1 })
    #expect(types["l4"] == "Audio(48000 Hz, stereo)")
    #expect(types["live"] == "Stream(16000 Hz, stereo)")
    #expect(types["sub"] == "Stream")
    #expect(types["n1"] == "Number")
    #expect(types["q1"] == "Pattern(2 cycles, 10 events)")
    #expect(types["v1"] == "Audio(48000 Hz, mono)")
  }

  @Test("the registry has unique names, each with a builder, and is found by name")
  func consistency() {
    #expect(Set(BuiltinRegistry.all.map(\.name)).count == BuiltinRegistry.all.count)
    #expect(BuiltinRegistry.all.allSatisfy { BuiltinRegistry.builtin(named: $0.name) == $0 })
    for builtin in BuiltinRegistry.all {
      #expect(Set(builtin.parameters.map(\.name)).count == builtin.parameters.count)
      #expect(!builtin.summary.isEmpty)
      // Required parameters come before optional ones.
      let firstOptional =
        builtin.parameters.firstIndex { !$0.isRequired } ?? builtin.parameters.count
      #expect(builtin.parameters[firstOptional...].allSatisfy { !$0.isRequired }, "\(builtin.name)")
    }
  }

  @Test("the vocabulary's argument orders and defaults are as documented")
  func vocabulary() {
    let expected: [String: String] = [
      "sine": "sine freq dur phase:0 rate:rate amp:1.0",
      "square": "square freq dur width:0.5 rate:rate amp:1.0",
      "noise": "noise dur color:\"white\" seed:0 rate:rate amp:1.0",
      "sweep": "sweep from to dur curve:\"exp\" rate:rate amp:1.0",
      "gain": "gain x g", "pan": "pan x pos", "normalize": "normalize x peak:-1db",
      "clip": "clip x limit:1.0", "lowpass": "lowpass x cutoff q:0.7071",
      "bandpass": "bandpass x center q:1.0", "eq": "eq x freq gain_db q:1.0",
      "lowshelf": "lowshelf x freq gain_db q:0.7071",
      "adsr": "adsr x attack decay sustain release",
      "delay": "delay x time feedback:0 mix:0.5 tail:auto",
      "reverb": "reverb x room:0.5 damp:0.5 wet:0.3 tail:auto",
      "compress": "compress x threshold_db:-20 ratio:4 attack:5ms release:50ms",
      "slice": "slice x start end", "overlay": "overlay x y at:0", "resample": "resample x rate",
      "chunk": "chunk x dur format:\"f32\"",
      "input": "input rate:44100 channels:1 format:\"s16\" device:\"\"",
      "write": "write x path format:\"\" bitrate:192 quality:4 compression:5",
      "tag": "tag x key value",
      "plot": "plot x path scale:\"linear\"",
      "spectrogram": "spectrogram x path",
      "note": "note name", "midi": "midi m", "tempo": "tempo bpm", "meter": "meter beats",
      "seq": "seq pattern bars:1 cycles:1 transpose:0 tempo:tempo meter:meter",
      "voices": "voices pattern instrument gain:1 max:64",
    ]
    for (name, signature) in expected {
      #expect(BuiltinRegistry.builtin(named: name)?.signature == signature)
    }
  }

  @Test("docs/builtins.md is the reference generated from the registry")
  func referenceIsCurrent() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let committed = try String(
      contentsOf: root.appendingPathComponent("docs/builtins.md"), encoding: .utf8)
    #expect(
      committed == BuiltinReference.markdown(),
      "regenerate it with: swift run ast help --markdown > docs/builtins.md")
  }
}

@Suite("Checker: regressions")
struct CheckerRegressionTests {
  @Test("huge or NaN rates are range errors, not crashes")
  func hugeRates() {
    #expect(
      checked("x = sine 440 1 rate:1e19") == [
        "1:21 out-of-range: 'rate' of 'sine' must be between 1 and 768000, got 1e+19"
      ])
    #expect(checked("x = sine 440 1 rate:(0/0)").first?.contains("out-of-range") == true)
    #expect(
      checked("x = gain (sine 1 1) (1/0)") == [
        "1:22 out-of-range: 'g' of 'gain' must be a finite number"
      ])
  }

  @Test("functions nested through many calls are bounded, not a stack overflow")
  func deepFunctions() {
    var text = "fn f0 x = x\n"
    for level in 1...150 {
      text +=
        "fn f\(level) x = " + String(repeating: "gain (", count: 10) + "f\(level - 1) x"
        + String(repeating: ") 1", count: 10) + "\n"
    }
    text += "out = f150 (sine 440 1)\n"
    let found = checked(text)
    #expect(found.count == 1, "\(found)")
    #expect(found.first?.contains("nesting-too-deep") == true)
  }

  @Test("numbers and strings bound to names or passed to functions stay constants")
  func constantsThroughNames() {
    #expect(bindingTypes("sr = 48000\nrate sr\nx = sine 440 1")["x"] == "Audio(48000 Hz, mono)")
    #expect(bindingTypes("sr = 48000\nx = sine 440 1 rate:sr")["x"] == "Audio(48000 Hz, mono)")
    #expect(
      checked("fn v d = sine 440 d\nx = v -1") == [
        "2:7 out-of-range: 'dur' of 'sine' must be at least 0, got -1 s"
      ])
    #expect(
      checked("c = \"purple\"\nx = noise 1 color:c").first?.contains("invalid-choice") == true)
    #expect(
      checked("a = sine 1 1 rate:48000\nb = sine 1 1\nl = [a, b]\nx = mix l") == [
        "3:9 rate-mismatch: cannot combine audio at 48000 Hz with audio at 44100 Hz in one list"
      ])
  }

  @Test("mistakes of a pipe stage are placed at the stage")
  func pipePositions() {
    #expect(
      checked("tone = sine 440 1\nout = tone\n  |> adsr 10ms 200ms 500ms\n  |> chunk") == [
        "3:6 missing-argument: missing argument 'release' of 'adsr'",
        "4:6 missing-argument: missing argument 'dur' of 'chunk'",
      ])
  }

  @Test("one mistake in a pipeline gives one error; a bad character gives one error")
  func noCascades() {
    let pipeline =
      "out = sine 440 1\n  |> lowpass 1000 )\n  |> gain 0.5\n  |> gain 0.5\n  |> chunk 0.5"
    #expect(checked(pipeline).count == 1)
    #expect(
      checked("x = lowpass @ 1.2khz") == ["1:13 unexpected-character: unexpected character '@'"])
    #expect(
      checked("x = gain (sine 440 1) 0.5 |") == [
        "1:27 unexpected-character: unexpected character '|'"
      ])
    #expect(checked("\u{FEFF}x = sine 440 1").isEmpty)
  }

  @Test("a refused binding's value is still checked, and its later uses do not cascade")
  func refusedBindings() {
    #expect(
      checked("x = 1\nx = sine 1s 440hz\ny = x + 1") == [
        "2:1 rebinding: 'x' is already defined; a script binds each name once",
        "2:10 unit-mismatch: 'freq' of 'sine' takes a frequency (hz or khz), but this is a time",
        "2:13 unit-mismatch: 'dur' of 'sine' takes a time (ms or s), but this is a frequency",
      ])
    #expect(
      checked("duration = 2s\ny = duration * 2") == [
        "1:1 shadows-builtin: 'duration' is the name of a builtin; choose another name for a binding"
      ])
  }

  @Test("a function's body is checked against the rate where it is called")
  func definitionRate() {
    #expect(checked("fn air = noise 1s |> highpass 23khz\nrate 48000\nb = air").isEmpty)
  }

  @Test("a negative number after a name hints at subtraction")
  func subtractionHint() {
    let result = Checker.check(Source(name: "t", text: "a = sine 1 1\nb = a -1"))
    #expect(
      result.diagnostics.first?.notes == [
        DiagnosticNote("'-1' right after a name is a negative number; to subtract, write 'a - 1'")
      ])
  }

  @Test("writes to unknown formats or missing directories are found before running")
  func writeTargets() {
    #expect(
      checked("write (sine 1 1) \"out.xyz\"") == [
        "1:18 unreadable-file: cannot write 'out.xyz': unknown file extension"
      ])
    #expect(
      checked("write (sine 1 1) \"/nonexistent_dir/o.wav\"") == [
        "1:18 unreadable-file: cannot write '/nonexistent_dir/o.wav': the directory does not exist"
      ])
  }

  @Test("encoder settings of a write are refused at the setting when they do not fit")
  func encoderSettings() {
    #expect(
      checked("write (sine 1 1) \"o.wav\" bitrate:192") == [
        "1:34 setting-for-other-format: 'bitrate' of 'write' applies to MP3 files only, not WAV"
      ])
    // Even a value computed while running cannot fit another format.
    #expect(
      checked("s = sine 1 1\nwrite s \"o.flac\" quality:(peak s - rms s + 5)") == [
        "2:27 setting-for-other-format: 'quality' of 'write' applies to Ogg Vorbis files only, "
          + "not FLAC"
      ])
    #expect(
      checked("write (sine 1 1) \"o.ogg\" compression:5") == [
        "1:38 setting-for-other-format: 'compression' of 'write' applies to FLAC files only, "
          + "not Ogg Vorbis"
      ])
    #expect(
      checked("write (sine 1 1) \"o.mp3\" bitrate:330") == [
        "1:34 out-of-range: 'bitrate' of 'write' must be between 8 and 320, got 330"
      ])
    #expect(
      checked("write (sine 1 1) \"o.mp3\" bitrate:150") == [
        "1:34 out-of-range: 'bitrate' of 'write' must be 32, 40, 48, 56, 64, 80, 96, 112, 128, "
          + "160, 192, 224, 256 or 320 kbps for MP3 at 44100 Hz, got 150"
      ])
    #expect(
      checked("write (sine 1 1 rate:22050) \"o.mp3\" bitrate:192").first?.hasPrefix(
        "1:45 out-of-range: 'bitrate' of 'write' must be 8, 16,") == true)
    #expect(
      checked("write (sine 1 1) \"o.flac\" compression:2.5") == [
        "1:39 out-of-range: 'compression' of 'write' must be a whole number, got 2.5"
      ])
    #expect(
      checked("write (sine 1 1) \"o.ogg\" quality:10.5") == [
        "1:34 out-of-range: 'quality' of 'write' must be between 0 and 10, got 10.5"
      ])
    #expect(checked("write (sine 1 1) \"o.mp3\" bitrate:1s").count == 1)
    #expect(
      checked(
        "write (sine 1 1) \"o.mp3\" bitrate:320\nwrite (sine 1 1) \"o.ogg\" quality:6.5\n"
          + "write (sine 1 1) \"o.flac\" compression:8\nwrite (sine 1 1 rate:8000) \"l.mp3\" "
          + "bitrate:64"
      ).isEmpty)
  }

  @Test("a stereo signal laid over a mono one makes a stereo result")
  func overlayChannels() {
    #expect(
      bindingTypes("m = sine 1 1\ns = pan m 0\nx = overlay m s")["x"] == "Audio(44100 Hz, stereo)")
  }
}

@Suite("Checker: channel cycles")
struct ChannelCycleTests {
  @Test("a publication that reads its own channel, directly, through bindings or channels")
  func cycles() {
    #expect(
      checked("x = subscribe \"c\"\npublish \"c\" (x |> gain 0.5)", messages: false) == [
        "2:1 channel-cycle"
      ])
    // Through a function and a binding chain.
    #expect(
      checked(
        "fn half s = s |> gain 0.5\nx = subscribe \"c\"\ny = half x\npublish \"c\" y",
        messages: false) == ["4:1 channel-cycle"])
    // Three channels in a ring: one error, at the publication that closes it.
    #expect(
      checked(
        "publish \"b\" (subscribe \"a\")\npublish \"c\" (subscribe \"b\")\n"
          + "publish \"a\" (subscribe \"c\")") == [
          "3:1 channel-cycle: channels 'a', 'b' and 'c' feed each other: each would wait for "
            + "the others"
        ])
    // A chain that does not come back is fine.
    #expect(
      checked(
        "publish \"b\" (subscribe \"a\")\npublish \"c\" (subscribe \"b\")\nout = join (subscribe \"c\")"
      ).isEmpty)
  }
}
