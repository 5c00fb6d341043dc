import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of envelopes and fades.
extension BuiltinRegistry {
  static let envelopes: [Builtin] = [
    Builtin(
      "adsr", group: .envelopes,
      "A linear attack-decay-sustain-release gain envelope; the release ends with the signal.",
      parameters: [
        input, BuiltinParameter(EnvelopeNode.attack, .number),
        BuiltinParameter(EnvelopeNode.decay, .number),
        BuiltinParameter(EnvelopeNode.sustain, .number),
        BuiltinParameter(EnvelopeNode.release, .number),
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
      parameters: [input, BuiltinParameter(EnvelopeNode.fade, .number, name: "dur")],
      result: .sameAsInput,
      liftsToStreams: true, effects: BuiltinEffects(timesFitInput: true),
      build: .effect { call, input in
        EnvelopeNode(
          input, shape: .fadeIn(frames: try await call.frames("dur", rate: input.sampleRate)))
      }),
    Builtin(
      "fadeout", group: .envelopes, "A linear fade to silence over the last dur seconds.",
      parameters: [input, BuiltinParameter(EnvelopeNode.fade, .number, name: "dur")],
      result: .sameAsInput,
      effects: BuiltinEffects(timesFitInput: true),
      build: .value { call in
        var (input, metadata) = try await call.audio("x")
        if input.frameCount == nil { input = try await MaterializedNode.make(input) }
        let length = min(
          try await call.frames("dur", rate: input.sampleRate), input.frameCount ?? 0)
        return .audio(EnvelopeNode(input, shape: .fadeOut(frames: length)), metadata)
      }),
  ]

}
