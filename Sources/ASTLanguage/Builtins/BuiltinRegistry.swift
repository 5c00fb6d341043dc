import ASTCore
import ASTEngine

/// The builtin vocabulary: every builtin declared once, read by the checker, the
/// evaluator, completion, `ast help` and the generated reference.
public enum BuiltinRegistry {
  /// Every builtin, in reference order.
  public static let all: [Builtin] =
    generators + level + filters + envelopes + effects
    + structure + streams + files + inspection + settings

  /// The builtins by name.
  public static let byName: [String: Builtin] = Dictionary(
    uniqueKeysWithValues: all.map { ($0.name, $0) })

  /// The builtin called `name`, if there is one.
  public static func builtin(named name: String) -> Builtin? {
    byName[name]
  }

  // MARK: Shared parameters

  private static let input = BuiltinParameter("x", .audio, "the input signal")
  private static let duration = BuiltinParameter(
    "dur", .number, unit: .seconds, range: .nonNegative, "the length")
  private static let frequency = BuiltinParameter(
    "freq", .signal, unit: .hertz, range: .audible, "the frequency; an Audio modulates it")
  private static let generatorRate = BuiltinParameter(
    "rate", .number, unit: .sampleRate, default: .scriptRate,
    range: ValueRange(lower: .inclusive(1), upper: .inclusive(768_000), isInteger: true),
    namedOnly: true, "the sample rate")
  private static let amplitude = BuiltinParameter(
    "amp", .signal, unit: .gain, default: .number(1, spelling: "1.0"), namedOnly: true,
    "the peak level; an Audio modulates it")

  private static func qualityFactor(_ value: Double, _ spelling: String) -> BuiltinParameter {
    BuiltinParameter(
      "q", .number, default: .number(value, spelling: spelling), range: .positive,
      "the filter's Q (RBJ cookbook)")
  }

  // MARK: Groups

