import ASTCore
import ASTEngine
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics

@Suite("Patterns and voices, rendered")
struct MusicRenderTests {
  /// A melody without overlaps: each voice sounds for half its step, from a non-zero
  /// first sample, so its onset shows on the output.
  static let melody = """
    rate 48000
    tempo 30
    fn ping freq dur = sine freq (dur * 0.5) amp:0.1 + 0.2
    out = voices (seq "c4 e4 [g4 a4] ~ <c5 b4> c3*2 60" cycles:2) ping
    """

  /// Where each event of the melody starts, in cycles: steps of 1/7 of an 8 s bar.
  static let starts: [(cycle: Double, midi: Double)] = {
    var events: [(Double, Double)] = []
    for cycle in 0..<2 {
      let c = Double(cycle)
      events += [
        (c + 0 / 7, 60), (c + 1 / 7, 64), (c + 2 / 7, 67), (c + 2.5 / 7, 69),
        (c + 4 / 7, cycle == 0 ? 72 : 71), (c + 5 / 7, 48), (c + 5.5 / 7, 48), (c + 6 / 7, 60),
      ]
    }
    return events
  }()

  @Test("onsets fall on the exact frames, and each note has its pitch")
  func onsetsAndPitches() async throws {
    let audio = try await render(Self.melody)
    let samples = audio.channels[0]
    #expect(audio.sampleRate == 48_000)
    // Two cycles of one 8 s bar each.
    #expect(samples.count == 768_000)
    let onsets = samples.indices.filter { index in
      samples[index] != 0 && (index == 0 || samples[index - 1] == 0)
    }
    // round(t * rate), t in seconds from the exact fraction of the bar.
    let expected = Self.starts.map { Int(($0.cycle * 8 * 48_000).rounded()) }
    #expect(onsets == expected)
    for (index, event) in Self.starts.enumerated() {
      let start = expected[index]
      // The first half of the shortest step (1/14 bar): 1/28 of 8 s.
      let length = 384_000 / 28
      let spectrum = PowerSpectrum(frames: length, channels: 1, sampleRate: 48_000) { frame, _ in
        Double(samples[start + frame]) - 0.2
      }
      let frequency = 440 * pow(2, (event.midi - 69) / 12)
      let peak = try #require(spectrum.peaks(maximum: 1).first)
      #expect(abs(peak.frequency - frequency) < spectrum.binWidth, "\(event) \(peak)")
    }
  }

  @Test("the same output at block sizes 1, 64 and 4096")
  func blockSizes() async throws {
    let chords = """
      tempo 132
      meter 3
      fn pluck freq dur = saw freq (dur + 50ms) |> lowpass 2khz q:2 |> adsr 5ms 50ms 0.5 40ms
      out = voices (seq "<[c4,e4,g4] [a3,c4,e4]*2> ~ c5*3" cycles:2) pluck max:4
      """
    let reference = try await render(chords, blockSize: 1)
    #expect(try await render(chords, blockSize: 64) == reference)
    #expect(try await render(chords, blockSize: 4096) == reference)
    #expect(reference.frameCount > 0)
  }

  @Test("print lists a pattern's events: position, seconds, note, frequency and length")
  func printed() async throws {
    let (_, _, lines) = try await runScript(
      "tempo 96\np = seq \"c4 ~ [eb4 g4]\" transpose:12 |> print")
    #expect(
      lines == [
        "Pattern(1 cycle, 3 events): 1 bar a cycle at 96 bpm, 4 beats a bar",
        "  bar:beat  seconds  note  Hz      length",
        "  1:1       0.000    c5    523.25  0.833 s",
        "  1:3.667   1.667    d#5   622.25  0.417 s",
        "  1:4.333   2.083    g5    783.99  0.417 s",
      ])
  }

  @Test("midi turns a signal of MIDI numbers into frequencies")
  func midiSignal() async throws {
    let text = "m = sine 1 1 rate:8000 * 12 + 69\nout = midi m"
    let numbers = try await render(text, "m").channels[0]
    let frequencies = try await render(text).channels[0]
    #expect(frequencies.count == 8_000)
    #expect(frequencies[0] == 440)
    for (m, hz) in zip(numbers, frequencies) {
      let expected = 440 * pow(2, (Double(m) - 69) / 12)
      #expect(abs(Double(hz) - expected) <= expected * 1e-6)
    }
  }

  @Test("an instrument that reads a binding builds it afresh for each voice")
  func bindingsInVoices() async throws {
    let audio = try await render(
      """
      rate 8000
      lfo = sine 2 1 amp:0.5
      fn wobble freq dur = sine freq dur * lfo
      out = voices (seq "c4 ~ c4 ~" bars:0.5) wobble
      """)
    let samples = audio.channels[0]
    // Both voices start the shared signal from its beginning: the same samples.
    let step = 8_000 / 4
    #expect(Array(samples[0..<step]) == Array(samples[2 * step..<3 * step]))
    #expect(samples[0..<step].contains { $0 != 0 })
  }

  @Test("in the session: tempo and meter hold for later inputs; :type shows a pattern")
  func session() async throws {
    let session = Session()
    #expect(await session.submit("tempo 90").lines == ["tempo 90"])
    #expect(await session.submit("meter 3").lines == ["meter 3"])
    #expect(await session.submit("d = 1bar").lines == ["d: 2 s"])
    #expect(
      await session.submit(":type seq \"c4 e4 [g4 a4] ~ <c5 b4> [c4,e4,g4] c3*2\" cycles:2").lines
        == ["Pattern(2 cycles, 20 events)"])
    #expect(
      await session.submit("p = seq \"c4 e4\"").lines == [
        "p: Pattern(1 cycle, 2 events): 1 bar a cycle at 90 bpm, 3 beats a bar"
      ])
    _ = await session.submit("fn ping freq dur = sine freq dur rate:8000")
    let played = await session.submit("v = voices p ping").lines
    #expect(played.first?.hasPrefix("v: Audio(8000 Hz, mono) 2.000 s") == true, "\(played)")
  }
}

@Suite("Voices that fail while running")
struct VoiceFailureTests {
  @Test("a voice that cannot be built while running names its note and bar:beat")
  func namesTheNote() async throws {
    // 70 different notes: past the 64 the checker tries, so the last fails while running.
    let notes = (0..<69).map { String(20 + Double($0) / 2) }.joined(separator: " ") + " 110"
    let failure = await runtimeFailure(
      "rate 8000\nfn v f d = saw f d\nout = voices (seq \"\(notes)\") v")
    let error = try #require(failure)
    #expect(error.message.contains("'freq' of 'saw' must be greater than 0"), "\(error.message)")
    #expect(
      error.notes.map(\.message).last
        == "for the note 110 (4698.64 Hz) at 1:4.943 (bar:beat) of the pattern",
      "\(error.notes)")
  }
}
