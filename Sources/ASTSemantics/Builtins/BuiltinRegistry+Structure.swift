import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of structure: cutting and joining signals.
extension BuiltinRegistry {
  static let structure: [Builtin] = [
    Builtin(
      "concat", group: .structure, "Signals one after another.",
      parameters: [BuiltinParameter("xs", .audioList, "the signals")], result: .fromList,
      build: .value { call in .audio(ConcatNode(try await call.signals("xs")), [:]) }),
    Builtin(
      "slice", group: .structure, "The part [start, end) in seconds, clamped to the signal.",
      parameters: [
        input, BuiltinParameter(SliceNode.start, .number), BuiltinParameter(SliceNode.end, .number),
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
        BuiltinParameter(RepeatNode.count, .number, name: "n"),
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
        input, BuiltinParameter(PadNode.before, .number), BuiltinParameter(PadNode.after, .number),
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
        BuiltinParameter(OverlayNode.offset, .number, name: "at", summary: "where y starts"),
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
        BuiltinParameter(ResampleNode.rate, .number),
      ], result: .resampled, liftsToStreams: true,
      build: .value { call in
        let rate = try await call.whole("rate")
        if call.isLifted { return .stream(ResampledSource(try await call.stream("x"), to: rate)) }
        let (input, metadata) = try await call.audio("x")
        if input.sampleRate == rate { return .audio(input, metadata) }
        return .audio(try ResampleNode(input, to: rate), metadata)
      }),
  ]
}