  static let generators: [Builtin] = [
    Builtin(
      "sine", group: .generators, "A sine wave: amp * sin(2 pi f n / rate + phase).",
      parameters: [
        frequency, duration,
        BuiltinParameter(
          "phase", .number, default: .number(0, spelling: "0"), "the start phase in radians"),
        generatorRate, amplitude,
      ], result: .generator,
      build: .value { call in
        let rate = try await call.whole("rate")
        let length = try await call.frames("dur", rate: rate)
        let waveform = Waveform.sine
        let phase = try await call.number("phase")
        return .audio(
          OscillatorNode(
            waveform: waveform, frequency: try await call.modulation("freq"),
            amplitude: try await call.modulation("amp"), phase: phase, sampleRate: rate,
            frameCount: length, context: call.context), [:])
      }),
    Builtin(
      "square", group: .generators, "A band-limited square wave.",
      parameters: [
        frequency, duration,
        BuiltinParameter(
          "width", .number, default: .number(0.5, spelling: "0.5"),
          range: ValueRange(lower: .exclusive(0), upper: .exclusive(1)),
          "the fraction of each period spent high"),
        generatorRate, amplitude,
      ], result: .generator,
      build: .value { call in
        let rate = try await call.whole("rate")
        let length = try await call.frames("dur", rate: rate)
        let waveform = Waveform.square(width: try await call.number("width"))
        let phase = 0.0
        return .audio(
          OscillatorNode(
            waveform: waveform, frequency: try await call.modulation("freq"),
            amplitude: try await call.modulation("amp"), phase: phase, sampleRate: rate,
            frameCount: length, context: call.context), [:])
      }),
    Builtin(
      "saw", group: .generators, "A band-limited rising sawtooth wave.",
      parameters: [frequency, duration, generatorRate, amplitude], result: .generator,
      build: .value { call in
        let rate = try await call.whole("rate")
        let length = try await call.frames("dur", rate: rate)
        let waveform = Waveform.saw
        let phase = 0.0
        return .audio(
          OscillatorNode(
            waveform: waveform, frequency: try await call.modulation("freq"),
            amplitude: try await call.modulation("amp"), phase: phase, sampleRate: rate,
            frameCount: length, context: call.context), [:])
      }),
    Builtin(
      "triangle", group: .generators, "A triangle wave.",
      parameters: [frequency, duration, generatorRate, amplitude], result: .generator,
      build: .value { call in
        let rate = try await call.whole("rate")
        let length = try await call.frames("dur", rate: rate)
        let waveform = Waveform.triangle
        let phase = 0.0
        return .audio(
          OscillatorNode(
            waveform: waveform, frequency: try await call.modulation("freq"),
            amplitude: try await call.modulation("amp"), phase: phase, sampleRate: rate,
            frameCount: length, context: call.context), [:])
      }),
    Builtin(
      "noise", group: .generators, "Seeded noise: the same seed gives the same samples.",
      parameters: [
        duration,
        BuiltinParameter(
          "color", .choice(["white", "pink", "brown"]), default: .string("white"),
          "white, pink or brown"),
        BuiltinParameter(
          "seed", .number, unit: .count, default: .number(0, spelling: "0"),
          range: ValueRange(lower: .inclusive(0), isInteger: true), "the random seed"),
        generatorRate, amplitude,
      ], result: .generator,
      build: .value { call in
        let rate = try await call.whole("rate")
        let length = try await call.frames("dur", rate: rate)
        let color = NoiseColor(rawValue: try await call.string("color")) ?? .white
        let seed = UInt64(max(0, try await call.whole("seed")))
        return .audio(
          NoiseNode(
            color: color, seed: seed, amplitude: try await call.modulation("amp"),
            sampleRate: rate, frameCount: length, context: call.context), [:])
      }),
    Builtin(
      "silence", group: .generators, "Silence.", parameters: [duration, generatorRate, amplitude],
      result: .generator,
      build: .value { call in
        let rate = try await call.whole("rate")
        let length = try await call.frames("dur", rate: rate)
        return .audio(SilenceNode(sampleRate: rate, frameCount: length, context: call.context), [:])
      }),
    Builtin(
      "sweep", group: .generators, "A sine sweeping from one frequency to another.",
      parameters: [
        BuiltinParameter("from", .signal, unit: .hertz, range: .audible, "the start frequency"),
        BuiltinParameter("to", .signal, unit: .hertz, range: .audible, "the end frequency"),
        duration,
        BuiltinParameter(
          "curve", .choice(["lin", "exp"]), default: .string("exp"),
          "lin (linear) or exp (exponential)"),
        generatorRate, amplitude,
      ], result: .generator,
      build: .value { call in
        let rate = try await call.whole("rate")
        let length = try await call.frames("dur", rate: rate)
        let curve = SweepCurve(rawValue: try await call.string("curve")) ?? .exponential
        return .audio(
          SweepNode(
            from: try await call.modulation("from"), to: try await call.modulation("to"),
            curve: curve, amplitude: try await call.modulation("amp"), sampleRate: rate,
            frameCount: length, context: call.context), [:])
      }),
  ]

