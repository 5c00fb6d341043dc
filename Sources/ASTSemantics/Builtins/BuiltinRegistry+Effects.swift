import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of delay, reverb, compression and distortion.
extension BuiltinRegistry {
  /// How long an effect rings on after its input ends; by default until it falls below
  /// -90 dBFS.
  static let tailParameter = BuiltinParameter(
    EffectTail.parameter, .number, default: .absent(spelling: "until silent"), namedOnly: true)

  static let effects: [Builtin] = [
    Builtin(
      "delay", group: .timeAndSpace,
      "A feedback delay: (1 - mix) * x + mix * w, w[n] = x[n - T] + feedback * w[n - T]. "
        + "The echoes ring on after the input ends (see tail); on a stream each chunk keeps "
        + "its length.",
      parameters: [
        input, BuiltinParameter(DelayNode.time, .number),
        BuiltinParameter(DelayNode.feedback, .number),
        BuiltinParameter(DelayNode.mix, .number), tailParameter,
      ], result: .sameAsInput, liftsToStreams: true, effects: BuiltinEffects(hasTail: true),
      build: .effect { call, input in
        let rate = input.sampleRate
        return try DelayNode(
          input, delayFrames: try await call.frames("time", rate: rate),
          feedback: try await call.number("feedback"), mix: try await call.number("mix"),
          tail: try await call.tail(after: input))
      }),
    Builtin(
      "reverb", group: .timeAndSpace,
      "A Freeverb-style reverb. It rings on after the input ends (see tail); on a stream "
        + "each chunk keeps its length.",
      parameters: [
        input, BuiltinParameter(ReverbNode.room, .number),
        BuiltinParameter(ReverbNode.damp, .number), BuiltinParameter(ReverbNode.wet, .number),
        tailParameter,
      ], result: .sameAsInput, liftsToStreams: true, effects: BuiltinEffects(hasTail: true),
      build: .effect { call, input in
        try ReverbNode(
          input, room: try await call.number("room"), damp: try await call.number("damp"),
          wet: try await call.number("wet"), tail: try await call.tail(after: input))
      }),
    Builtin(
      "drive", group: .dynamics,
      "A tanh waveshaper: tanh(amount * x) / amount, so a small signal passes with gain 1 and "
        + "a loud one is rounded off below 1 / amount.",
      parameters: [
        input,
        BuiltinParameter(
          DriveNode.amount, .signal,
          summary: "how hard the signal is driven; an Audio modulates it"),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        DriveNode(input, amount: try await call.modulation("amount"))
      }),
    Builtin(
      "compress", group: .dynamics, "A compressor.",
      parameters: [
        input,
        BuiltinParameter(CompressorNode.threshold, .number, name: "threshold_db"),
        BuiltinParameter(CompressorNode.ratio, .number),
        BuiltinParameter(CompressorNode.attack, .number, spelling: "5ms"),
        BuiltinParameter(CompressorNode.release, .number, spelling: "50ms"),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in
        CompressorNode(
          input, thresholdDB: try await call.number("threshold_db"),
          ratio: try await call.number("ratio"), attack: try await call.number("attack"),
          release: try await call.number("release"))
      }),
  ]
}
