import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of delay, reverb, compression and distortion.
extension BuiltinRegistry {
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
}
