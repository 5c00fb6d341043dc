import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of musical time: pitches, patterns and voices.
extension BuiltinRegistry {
  static let music: [Builtin] = [
    Builtin(
      "note", group: .music, "The frequency of a note name (c4 is MIDI 60, a4 is 440 Hz).",
      parameters: [
        BuiltinParameter(
          "name", .notation(.note),
          "a letter c d e f g a b, an optional # (sharp) or b (flat), and an octave from -1 to 9")
      ], result: .number(.frequency),
      fold: { arguments in
        guard let text = arguments.first?.stringValue,
          case .success(let midi) = Pitch.midi(note: text)
        else { return nil }
        return Pitch.frequency(midi: Double(midi))
      },
      build: .value { call in
        let text = try await call.string("name")
        switch Pitch.midi(note: text) {
        case .success(let midi): return .number(Pitch.frequency(midi: Double(midi)))
        case .failure(let problem):
          throw RuntimeError(
            message: "\(SourcePrinter.quote(text)) is not a note: \(problem.message)",
            range: call.argument("name").range,
            notes: problem.hint.map { [DiagnosticNote($0)] } ?? [], id: Checker.IDs.invalidNote)
        }
      }),
    Builtin(
      "midi", group: .music,
      "The frequency of a MIDI number, 440 * 2 ^ ((m - 69) / 12); of each sample of an Audio.",
      parameters: [
        BuiltinParameter(
          "m", .signal,
          "a MIDI number (69 is a4, 440 Hz; fractions lie between), or an Audio of them")
      ], result: .elementwise(.frequency),
      fold: { arguments in arguments.first?.constantValue.map { Pitch.frequency(midi: $0) } },
      build: .value { call in
        switch try await call.value("m") {
        case .number(let midi): return .number(Pitch.frequency(midi: midi))
        case .audio(let node, let metadata): return .audio(MIDIFrequencyNode(node), metadata)
        default: throw call.failure("'midi' takes a Number or an Audio")
        }
      }),
    Builtin(
      "seq", group: .music,
      "A pattern of note events in the mini-notation, each cycle lasting 'bars' bars.",
      parameters: [
        BuiltinParameter(
          "pattern", .notation(.pattern),
          "steps sharing the cycle: notes (c4, eb3, 60), ~ (rest), [a b], [a,b], a*3, <a b>"),
        BuiltinParameter(
          "bars", .number, default: .number(1, spelling: "1"),
          range: ParameterRange(lower: .exclusive(0), upper: .inclusive(1000)), namedOnly: true,
          "bars a cycle"),
        BuiltinParameter(
          "cycles", .number, unit: .count, default: .number(1, spelling: "1"),
          range: ParameterRange(lower: .inclusive(1), upper: .inclusive(100_000), isInteger: true),
          namedOnly: true, "how many cycles"),
        BuiltinParameter(
          "transpose", .number, default: .number(0, spelling: "0"),
          range: ParameterRange(lower: .inclusive(-128), upper: .inclusive(128)), namedOnly: true,
          "semitones added to every note"),
        BuiltinParameter(
          "tempo", .number, default: .scriptTempo, range: tempoRange, namedOnly: true,
          "beats a minute"),
        BuiltinParameter(
          "meter", .number, unit: .count, default: .scriptMeter, range: meterRange,
          namedOnly: true, "beats a bar"),
      ], result: .pattern,
      build: .value { call in
        let text = try await call.string("pattern")
        let made = Pattern.make(
          text, cycles: try await call.whole("cycles"), bars: try await call.number("bars"),
          transpose: try await call.number("transpose"), tempo: try await call.number("tempo"),
          beatsPerBar: try await call.whole("meter"))
        switch made {
        case .success(let pattern): return .pattern(pattern)
        case .failure(let problem):
          throw RuntimeError(
            message: "\(SourcePrinter.quote(text)) is not a pattern: \(problem.message)",
            range: call.argument("pattern").range,
            notes: problem.hint.map { [DiagnosticNote($0)] } ?? [],
            id: Checker.IDs.invalidPattern)
        }
      }),
    Builtin(
      "voices", group: .music,
      "Plays a pattern: one voice of the instrument for each event, summed.",
      parameters: [
        BuiltinParameter("pattern", .pattern, "the events (a seq)"),
        BuiltinParameter(
          "instrument", .instrument,
          "a fn of the event's frequency and length (fn pluck freq dur = ...) giving Audio"),
        BuiltinParameter(VoicesNode.gain, .number, namedOnly: true),
        BuiltinParameter(VoicesNode.maximumVoices, .number, namedOnly: true),
      ], result: .voices,
      build: .value { call in try await BuiltinRegistry.voices(call) }),
  ]

  /// `voices`: the pattern's events at the instrument's rate, each built when it starts.
  static func voices(_ call: any BuiltinCall) async throws -> RuntimeValue {
    let pattern = try await call.pattern("pattern")
    let instrument = try call.instrument("instrument")
    // A voice that cannot be built names the first note it is built for.
    var firstNotes: [VoicesNode.Sound: PatternEvent] = [:]
    for event in pattern.events {
      let sound = VoicesNode.Sound(
        frequency: event.frequency, duration: pattern.seconds(at: event.length))
      if firstNotes[sound] == nil { firstNotes[sound] = event }
    }
    let named = firstNotes
    let build: VoiceFactory = { frequency, duration in
      do {
        return try await instrument(frequency, duration)
      } catch var failure as RuntimeError {
        if let event = named[VoicesNode.Sound(frequency: frequency, duration: duration)] {
          failure.notes.append(DiagnosticNote("for \(pattern.describe(event)) of the pattern"))
        }
        throw failure
      }
    }
    let facts = call.argument("instrument").type.audioFacts ?? .unknown
    // The rate of the voices decides the frames; the checker knows it for most
    // instruments, and otherwise a first voice tells it.
    var rate = facts.sampleRate
    if rate == nil, let first = pattern.events.first {
      rate = try await build(first.frequency, pattern.seconds(at: first.length)).sampleRate
    }
    let sampleRate = rate ?? 44_100
    let notes = pattern.events.map { event in
      VoicesNode.Note(
        start: pattern.frame(at: event.start, rate: sampleRate), frequency: event.frequency,
        duration: pattern.seconds(at: event.length))
    }
    do {
      let node = try await VoicesNode.make(
        notes: notes, length: pattern.frame(at: CycleFraction(pattern.cycles), rate: sampleRate),
        gain: try await call.number("gain"), maximum: try await call.whole("max"),
        rate: sampleRate, channels: facts.channelCount ?? 1, context: call.context, build: build)
      return .audio(node, [:])
    } catch let failure as VoicesError {
      throw RuntimeError(message: failure.description, range: call.argument("instrument").range)
    }
  }
}
