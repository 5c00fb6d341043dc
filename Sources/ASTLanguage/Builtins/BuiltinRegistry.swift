import ASTCore

/// The evaluator entry of each builtin: one case per builtin, so the evaluator's
/// dispatch is an exhaustive switch.
public enum BuiltinOperation: String, Sendable, CaseIterable {
  // swift-format-ignore
  case sine, square, saw, triangle, noise, silence, sweep
  // swift-format-ignore
  case gain, mix, pan, stereo, mono, normalize, clip
  // swift-format-ignore
  case lowpass, highpass, bandpass, notch, eq, lowshelf, highshelf
  // swift-format-ignore
  case adsr, fadein, fadeout, delay, reverb, compress
  // swift-format-ignore
  case concat, slice, `repeat`, reverse, pad, overlay, resample
  // swift-format-ignore
  case chunk, join, publish, subscribe, input, read, write
  // swift-format-ignore
  case print, tag, duration, peak, rms, plot, spectrogram, rate
}

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

  /// The builtins by operation.
  static let byOperation: [BuiltinOperation: Builtin] = Dictionary(
    all.map { ($0.operation, $0) }, uniquingKeysWith: { first, _ in first })

  /// The builtin of `operation`.
  static func builtin(for operation: BuiltinOperation) -> Builtin? {
    byOperation[operation]
  }

  /// The effects of `operation`'s builtin.
  static func effects(of operation: BuiltinOperation) -> BuiltinEffects {
    byOperation[operation]?.effects ?? .none
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
      ], result: .generator),
    Builtin(
      "square", group: .generators, "A band-limited square wave.",
      parameters: [
        frequency, duration,
        BuiltinParameter(
          "width", .number, default: .number(0.5, spelling: "0.5"),
          range: ValueRange(lower: .exclusive(0), upper: .exclusive(1)),
          "the fraction of each period spent high"),
        generatorRate, amplitude,
      ], result: .generator),
    Builtin(
      "saw", group: .generators, "A band-limited rising sawtooth wave.",
      parameters: [frequency, duration, generatorRate, amplitude], result: .generator),
    Builtin(
      "triangle", group: .generators, "A triangle wave.",
      parameters: [frequency, duration, generatorRate, amplitude], result: .generator),
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
      ], result: .generator),
    Builtin(
      "silence", group: .generators, "Silence.", parameters: [duration, generatorRate, amplitude],
      result: .generator),
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
      ], result: .generator),
  ]

  static let level: [Builtin] = [
    Builtin(
      "gain", group: .level, "Multiplies the signal: x * g (use -6db for decibels).",
      parameters: [input, BuiltinParameter("g", .signal, unit: .gain, "the linear gain")],
      result: .sameAsInput, liftsToStreams: true),
    Builtin(
      "mix", group: .level, "The sum of signals, as long as the longest; no normalisation.",
      parameters: [BuiltinParameter("xs", .audioList, "the signals")], result: .fromList),
    Builtin(
      "pan", group: .level, "Equal-power panning of a mono signal, or balance of a stereo one.",
      parameters: [
        input,
        BuiltinParameter(
          "pos", .signal, range: ValueRange(lower: .inclusive(-1), upper: .inclusive(1)),
          "-1 left, 0 centre, 1 right"),
      ], result: .stereoOfInput, liftsToStreams: true),
    Builtin(
      "stereo", group: .level, "Two signals as left and right, padded to the longer.",
      parameters: [
        BuiltinParameter("left", .audio, "the left channel"),
        BuiltinParameter("right", .audio, "the right channel"),
      ], result: .stereoPair),
    Builtin(
      "mono", group: .level, "The mean of the channels.", parameters: [input],
      result: .monoOfInput, liftsToStreams: true),
    Builtin(
      "normalize", group: .level, "Scales the signal so its largest sample is the peak.",
      parameters: [
        input,
        BuiltinParameter(
          "peak", .number, unit: .gain,
          default: .number(AudioSegment.linearGain(decibels: -1), spelling: "-1db"),
          range: .positive, "the target peak"),
      ], result: .sameAsInput, effects: BuiltinEffects(holdsWholeSignal: true)),
    Builtin(
      "clip", group: .level, "Hard clipping at the limit.",
      parameters: [
        input,
        BuiltinParameter(
          "limit", .number, unit: .gain, default: .number(1, spelling: "1.0"), range: .positive,
          "the largest absolute sample"),
      ], result: .sameAsInput, liftsToStreams: true),
  ]

  private static func filter(
    _ name: String, _ summary: String, _ frequencyName: String, q: Double, qSpelling: String
  ) -> Builtin {
    Builtin(
      name, group: .filters, summary,
      parameters: [
        input,
        BuiltinParameter(
          frequencyName, .signal, unit: .hertz, range: .audible,
          "the \(frequencyName == "cutoff" ? "cutoff" : "centre") frequency; an Audio sweeps it"),
        qualityFactor(q, qSpelling),
      ], result: .sameAsInput, liftsToStreams: true)
  }

  private static func shelf(_ name: String, _ summary: String, q: Double, qSpelling: String)
    -> Builtin
  {
    Builtin(
      name, group: .filters, summary,
      parameters: [
        input,
        BuiltinParameter(
          "freq", .signal, unit: .hertz, range: .audible, "the corner frequency"),
        BuiltinParameter("gain_db", .number, unit: .decibels, "the gain in decibels"),
        qualityFactor(q, qSpelling),
      ], result: .sameAsInput, liftsToStreams: true)
  }

  static let filters: [Builtin] = [
    filter("lowpass", "RBJ low-pass biquad.", "cutoff", q: 0.7071, qSpelling: "0.7071"),
    filter("highpass", "RBJ high-pass biquad.", "cutoff", q: 0.7071, qSpelling: "0.7071"),
    filter(
      "bandpass", "RBJ band-pass biquad (constant 0 dB peak gain).", "center", q: 1,
      qSpelling: "1.0"),
    filter("notch", "RBJ notch biquad.", "center", q: 1, qSpelling: "1.0"),
    Builtin(
      "eq", group: .filters, "RBJ peaking EQ biquad.",
      parameters: [
        input,
        BuiltinParameter("freq", .signal, unit: .hertz, range: .audible, "the centre frequency"),
        BuiltinParameter("gain_db", .number, unit: .decibels, "the gain in decibels"),
        qualityFactor(1, "1.0"),
      ], result: .sameAsInput, liftsToStreams: true),
    shelf("lowshelf", "RBJ low-shelf biquad.", q: 0.7071, qSpelling: "0.7071"),
    shelf("highshelf", "RBJ high-shelf biquad.", q: 0.7071, qSpelling: "0.7071"),
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
      ], result: .sameAsInput),
    Builtin(
      "fadein", group: .envelopes, "A linear fade from silence over the first dur seconds.",
      parameters: [input, time("dur", "the length of the fade")], result: .sameAsInput,
      liftsToStreams: true),
    Builtin(
      "fadeout", group: .envelopes, "A linear fade to silence over the last dur seconds.",
      parameters: [input, time("dur", "the length of the fade")], result: .sameAsInput),
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
      ], result: .sameAsInput, liftsToStreams: true, effects: BuiltinEffects(hasTail: true)),
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
      ], result: .sameAsInput, liftsToStreams: true, effects: BuiltinEffects(hasTail: true)),
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
      ], result: .sameAsInput, liftsToStreams: true),
  ]

  static let structure: [Builtin] = [
    Builtin(
      "concat", group: .structure, "Signals one after another.",
      parameters: [BuiltinParameter("xs", .audioList, "the signals")], result: .fromList),
    Builtin(
      "slice", group: .structure, "The part [start, end) in seconds, clamped to the signal.",
      parameters: [
        input, time("start", "where the part starts"), time("end", "where the part ends"),
      ], result: .sameAsInput),
    Builtin(
      "repeat", group: .structure, "The signal n times in a row.",
      parameters: [
        input,
        BuiltinParameter(
          "n", .number, unit: .count, range: ValueRange(lower: .inclusive(0), isInteger: true),
          "how many times"),
      ], result: .sameAsInput),
    Builtin(
      "reverse", group: .structure, "The signal backwards.", parameters: [input],
      result: .sameAsInput, effects: BuiltinEffects(holdsWholeSignal: true)),
    Builtin(
      "pad", group: .structure, "Silence before and after the signal.",
      parameters: [
        input, time("before", "the silence before"), time("after", "the silence after"),
      ], result: .sameAsInput),
    Builtin(
      "overlay", group: .structure, "y mixed onto x from at seconds, cut to x's length.",
      parameters: [
        input, BuiltinParameter("y", .audio, "the signal laid over x"),
        BuiltinParameter(
          "at", .number, unit: .seconds, default: .number(0, spelling: "0"), range: .nonNegative,
          "where y starts"),
      ], result: .widestOf(["x", "y"])),
    Builtin(
      "resample", group: .structure, "The signal at another sample rate (high quality).",
      parameters: [
        input,
        BuiltinParameter(
          "rate", .number, unit: .sampleRate,
          range: ValueRange(lower: .inclusive(1), upper: .inclusive(768_000), isInteger: true),
          "the new sample rate"),
      ], result: .resampled, liftsToStreams: true),
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
      ], result: .chunked),
    Builtin(
      "join", group: .streams, "The chunks of a stream back to one signal.",
      parameters: [BuiltinParameter("s", .stream, "the stream")], result: .joined),
    Builtin(
      "publish", group: .streams, "Sends a stream's chunks to a named channel.",
      parameters: [
        BuiltinParameter("name", .string, "the channel"),
        BuiltinParameter("s", .stream, "the stream"),
      ], result: .unit, effects: BuiltinEffects(publishes: .init(channel: "name", stream: "s"))),
    Builtin(
      "subscribe", group: .streams, "The stream of chunks arriving on a named channel.",
      parameters: [BuiltinParameter("name", .string, "the channel")], result: .subscribed,
      effects: BuiltinEffects(readsOnce: .channel(parameter: "name"))),
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
      ], result: .input, effects: BuiltinEffects(readsOnce: .standardInput)),
  ]

  static let files: [Builtin] = [
    Builtin(
      "read", group: .files, "An audio file (WAV, FLAC, OGG, MP3, AIFF).",
      parameters: [BuiltinParameter("path", .string, "the file")], result: .fileRead),
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
      ], result: .sameAsInput, effects: BuiltinEffects(writesFile: ("path", .audio))),
  ]

  static let inspection: [Builtin] = [
    Builtin(
      "print", group: .inspection, "Prints a summary of the value and passes it on.",
      parameters: [BuiltinParameter("x", .anyValue, "the value")], result: .sameAsInput,
      effects: BuiltinEffects(prints: true)),
    Builtin(
      "tag", group: .inspection, "The value with a metadata entry added to its chunks.",
      parameters: [
        BuiltinParameter("x", .audioOrStream, "the value"),
        BuiltinParameter("key", .string, "the metadata key"),
        BuiltinParameter("value", .anyValue, "the metadata value"),
      ], result: .sameAsInput),
    Builtin(
      "duration", group: .inspection, "The length in seconds.", parameters: [input],
      result: .number(.time)),
    Builtin(
      "peak", group: .inspection, "The largest absolute sample in dBFS.", parameters: [input],
      result: .number(.level)),
    Builtin(
      "rms", group: .inspection, "The root mean square level in dBFS.", parameters: [input],
      result: .number(.level)),
    Builtin(
      "plot", group: .inspection, "Writes a waveform picture (PNG) and passes the signal on.",
      parameters: [
        input, BuiltinParameter("path", .string, "the picture file"),
        BuiltinParameter(
          "scale", .choice(["linear", "db"]), default: .string("linear"),
          "the level axis: linear, or db (dBFS from -60 to 0)"),
      ],
      result: .sameAsInput, effects: BuiltinEffects(writesFile: ("path", .picture))),
    Builtin(
      "spectrogram", group: .inspection,
      "Writes a spectrogram (PNG: a lane per channel, log Hz axis, dBFS colour legend) and passes the signal on.",
      parameters: [input, BuiltinParameter("path", .string, "the picture file")],
      result: .sameAsInput, effects: BuiltinEffects(writesFile: ("path", .picture))),
  ]

  static let settings: [Builtin] = [
    Builtin(
      "rate", group: .settings, "Sets the default sample rate of the generators below it.",
      parameters: [
        BuiltinParameter(
          "hz", .number, unit: .sampleRate,
          range: ValueRange(lower: .inclusive(1), upper: .inclusive(768_000), isInteger: true),
          "the sample rate")
      ], result: .unit, effects: BuiltinEffects(setting: .sampleRate))
  ]
}

extension BuiltinRegistry {
  /// The builtin name nearest to `name`, for "did you mean".
  public static func suggestion(for name: String) -> String? {
    Spelling.nearest(to: name, among: all.map(\.name))
  }
}
