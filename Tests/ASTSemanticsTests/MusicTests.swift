import ASTCore
import Foundation
import Testing

@testable import ASTSemantics
@testable import ASTSyntax

/// The value the checker gives the binding `name` of `text`, when it is a constant.
private func constant(
  _ name: String, in text: String, options: CheckOptions = CheckOptions(),
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> Double? {
  let result = Checker.check(Source(name: "t.ast", text: text), options: options)
  #expect(
    result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))",
    sourceLocation: sourceLocation)
  for statement in result.script.statements {
    if case .binding(name, let value, _) = statement { return value.constantValue }
  }
  return nil
}

/// The events of a pattern string as `start+length:label` with exact fractions of a
/// cycle (`1/4+1/8:e4`).
private func events(_ text: String, cycles: Int = 1, transpose: Double = 0) -> [String] {
  switch Pattern.make(
    text, cycles: cycles, bars: 1, transpose: transpose, tempo: 120, beatsPerBar: 4)
  {
  case .success(let pattern):
    return pattern.events.map { "\($0.start)+\($0.length):\($0.label)" }
  case .failure(let error):
    return ["error \(error.offsets): \(error.message)"]
  }
}

@Suite("Pitch: note names and MIDI numbers")
struct PitchTests {
  @Test("every note name of octaves -1 to 9 is its equal-tempered MIDI number and frequency")
  func everyNote() throws {
    let letters: [(String, Int)] = [
      ("c", 0), ("d", 2), ("e", 4), ("f", 5), ("g", 7), ("a", 9), ("b", 11),
    ]
    var count = 0
    for octave in -1...9 {
      for (letter, pitchClass) in letters {
        for (accidental, shift) in [("", 0), ("#", 1), ("b", -1)] {
          let name = letter + accidental + String(octave)
          let midi = 12 * (octave + 1) + pitchClass + shift
          #expect(try Pitch.midi(note: name).get() == midi, "\(name)")
          // An upper-case letter names the same note.
          #expect(
            try Pitch.midi(note: letter.uppercased() + accidental + String(octave)).get() == midi)
          let expected = 440 * pow(2, (Double(midi) - 69) / 12)
          let frequency = try #require(constant("x", in: "x = note \"\(name)\""))
          #expect(abs(frequency - expected) <= expected * 1e-12, "\(name)")
          count += 1
        }
      }
    }
    #expect(count == 11 * 21)
    #expect(try Pitch.midi(note: "c4").get() == 60)
    #expect(try Pitch.midi(note: "a4").get() == 69)
    #expect(constant("x", in: "x = note \"a4\"") == 440)
  }

  @Test("midi takes whole and fractional numbers: 69 is 440 Hz, 81 is 880 Hz")
  func midiNumbers() {
    for m in stride(from: -12.0, through: 140, by: 0.25) {
      let expected = 440 * pow(2, (m - 69) / 12)
      let value = constant("x", in: "x = midi \(m)") ?? .nan
      #expect(abs(value - expected) <= expected * 1e-12, "\(m)")
    }
    #expect(constant("x", in: "x = midi 69") == 440)
    #expect(constant("x", in: "x = midi 81") == 880)
    // A signal of MIDI numbers is a signal of frequencies that can drive an oscillator.
    #expect(
      bindingTypes("m = midi (sine 1 1)\ny = sine (midi (sine 1 1)) 1")["m"]
        == "Audio(44100 Hz, mono)")
    #expect(
      checked("x = midi 440hz") == [
        "1:10 unit-mismatch: 'm' of 'midi' is a plain number, but this is a frequency"
      ])
  }

  @Test("a bad note name is an error on its bad character, with a hint")
  func badNames() {
    #expect(
      checked("x = note \"h4\"") == [
        "1:11 invalid-note: \"h4\" is not a note: 'h' is not a note letter"
      ])
    #expect(
      checked("x = note \"c#10\"") == [
        "1:13 invalid-note: \"c#10\" is not a note: octave 10 is out of range"
      ])
    #expect(
      checked("x = note \"cb\"") == ["1:13 invalid-note: \"cb\" is not a note: 'cb' has no octave"])
    #expect(
      checked("x = note \"c##4\"") == [
        "1:13 invalid-note: \"c##4\" is not a note: a note takes one sharp or flat"
      ])
    #expect(
      checked("x = note \"c4x\"") == [
        "1:13 invalid-note: \"c4x\" is not a note: unexpected 'x' after the note 'c4'"
      ])
    // A flat written upper-case, and a pattern given where a signal goes.
    let flat = Checker.check(Source(name: "t.ast", text: "x = note \"cB4\"")).diagnostics
    #expect(flat.first?.notes.first?.message == "a flat is a lower-case 'b': 'cb4'")
    let given = Checker.check(Source(name: "t.ast", text: "x = reverb (seq \"c4\")")).diagnostics
    #expect(given.first?.notes.first?.message == "play a pattern with 'voices PATTERN INSTRUMENT'")
    // The hint of the German H.
    let source = Source(name: "t.ast", text: "x = note \"h4\"")
    let notes = Checker.check(source).diagnostics.first?.notes.map(\.message) ?? []
    #expect(notes.first?.contains("the German H is written 'b'") == true)
  }
}