  static let level: [Builtin] = [
    Builtin(
      "gain", group: .level, "Multiplies the signal: x * g (use -6db for decibels).",
      parameters: [input, BuiltinParameter("g", .signal, unit: .gain, "the linear gain")],
      result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in GainNode(input, gain: try await call.modulation("g")) }),
    Builtin(
      "mix", group: .level, "The sum of signals, as long as the longest; no normalisation.",
      parameters: [BuiltinParameter("xs", .audioList, "the signals")], result: .fromList,
      build: .value { call in .audio(MixNode(try await call.signals("xs")), [:]) }),
    Builtin(
      "pan", group: .level, "Equal-power panning of a mono signal, or balance of a stereo one.",
      parameters: [
        input,
        BuiltinParameter(
          "pos", .signal, range: ValueRange(lower: .inclusive(-1), upper: .inclusive(1)),
          "-1 left, 0 centre, 1 right"),
      ], result: .stereoOfInput, liftsToStreams: true,
      build: .effect { call, input in PanNode(input, position: try await call.modulation("pos")) }),
    Builtin(
      "stereo", group: .level, "Two signals as left and right, padded to the longer.",
      parameters: [
        BuiltinParameter("left", .audio, "the left channel"),
        BuiltinParameter("right", .audio, "the right channel"),
      ], result: .stereoPair,
      build: .value { call in
        let (left, metadata) = try await call.audio("left")
        let (right, _) = try await call.audio("right")
        try call.requireSameRate(left, right)
        return .audio(
          StereoNode(left: MonoNode.ifNeeded(left), right: MonoNode.ifNeeded(right)), metadata)
      }),
    Builtin(
      "mono", group: .level, "The mean of the channels.", parameters: [input],
      result: .monoOfInput, liftsToStreams: true,
      build: .effect { _, input in MonoNode(input) }),
    Builtin(
      "normalize", group: .level, "Scales the signal so its largest sample is the peak.",
      parameters: [
        input,
        BuiltinParameter(
          "peak", .number, unit: .gain,
          default: .number(AudioSegment.linearGain(decibels: -1), spelling: "-1db"),
          range: .positive, "the target peak"),
      ], result: .sameAsInput, effects: BuiltinEffects(holdsWholeSignal: true),
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let peak = try await call.number("peak")
        return .audio(try await MaterializedNode.make(input, normalizeTo: peak), metadata)
      }),
    Builtin(
      "clip", group: .level, "Hard clipping at the limit.",
      parameters: [
        input,
        BuiltinParameter(
          "limit", .number, unit: .gain, default: .number(1, spelling: "1.0"), range: .positive,
          "the largest absolute sample"),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in ClipNode(input, limit: try await call.number("limit")) }),
  ]

  private static func filter(
    _ name: String, _ summary: String, _ frequencyName: String, q: Double, qSpelling: String,
    kind: BiquadKind
  ) -> Builtin {
    Builtin(
      name, group: .filters, summary,
      parameters: [
        input,
        BuiltinParameter(
          frequencyName, .signal, unit: .hertz, range: .audible,
          "the \(frequencyName == "cutoff" ? "cutoff" : "centre") frequency; an Audio sweeps it"),
        qualityFactor(q, qSpelling),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        BiquadNode(
          input, kind: kind, frequency: try await call.modulation(frequencyName),
          q: try await call.number("q"))
      })
  }

  private static func shelf(
    _ name: String, _ summary: String, q: Double, qSpelling: String,
    kind: @escaping @Sendable (Double) -> BiquadKind
  ) -> Builtin {
    Builtin(
      name, group: .filters, summary,
      parameters: [
        input,
        BuiltinParameter(
          "freq", .signal, unit: .hertz, range: .audible, "the corner frequency"),
        BuiltinParameter("gain_db", .number, unit: .decibels, "the gain in decibels"),
        qualityFactor(q, qSpelling),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        BiquadNode(
          input, kind: kind(try await call.number("gain_db")),
          frequency: try await call.modulation("freq"), q: try await call.number("q"))
      })
  }

  static let filters: [Builtin] = [
    filter(
      "lowpass", "RBJ low-pass biquad.", "cutoff", q: 0.7071, qSpelling: "0.7071",
      kind: .lowpass),
    filter(
      "highpass", "RBJ high-pass biquad.", "cutoff", q: 0.7071, qSpelling: "0.7071",
      kind: .highpass),
    filter(
      "bandpass", "RBJ band-pass biquad (constant 0 dB peak gain).", "center", q: 1,
      qSpelling: "1.0", kind: .bandpass),
    filter("notch", "RBJ notch biquad.", "center", q: 1, qSpelling: "1.0", kind: .notch),
    Builtin(
      "eq", group: .filters, "RBJ peaking EQ biquad.",
      parameters: [
        input,
        BuiltinParameter("freq", .signal, unit: .hertz, range: .audible, "the centre frequency"),
        BuiltinParameter("gain_db", .number, unit: .decibels, "the gain in decibels"),
        qualityFactor(1, "1.0"),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        BiquadNode(
          input, kind: .peaking(gainDB: try await call.number("gain_db")),
          frequency: try await call.modulation("freq"), q: try await call.number("q"))
      }),
    shelf(
      "lowshelf", "RBJ low-shelf biquad.", q: 0.7071, qSpelling: "0.7071",
      kind: { .lowShelf(gainDB: $0) }),
    shelf(
      "highshelf", "RBJ high-shelf biquad.", q: 0.7071, qSpelling: "0.7071",
      kind: { .highShelf(gainDB: $0) }),
  ]

  private static func time(_ name: String, _ summary: String) -> BuiltinParameter {
    BuiltinParameter(name, .number, unit: .seconds, range: .nonNegative, summary)
  }

  static let envelopes: [Builtin] = [
    Builtin(
      "adsr", group: .envelopes,
      "A linear attack-decay-sustain-release gain envelope; the release ends with the signal.",
      parameters: [
        input, time("attack", "the time from 0 to 1"), time("decay", "the time from 1 to sustain"),
        BuiltinParameter("sustain", .number, unit: .gain, range: .unit, "the level held"),
        time("release", "the time from sustain to 0, at the end of the signal"),
      ], result: .sameAsInput, effects: BuiltinEffects(timesFitInput: true),
      build: .value { call in
        var (input, metadata) = try await call.audio("x")
        if input.frameCount == nil { input = try await MaterializedNode.make(input) }
        let rate = input.sampleRate
        let shape = EnvelopeShape.adsr(
          attack: try await call.frames("attack", rate: rate),
          decay: try await call.frames("decay", rate: rate),
          sustain: try await call.number("sustain"),
          release: min(try await call.frames("release", rate: rate), input.frameCount ?? 0))
        return .audio(EnvelopeNode(input, shape: shape), metadata)
      }),
    Builtin(
      "fadein", group: .envelopes, "A linear fade from silence over the first dur seconds.",
      parameters: [input, time("dur", "the length of the fade")], result: .sameAsInput,
      liftsToStreams: true, effects: BuiltinEffects(timesFitInput: true),
      build: .effect { call, input in
        EnvelopeNode(
          input, shape: .fadeIn(frames: try await call.frames("dur", rate: input.sampleRate)))
      }),
    Builtin(
      "fadeout", group: .envelopes, "A linear fade to silence over the last dur seconds.",
      parameters: [input, time("dur", "the length of the fade")], result: .sameAsInput,
      effects: BuiltinEffects(timesFitInput: true),
      build: .value { call in
        var (input, metadata) = try await call.audio("x")
        if input.frameCount == nil { input = try await MaterializedNode.make(input) }
        let length = min(
          try await call.frames("dur", rate: input.sampleRate), input.frameCount ?? 0)
        return .audio(EnvelopeNode(input, shape: .fadeOut(frames: length)), metadata)
      }),
  ]

  /// How long an effect rings on after its input ends; by default until it falls below
  /// -90 dBFS.
  static let tailParameter = BuiltinParameter(
    "tail", .number, unit: .seconds, default: .absent(spelling: "until silent"),
    range: ValueRange(lower: .inclusive(0)), namedOnly: true,
    "how long it rings on after its input ends: until it falls below -90 dBFS (at most "
      + "60 s) by default, 0 keeps the input's length, a time sets the tail's length")

  static let effects: [Builtin] = [
    Builtin(
      "delay", group: .timeAndSpace,
      "A feedback delay: (1 - mix) * x + mix * w, w[n] = x[n - T] + feedback * w[n - T]. "
        + "The echoes ring on after the input ends (see tail); on a stream each chunk keeps "
        + "its length.",
      parameters: [
        input, time("time", "the delay time"),
        BuiltinParameter(
          "feedback", .number, default: .number(0, spelling: "0"),
          range: ValueRange(lower: .exclusive(-1), upper: .exclusive(1)),
          "how much of the echo is fed back"),
        BuiltinParameter(
          "mix", .number, default: .number(0.5, spelling: "0.5"), range: .unit,
          "the share of the delayed signal"),
        tailParameter,
      ], result: .sameAsInput, liftsToStreams: true, effects: BuiltinEffects(hasTail: true),
      build: .effect { call, input in
        let rate = input.sampleRate
        let delayFrames = try await call.frames("time", rate: rate)
        try call.context.checkMemory(
          frames: delayFrames, channels: input.channelCount, width: 8,
          for: "the delay line of 'delay'")
        return DelayNode(
          input, delayFrames: delayFrames, feedback: try await call.number("feedback"),
          mix: try await call.number("mix"), tail: try await call.tail(rate: rate))
      }),
    Builtin(
      "reverb", group: .timeAndSpace,
      "A Freeverb-style reverb. It rings on after the input ends (see tail); on a stream "
        + "each chunk keeps its length.",
      parameters: [
        input,
        BuiltinParameter(
          "room", .number, default: .number(0.5, spelling: "0.5"), range: .unit, "the room size"),
        BuiltinParameter(
          "damp", .number, default: .number(0.5, spelling: "0.5"), range: .unit,
          "the damping of high frequencies"),
        BuiltinParameter(
          "wet", .number, default: .number(0.3, spelling: "0.3"), range: .unit,
          "the share of reverberated signal"),
        tailParameter,
      ], result: .sameAsInput, liftsToStreams: true, effects: BuiltinEffects(hasTail: true),
      build: .effect { call, input in
        ReverbNode(
          input, room: try await call.number("room"), damp: try await call.number("damp"),
          wet: try await call.number("wet"), tail: try await call.tail(rate: input.sampleRate))
      }),
    Builtin(
      "drive", group: .dynamics,
      "A tanh waveshaper: tanh(amount * x) / amount, so a small signal passes with gain 1 and "
        + "a loud one is rounded off below 1 / amount.",
      parameters: [
        input,
        BuiltinParameter(
          "amount", .signal, default: .number(1, spelling: "1"), range: .positive,
          "how hard the signal is driven; an Audio modulates it"),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        DriveNode(input, amount: try await call.modulation("amount"))
      }),
    Builtin(
      "compress", group: .dynamics, "A compressor.",
      parameters: [
        input,
        BuiltinParameter(
          "threshold_db", .number, unit: .decibels, default: .number(-20, spelling: "-20"),
          range: ValueRange(upper: .inclusive(0)), "the level above which gain is reduced"),
        BuiltinParameter(
          "ratio", .number, default: .number(4, spelling: "4"),
          range: ValueRange(lower: .inclusive(1)),
          "the compression ratio"),
        BuiltinParameter(
          "attack", .number, unit: .seconds, default: .number(0.005, spelling: "5ms"),
          range: .nonNegative, "how fast gain reduction starts"),
        BuiltinParameter(
          "release", .number, unit: .seconds, default: .number(0.05, spelling: "50ms"),
          range: .nonNegative, "how fast it ends"),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        CompressorNode(
          input, thresholdDB: try await call.number("threshold_db"),
          ratio: try await call.number("ratio"), attack: try await call.number("attack"),
          release: try await call.number("release"))
      }),
  ]

  static let structure: [Builtin] = [
    Builtin(
      "concat", group: .structure, "Signals one after another.",
      parameters: [BuiltinParameter("xs", .audioList, "the signals")], result: .fromList,
      build: .value { call in .audio(ConcatNode(try await call.signals("xs")), [:]) }),
    Builtin(
      "slice", group: .structure, "The part [start, end) in seconds, clamped to the signal.",
      parameters: [
        input, time("start", "where the part starts"), time("end", "where the part ends"),
      ], result: .sameAsInput,
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let rate = input.sampleRate
        return .audio(
          SliceNode(
            input, start: try await call.frames("start", rate: rate),
            end: try await call.frames("end", rate: rate)), metadata)
      }),
    Builtin(
      "repeat", group: .structure, "The signal n times in a row.",
      parameters: [
        input,
        BuiltinParameter(
          "n", .number, unit: .count, range: ValueRange(lower: .inclusive(0), isInteger: true),
          "how many times"),
      ], result: .sameAsInput,
      build: .value { call in
        let count = try await call.whole("n")
        return .audio(
          try await RepeatNode.make(factory: call.rebuilding("x"), count: max(0, count)), [:])
      }),
    Builtin(
      "reverse", group: .structure, "The signal backwards.", parameters: [input],
      result: .sameAsInput, effects: BuiltinEffects(holdsWholeSignal: true),
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        return .audio(try await MaterializedNode.make(input, reversed: true), metadata)
      }),
    Builtin(
      "pad", group: .structure, "Silence before and after the signal.",
      parameters: [
        input, time("before", "the silence before"), time("after", "the silence after"),
      ], result: .sameAsInput,
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let rate = input.sampleRate
        return .audio(
          PadNode(
            input, before: try await call.frames("before", rate: rate),
            after: try await call.frames("after", rate: rate)), metadata)
      }),
    Builtin(
      "overlay", group: .structure, "y mixed onto x from at seconds, cut to x's length.",
      parameters: [
        input, BuiltinParameter("y", .audio, "the signal laid over x"),
        BuiltinParameter(
          "at", .number, unit: .seconds, default: .number(0, spelling: "0"), range: .nonNegative,
          "where y starts"),
      ], result: .widestOf(["x", "y"]),
      build: .value { call in
        let (base, metadata) = try await call.audio("x")
        let (top, _) = try await call.audio("y")
        try call.requireSameRate(base, top)
        let at = try await call.frames("at", rate: base.sampleRate)
        return .audio(OverlayNode(base, top, at: at), metadata)
      }),
    Builtin(
      "resample", group: .structure, "The signal at another sample rate (high quality).",
      parameters: [
        input,
        BuiltinParameter(
          "rate", .number, unit: .sampleRate,
          range: ValueRange(lower: .inclusive(1), upper: .inclusive(768_000), isInteger: true),
          "the new sample rate"),
      ], result: .resampled, liftsToStreams: true,
      build: .value { call in
        let rate = try await call.whole("rate")
        if call.isLifted { return .stream(ResampledSource(try await call.stream("x"), to: rate)) }
        let (input, metadata) = try await call.audio("x")
        if input.sampleRate == rate { return .audio(input, metadata) }
        return .audio(try ResampleNode(input, to: rate), metadata)
      }),
  ]

  static let streams: [Builtin] = [
    Builtin(
      "chunk", group: .streams,
      "Cuts a signal into AudioStream chunks with timestamps and chunk_index.",
      parameters: [
        input,
        BuiltinParameter(
          "dur", .number, unit: .seconds, range: .positive, "the length of each chunk"),
        BuiltinParameter(
          "format", .choice(["f32", "s16"]), default: .string("f32"),
          "the chunks' samples: 32-bit float, or 16-bit integers by the float-to-int16 rule"),
      ], result: .chunked,
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let length = try await call.frames("dur", rate: input.sampleRate)
        guard length >= 1 else {
          throw RuntimeError(
            message: "the chunk duration is shorter than one frame",
            range: call.argument("dur").range)
        }
        // A chunk is held whole, as floats and as bytes.
        try call.context.checkMemory(
          frames: length, channels: input.channelCount, width: 8, for: "each chunk")
        let integers = try await call.string("format") == "s16"
        return .stream(
          ChunkerSource(input, framesPerChunk: length, metadata: metadata, integers: integers))
      }),
    Builtin(
      "join", group: .streams, "The chunks of a stream back to one signal.",
      parameters: [BuiltinParameter("s", .stream, "the stream")], result: .joined,
      build: .value { call in
        let facts = call.argument("s").type.audioFacts
        return .audio(
          try await JoinNode.make(
            try await call.stream("s"), sampleRate: facts?.sampleRate,
            channelCount: facts?.channelCount), [:])
      }),
    Builtin(
      "publish", group: .streams, "Sends a stream's chunks to a named channel.",
      parameters: [
        BuiltinParameter("name", .string, "the channel"),
        BuiltinParameter("s", .stream, "the stream"),
      ], result: .unit, effects: BuiltinEffects(publishes: .init(channel: "name", stream: "s")),
      build: .value { call in
        throw call.failure("'publish' must stand alone as a statement")
      }),
    Builtin(
      "subscribe", group: .streams, "The stream of chunks arriving on a named channel.",
      parameters: [BuiltinParameter("name", .string, "the channel")], result: .subscribed,
      effects: BuiltinEffects(readsOnce: .channel(parameter: "name")),
      build: .value { call in
        let name = try await call.string("name")
        return .stream(
          SubscribedSource(try await call.subscription(to: name), name: name, context: call.context)
        )
      }),
    Builtin(
      "input", group: .streams,
      "Raw PCM, or AudioStream chunks as JSON lines, read from standard input as it arrives.",
      parameters: [
        BuiltinParameter(
          "rate", .number, unit: .sampleRate, default: .number(44_100, spelling: "44100"),
          range: ValueRange(lower: .inclusive(1), upper: .inclusive(768_000), isInteger: true),
          "the sample rate"),
        BuiltinParameter(
          "channels", .number, unit: .count, default: .number(1, spelling: "1"),
          range: ValueRange(lower: .inclusive(1), upper: .inclusive(64), isInteger: true),
          "the channel count"),
        BuiltinParameter(
          "format", .choice(["s16", "s32", "f32", "f64", "jsonl"]), default: .string("s16"),
          "the sample format, or jsonl for chunks in the AudioStream JSON form, one a line"),
      ], result: .input, effects: BuiltinEffects(readsOnce: .standardInput),
      build: .value { call in
        let rate = try await call.whole("rate")
        let channels = try await call.whole("channels")
        let formatName = try await call.string("format")
        if formatName == "jsonl" {
          return .stream(
            JSONLinesSource(
              descriptor: call.inputDescriptor, sampleRate: rate, channelCount: channels,
              context: call.context))
        }
        guard let format = InputSource.Format(rawValue: formatName) else {
          throw RuntimeError(
            message: "unknown input format '\(formatName)'", range: call.argument("format").range)
        }
        return .stream(
          InputSource(
            descriptor: call.inputDescriptor, sampleRate: rate, channelCount: channels,
            format: format, framesPerChunk: call.context.blockSize, origin: call.origin(),
            context: call.context))
      }),
  ]

  static let files: [Builtin] = [
    Builtin(
      "read", group: .files, "An audio file (WAV, FLAC, OGG, MP3, AIFF).",
      parameters: [BuiltinParameter("path", .string, "the file")], result: .fileRead,
      build: .value { call in
        let path = try await call.path("path", writing: false).opened
        return .audio(try FileReaderNode(path: path, context: call.context), [:])
      }),
    Builtin(
      "write", group: .files,
      "Writes a signal or stream to a file and passes it on; the format comes from the "
        + "extension, and bitrate:, quality: or compression: set how MP3, Ogg Vorbis or FLAC "
        + "is encoded.",
      parameters: [
        BuiltinParameter("x", .audioOrStream, "what to write"),
        BuiltinParameter("path", .string, "the file"),
        BuiltinParameter(
          "format", .choice(["", "s16", "s24", "s32", "f32"]), default: .string(""),
          "the sample format: from the extension when empty"),
        BuiltinParameter(
          "bitrate", .number, unit: .kilobitsPerSecond,
          default: .absent(spelling: String(EncoderSettings.defaultBitrate(sampleRate: 44_100))),
          range: ValueRange(
            lower: .inclusive(Double(EncoderSettings.mp3Bitrates(sampleRate: nil).first ?? 8)),
            upper: .inclusive(Double(EncoderSettings.mp3Bitrates(sampleRate: nil).last ?? 320)),
            isInteger: true), namedOnly: true,
          "for MP3: the constant bitrate, in the standard steps from 32 to 320 (8 to 160 below "
            + "32 kHz, 8 to 64 below 16 kHz); by default 192, or the most the rate allows"),
        BuiltinParameter(
          "quality", .number,
          default: .absent(spelling: Checker.format(EncoderSettings.defaultQuality)),
          range: ValueRange(
            lower: .inclusive(EncoderSettings.qualityRange.lowerBound),
            upper: .inclusive(EncoderSettings.qualityRange.upperBound)), namedOnly: true,
          "for Ogg Vorbis: 0 (smallest) to 10 (best), the scale of 'oggenc -q'; 4 is "
            + "nominally 128 kbps in stereo"),
        BuiltinParameter(
          "compression", .number, unit: .count,
          default: .absent(spelling: String(EncoderSettings.defaultCompression)),
          range: ValueRange(
            lower: .inclusive(Double(EncoderSettings.compressionRange.lowerBound)),
            upper: .inclusive(Double(EncoderSettings.compressionRange.upperBound)),
            isInteger: true), namedOnly: true,
          "for FLAC: 0 (fastest) to 8 (smallest file); every level decodes to the same samples"),
      ], result: .sameAsInput, effects: BuiltinEffects(writesFile: ("path", .audio)),
      build: .value { call in try await BuiltinRegistry.write(call) }),
  ]

  static let inspection: [Builtin] = [
    Builtin(
      "print", group: .inspection, "Prints a summary of the value and passes it on.",
      parameters: [BuiltinParameter("x", .anyValue, "the value")], result: .sameAsInput,
      effects: BuiltinEffects(prints: true),
      build: .value { call in try await BuiltinRegistry.print(call) }),
    Builtin(
      "tag", group: .inspection, "The value with a metadata entry added to its chunks.",
      parameters: [
        BuiltinParameter("x", .audioOrStream, "the value"),
        BuiltinParameter("key", .string, "the metadata key"),
        BuiltinParameter("value", .anyValue, "the metadata value"),
      ], result: .sameAsInput,
      build: .value { call in
        let key = try await call.string("key")
        let value: MetadataValue
        switch try await call.value("value") {
        case .number(let number):
          value =
            number == number.rounded() && abs(number) < 1e15 ? .int(Int(number)) : .double(number)
        case .string(let text): value = .string(text)
        default: value = .null
        }
        switch try await call.value("x") {
        case .audio(let node, var metadata):
          metadata[key] = value
          return .audio(node, metadata)
        case .stream(let source):
          return .stream(TaggedSource(source, key: key, value: value))
        default:
          throw call.failure("'tag' takes a signal or a stream")
        }
      }),
    Builtin(
      "duration", group: .inspection, "The length in seconds.", parameters: [input],
      result: .number(.time),
      build: .value { call in
        .number(try await Render.drain(try await call.audio("x").0).durationSeconds)
      }),
    Builtin(
      "peak", group: .inspection, "The largest absolute sample in dBFS.", parameters: [input],
      result: .number(.level),
      build: .value { call in .number(try await Render.drain(try await call.audio("x").0).peakDBFS)
      }),
    Builtin(
      "rms", group: .inspection, "The root mean square level in dBFS.", parameters: [input],
      result: .number(.level),
      build: .value { call in .number(try await Render.drain(try await call.audio("x").0).rmsDBFS) }
    ),
    Builtin(
      "plot", group: .inspection, "Writes a waveform picture (PNG) and passes the signal on.",
      parameters: [
        input, BuiltinParameter("path", .string, "the picture file"),
        BuiltinParameter(
          "scale", .choice(["linear", "db"]), default: .string("linear"),
          "the level axis: linear, or db (dBFS from -60 to 0)"),
      ],
      result: .sameAsInput, effects: BuiltinEffects(writesFile: ("path", .picture)),
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let (written, path) = try await call.path("path", writing: true)
        let picture = WaveformPicture(
          sampleRate: input.sampleRate, channelCount: input.channelCount,
          decibels: try await call.string("scale") == "db")
        return .audio(TapNode(input, drawing: picture, to: path, displayPath: written), metadata)
      }),
    Builtin(
      "spectrogram", group: .inspection,
      "Writes a spectrogram (PNG: a lane per channel, log Hz axis, dBFS colour legend) and passes the signal on.",
      parameters: [input, BuiltinParameter("path", .string, "the picture file")],
      result: .sameAsInput, effects: BuiltinEffects(writesFile: ("path", .picture)),
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let (written, path) = try await call.path("path", writing: true)
        let picture = SpectrogramPicture(
          sampleRate: input.sampleRate, channelCount: input.channelCount,
          frameCount: input.frameCount)
        return .audio(TapNode(input, drawing: picture, to: path, displayPath: written), metadata)
      }),
  ]

  static let settings: [Builtin] = [
    Builtin(
      "rate", group: .settings, "Sets the default sample rate of the generators below it.",
      parameters: [
        BuiltinParameter(
          "hz", .number, unit: .sampleRate,
          range: ValueRange(lower: .inclusive(1), upper: .inclusive(768_000), isInteger: true),
          "the sample rate")
      ], result: .unit, effects: BuiltinEffects(setting: .sampleRate),
      build: .value { _ in .unit })
  ]
}

extension BuiltinRegistry {
  /// The builtin name nearest to `name`, for "did you mean".
  public static func suggestion(for name: String) -> String? {
    Spelling.nearest(to: name, among: all.map(\.name))
  }
}
