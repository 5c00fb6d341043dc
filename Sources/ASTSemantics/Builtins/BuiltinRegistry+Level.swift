import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of level: gain, mixing and channels.
extension BuiltinRegistry {
  static let level: [Builtin] = [
    Builtin(
      "gain", group: .level, "Multiplies the signal: x * g (use -6db for decibels).",
      parameters: [input, BuiltinParameter(GainNode.gain, .signal, name: "g")],
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
        BuiltinParameter(PanNode.position, .signal, name: "pos"),
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
        BuiltinParameter(MaterializedNode.peak, .number, spelling: "-1db"),
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
        BuiltinParameter(ClipNode.limit, .number, spelling: "1.0"),
      ], result: .sameAsInput, liftsToStreams: true,
      build: .effect { call, input in ClipNode(input, limit: try await call.number("limit")) }),
  ]
}