@Suite("Tempo, meter, beats and bars")
struct TempoTests {
  @Test("1b at tempo 120 is 0.5 s; 1bar at meter 3 is 1.5 s; tempo and meter apply below them")
  func units() {
    #expect(constant("x", in: "x = 1b") == 0.5)
    #expect(constant("x", in: "x = 1bar") == 2)
    #expect(constant("x", in: "meter 3\nx = 1bar") == 1.5)
    #expect(constant("x", in: "tempo 96\nx = 0.75b") == 0.75 * 60 / 96)
    #expect(constant("x", in: "tempo 90\nmeter 7\nx = 2bar") == 2 * 7 * 60 / 90.0)
    #expect(constant("x", in: "x = 1b\ntempo 60") == 0.5)
    // A tempo given to the run replaces the script's.
    var options = CheckOptions()
    options.tempo = 60
    #expect(constant("x", in: "tempo 96\nx = 1b", options: options) == 1)
  }

  @Test("beats are durations for the checker: a gain of 1b is a unit error")
  func beatsAreTimes() {
    #expect(
      checked("x = gain (sine 440 1) 1b") == [
        "1:23 unit-mismatch: 'g' of 'gain' takes a gain (db), but this is a time"
      ])
    #expect(bindingTypes("x = sine 440 2bar |> delay 0.75b")["x"] == "Audio(44100 Hz, mono)")
    #expect(checked("x = 1b + 440hz").first?.contains("unit-mismatch") == true)
  }

  @Test("tempo and meter are settings: a statement of their own, in range")
  func settings() {
    #expect(checked("tempo 0").first?.contains("out-of-range") == true)
    #expect(checked("meter 2.5").first?.contains("out-of-range") == true)
    #expect(checked("x = tempo 120").first?.contains("misplaced-setting") == true)
    #expect(checked("tempo").first?.contains("missing-argument") == true)
    #expect(
      checked("t = sine 1 1\ntempo (duration t / 1s)").first?.contains("not-constant") == true)
  }
}

