import ASTEngine
import Testing

@testable import ASTSemantics
@testable import ASTSyntax

/// `LINE:COL id: message` of the errors of checking `text`.
private func errors(_ text: String) -> [String] { checked(text, severity: .error) }

/// Rates a builtin cannot work at, and times and counts too large for a signal, known
/// before running: errors of the checker, at their place, not crashes of the run.
@Suite("Checker: rates and lengths a signal cannot have")
struct LimitCheckTests {
  @Test("a spectrogram below 41 Hz is an error at check time, with the setting or the argument")
  func spectrogramRate() {
    #expect(
      errors("rate 39\nout = silence 1 |> spectrogram \"p.png\"") == [
        "2:20 unsupported-rate: 'spectrogram' takes audio at 41 Hz or more, got audio at 39 Hz"
      ])
    #expect(
      errors("out = silence 1 rate:40 |> spectrogram \"p.png\"") == [
        "1:28 unsupported-rate: 'spectrogram' takes audio at 41 Hz or more, got audio at 40 Hz"
      ])
    #expect(errors("out = silence 1 rate:41 |> spectrogram \"p.png\"") == [])
    let diagnostic = Checker.check(
      Source(name: "t.ast", text: "out = silence 1 rate:1 |> spectrogram \"p.png\"")
    ).diagnostics.first
    #expect(
      diagnostic?.notes.map(\.message) == [
        "its frequency axis runs from 20 Hz up to half the sample rate",
        "resample it first, e.g. 'resample x 41'",
      ])
  }

  @Test("the lowest rate is the spectrogram's own, declared with the builtin")
  func lowestRateDeclared() throws {
    let spectrogram = try #require(BuiltinRegistry.builtin(named: "spectrogram"))
    #expect(spectrogram.effects.lowestInputRate?.rate == SpectrogramPicture.lowestSampleRate)
    #expect(SpectrogramPicture.lowestSampleRate == 41)
    // Other pictures and effects work at any rate.
    #expect(BuiltinRegistry.builtin(named: "plot")?.effects.lowestInputRate == nil)
    #expect(errors("rate 1\nout = silence 10 |> plot \"w.png\" |> reverb 0.5 0.5 0.5") == [])
  }

  @Test("a resampling beyond 4096 times either way is an error at the new rate")
  func resampleRatio() {
    #expect(
      errors("out = silence 10 rate:1 |> resample 768000") == [
        "1:37 unsupported-rate: cannot resample from 1 Hz to 768000 Hz: one rate may be at most "
          + "4096 times the other"
      ])
    #expect(
      errors("out = silence 1 rate:768000 |> chunk 0.5 |> resample 100 |> join") == [
        "1:54 unsupported-rate: cannot resample from 768000 Hz to 100 Hz: one rate may be at "
          + "most 4096 times the other"
      ])
    #expect(errors("out = silence 10 rate:8000 |> resample 768000") == [])
  }

  @Test("writing a format that cannot hold the signal's rate is an error at the write")
  func fileRates() {
    #expect(
      errors("out = silence 1 rate:1000 |> write \"a.mp3\"") == [
        "1:30 unsupported-rate: cannot write 'a.mp3' at 1000 Hz: MP3 takes audio at 8000, 11025, "
          + "12000, 16000, 22050, 24000, 32000, 44100 or 48000 Hz, not 1000 Hz"
      ])
    #expect(
      errors("out = silence 1 rate:768000 |> write \"a.flac\"") == [
        "1:32 unsupported-rate: cannot write 'a.flac' at 768000 Hz: FLAC takes audio at up to "
          + "655350 Hz, not 768000 Hz"
      ])
    #expect(
      errors("out = silence 1 rate:256000 |> write \"a.ogg\"") == [
        "1:32 unsupported-rate: cannot write 'a.ogg' at 256000 Hz: Ogg Vorbis takes audio at up "
          + "to 200000 Hz, not 256000 Hz"
      ])
    #expect(errors("out = silence 1 rate:1 |> write \"a.wav\" |> write \"a.flac\"") == [])
    #expect(errors("out = silence 1 rate:22050 |> write \"a.mp3\"") == [])
  }

  @Test("a constant time longer than a signal can be at its rate is out of range")
  func tooLong() {
    // The inner pad's mistakes; the outer pad, around a signal with errors, is not checked.
    #expect(
      errors("out = pad (pad (sine 1 1) 1e15 1e15) 1e15 1e15") == [
        "1:27 out-of-range: 'before' of 'pad' must be at most 2.04245e+11 s at 44100 Hz, the "
          + "longest a signal can be, got 1e+15 s",
        "1:32 out-of-range: 'after' of 'pad' must be at most 2.04245e+11 s at 44100 Hz, the "
          + "longest a signal can be, got 1e+15 s",
      ])
    #expect(
      errors("out = sine 440 2e13 |> resample 768000") == [
        "1:16 out-of-range: 'dur' of 'sine' must be at most 2.04245e+11 s at 44100 Hz, the "
          + "longest a signal can be, got 20000000000000 s"
      ])
    // At the input's rate: 8 kHz allows longer.
    #expect(
      errors("out = sine 440 1 rate:8000 |> delay 2e12") == [
        "1:37 out-of-range: 'time' of 'delay' must be at most 1.1259e+12 s at 8000 Hz, the "
          + "longest a signal can be, got 2000000000000 s"
      ])
    #expect(errors("out = sine 440 1 rate:8000 |> delay 0.5 |> pad 1e6 1e6") == [])
    let note = Checker.check(Source(name: "t.ast", text: "out = sine 440 1e300")).diagnostics
      .first?.notes.map(\.message)
    #expect(note == ["a signal has at most 2^53 frames, about 6,500 years at 44100 Hz"])
  }

  @Test("a constant whole number beyond 2^53 is out of range")
  func tooLarge() {
    #expect(
      errors("out = sine 440 1 |> repeat 1e300") == [
        "1:28 out-of-range: 'n' of 'repeat' must be a whole number of at most 2^53 (9.0072e+15), "
          + "got 1e+300"
      ])
    #expect(
      errors("out = noise 1 seed:1e16") == [
        "1:20 out-of-range: 'seed' of 'noise' must be a whole number of at most 2^53 "
          + "(9.0072e+15), got 1e+16"
      ])
    // A bounded range says its own bounds first.
    #expect(
      errors("out = sine 440 1 rate:1e300") == [
        "1:23 out-of-range: 'rate' of 'sine' must be between 1 and 768000, got 1e+300"
      ])
  }

  @Test("checking a chain of 20,000 bindings takes time in proportion to it")
  func longChain() {
    var lines = ["a0 = sine 440 0.1 rate:8000"]
    for index in 1..<20_000 { lines.append("a\(index) = a\(index - 1) |> gain 1") }
    lines.append("out = a19999")
    let result = Checker.check(Source(name: "t.ast", text: lines.joined(separator: "\n")))
    #expect(result.diagnostics.isEmpty)
    #expect(result.script.statements.count == 20_001)
  }
}