@Suite("Patterns: the mini-notation")
struct MiniNotationTests {
  @Test("each operator, nesting, alternation over cycles and chords, as exact fractions")
  func table() {
    // Steps share the cycle equally (Strudel: "c e g" plays three notes a cycle).
    #expect(events("c4 e4 g4") == ["0+1/3:c4", "1/3+1/3:e4", "2/3+1/3:g4"])
    // A rest keeps its share.
    #expect(events("~ c4") == ["1/2+1/2:c4"])
    // [ ] subdivides one step.
    #expect(events("c4 [e4 g4]") == ["0+1/2:c4", "1/2+1/4:e4", "3/4+1/4:g4"])
    // , stacks notes into a chord for the step.
    #expect(events("[c4,e4,g4] a4") == ["0+1/2:c4", "0+1/2:e4", "0+1/2:g4", "1/2+1/2:a4"])
    // *n repeats a step n times in its own place.
    #expect(events("c4*2 e4") == ["0+1/4:c4", "1/4+1/4:c4", "1/2+1/2:e4"])
    #expect(events("[c4 ~]*2") == ["0+1/4:c4", "1/2+1/4:c4"])
    // < > takes one alternative per cycle, in turn.
    #expect(events("<c4 e4 g4>", cycles: 4) == ["0+1:c4", "1+1:e4", "2+1:g4", "3+1:c4"])
    #expect(
      events("c4 <e4 g4>", cycles: 2) == ["0+1/2:c4", "1/2+1/2:e4", "1+1/2:c4", "3/2+1/2:g4"])
    // Nested alternation alternates each time its turn comes (as in Tidal and Strudel).
    #expect(events("<c4 <e4 g4>>", cycles: 4) == ["0+1:c4", "1+1:e4", "2+1:c4", "3+1:g4"])
    // Repeating an alternation runs through it faster (Strudel: "<a b>*2" is "a b").
    #expect(events("<c4 e4>*2") == ["0+1/2:c4", "1/2+1/2:e4"])
    // A chord of alternations, and a top-level stack of sequences.
    #expect(
      events("<c4 d4>, e4 f4", cycles: 2) == [
        "0+1:c4", "0+1/2:e4", "1/2+1/2:f4", "1+1:d4", "1+1/2:e4", "3/2+1/2:f4",
      ])
    // MIDI numbers, whole and fractional; note names with sharps and flats.
    #expect(
      events("60 62.5 c#4 eb3") == ["0+1/4:60", "1/4+1/4:62.5", "1/2+1/4:c#4", "3/4+1/4:eb3"])
    // Transposition names the notes anew.
    #expect(events("c4 60", transpose: 12) == ["0+1/2:c5", "1/2+1/2:c5"])
    // The example of the issue, with its alternation and chord.
    #expect(
      events("c4 e4 [g4 a4] ~ <c5 b4> [c4,e4,g4] c3*2", cycles: 2).count == 2 * 10)
  }

  @Test("the midi numbers of the events are the notes written, plus the transposition")
  func pitches() throws {
    let pattern = try Pattern.make(
      "c4 [e4,g4] 69", cycles: 1, bars: 1, transpose: -12, tempo: 120, beatsPerBar: 4
    ).get()
    #expect(pattern.events.map(\.midi) == [48, 52, 55, 57])
    #expect(pattern.events.last?.frequency == 220)
  }

  @Test("event k starts at frame round(t_k * rate), a half frame rounded up, one division")
  func frames() throws {
    // At 120 bpm a 16th note is 0.125 s: 5512.5 frames at 44100 Hz.
    let pattern = try Pattern.make(
      "c4*16", cycles: 1, bars: 1, transpose: 0, tempo: 120, beatsPerBar: 4
    ).get()
    let starts = pattern.events.map { pattern.frame(at: $0.start, rate: 44_100) }
    #expect(starts == (0..<16).map { Int((Double($0) * 5512.5).rounded()) })
    #expect(starts[1] == 5513)
    // Triplets at 48 kHz: a third of a 2 s bar is 32000 frames exactly.
    let triplets = try Pattern.make(
      "c4 c4 c4", cycles: 2, bars: 1, transpose: 0, tempo: 120, beatsPerBar: 4
    ).get()
    #expect(
      triplets.events.map { triplets.frame(at: $0.start, rate: 48_000) }
        == [0, 32000, 64000, 96000, 128000, 160000])
    #expect(triplets.seconds == 4)
  }

  @Test("every error has its column inside the string literal")
  func errors() {
    let cases: [(String, String)] = [
      ("c4 [e4", "1:13 invalid-pattern: \"c4 [e4\" is not a pattern: '[' is never closed"),
      ("<c4 e4", "1:10 invalid-pattern: \"<c4 e4\" is not a pattern: '<' is never closed"),
      ("c4 ]", "1:13 invalid-pattern: \"c4 ]\" is not a pattern: ']' closes nothing"),
      ("[c4 e4>", "1:16 invalid-pattern: \"[c4 e4>\" is not a pattern: '>' closes nothing"),
      ("c4 h4", "1:13 invalid-pattern: \"c4 h4\" is not a pattern: 'h' is not a note letter"),
      (
        "c4 e4*0",
        "1:15 invalid-pattern: \"c4 e4*0\" is not a pattern: '*0' repeats the step no time"
      ),
      ("c4*", "1:12 invalid-pattern: \"c4*\" is not a pattern: expected a number after '*'"),
      (
        "c4*1.5",
        "1:12 invalid-pattern: \"c4*1.5\" is not a pattern: '*' takes a whole number of times"
      ),
      ("", "1:10 invalid-pattern: \"\" is not a pattern: the pattern is empty"),
      ("c4 []", "1:13 invalid-pattern: \"c4 []\" is not a pattern: '[]' holds no step"),
      (
        "c4 @3",
        "1:13 invalid-pattern: \"c4 @3\" is not a pattern: '@' is not part of the mini-notation"
      ),
      (
        "c4 . e4",
        "1:13 invalid-pattern: \"c4 . e4\" is not a pattern: '.' is not part of the mini-notation"
      ),
      ("c4 *2", "1:13 invalid-pattern: \"c4 *2\" is not a pattern: '*' follows no step"),
      ("c4,,e4", "1:13 invalid-pattern: \"c4,,e4\" is not a pattern: expected a step before ','"),
      ("c4 - e4", "1:13 invalid-pattern: \"c4 - e4\" is not a pattern: '-' is not a step here"),
      ("c4 200", "1:13 invalid-pattern: \"c4 200\" is not a pattern: '200' is not a MIDI number"),
      ("c4 c10", "1:14 invalid-pattern: \"c4 c10\" is not a pattern: octave 10 is out of range"),
    ]
    for (pattern, expected) in cases {
      let text = "x = seq \"" + pattern + "\""
      #expect(checked(text) == [expected], "\(pattern)")
    }
    // An escape before the mistake counts as the two characters it is written with.
    #expect(
      checked("x = seq \"c4\\t[e4\"") == [
        "1:14 invalid-pattern: \"c4\\t[e4\" is not a pattern: '[' is never closed"
      ])
    // Too many events over the cycles, and nesting too deep.
    #expect(
      checked("x = seq \"c4*1000\" cycles:2000").first?.contains(
        "holds more than 1000000 events") == true)
    let deep = String(repeating: "[", count: 70) + "c4" + String(repeating: "]", count: 70)
    #expect(checked("x = seq \"\(deep)\"").first?.contains("nest too deeply") == true)
    #expect(
      checked("x = seq \"" + String(repeating: "[c4 c4 c4 c4 ", count: 30) + "\"").first?
        .contains("invalid-pattern") == true)
  }

  @Test("a pattern's type shows its cycles and events; voices take a fn of freq and dur")
  func types() {
    let types = bindingTypes(
      """
      tempo 96
      fn pluck freq dur = saw freq (dur + 300ms) |> adsr 5ms 120ms 0.4 300ms
      p = seq "c2 ~ c2 [eb2 g2]" cycles:8
      q = seq "<[c4,eb4,g4] [ab3,c4,eb4]>" cycles:2 transpose:12
      fn one f = sine f 100ms
      fn fixed = sine 50 200ms
      bass = voices p pluck gain:0.5 max:4
      lead = voices q one
      kick = voices (seq "c1 ~ c1 ~") fixed
      """)
    #expect(types["p"] == "Pattern(8 cycles, 32 events)")
    #expect(types["q"] == "Pattern(2 cycles, 6 events)")
    #expect(types["bass"] == "Audio(44100 Hz, mono)")
    #expect(types["lead"] == "Audio(44100 Hz, mono)")
    #expect(types["kick"] == "Audio(44100 Hz, mono)")
    #expect(bindingTypes("x = seq \"c4\"")["x"] == "Pattern(1 cycle, 1 event)")
  }

  @Test("an instrument that does not fit is an error at the argument")
  func instruments() {
    #expect(
      checked("fn t a b c = sine a b\nx = voices (seq \"c4\") t", messages: false) == [
        "2:23 invalid-instrument"
      ])
    #expect(checked("x = voices (seq \"c4\") sine", messages: false) == ["1:23 invalid-instrument"])
    #expect(
      checked("fn n f d = f\nx = voices (seq \"c4\") n", messages: false) == [
        "2:23 invalid-instrument"
      ])
    #expect(
      checked("fn p f d = sine f d |> print\nx = voices (seq \"c4\") p", messages: false) == [
        "2:23 invalid-instrument"
      ])
    #expect(
      checked("fn p f d = sine f d\nx = voices (seq \"c4\") (p 440 1)", messages: false) == [
        "2:24 invalid-instrument"
      ])
    #expect(checked("x = voices (seq \"c4\") nothing", messages: false) == ["1:23 unknown-name"])
    // The body is checked with the frequency and length as numbers of their units.
    #expect(
      checked("fn p f d = gain (sine f d) f\nx = voices (seq \"c4\") p", messages: false) == [
        "1:28 unit-mismatch"
      ])
  }

  @Test("each different note is checked against its instrument: a note above Nyquist is an error")
  func notesChecked() {
    let text = "rate 8000\nfn v f d = sine f d\np = seq \"a4 a8 a9\" cycles:4\nout = voices p v"
    #expect(
      checked(text) == [
        "4:16 out-of-range: 'freq' of 'sine' must be greater than 0 and below the Nyquist "
          + "frequency (half the sample rate), got 7040 Hz"
      ])
    let notes = Checker.check(Source(name: "t.ast", text: text)).diagnostics.first?.notes
    #expect(
      notes?.last?.message == "for the note a8 (7040 Hz) at 1:2.333 (bar:beat) of the pattern")
    // Every note fits: no error; the same instrument at a higher rate plays them all.
    #expect(checked("rate 48000\nfn v f d = sine f d\nout = voices (seq \"a4 a8 a9\") v").isEmpty)
    // A length the instrument refuses: a note of 1 s made a negative time.
    #expect(
      checked("fn v f d = sine f (d - 2s)\nout = voices (seq \"c4 e4\") v", messages: false)
        == ["1:20 out-of-range"])
  }

  @Test("a fn that writes a file, called once, writes it once")
  func functionWritesOnce() {
    #expect(checked("fn loud f = sine f 1 |> write \"v.wav\"\nx = loud 440").isEmpty)
  }
}
