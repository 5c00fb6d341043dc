import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of structure: cutting and joining signals.
extension BuiltinRegistry {
  static let structure: [Builtin] = [
    Builtin(
      "concat", group: .structure, "Signals one after another.",
      parameters: [BuiltinParameter("xs", .audioList, "the signals")], result: .fromList,
      build: .value { call in
        let signals = try await call.signals("xs")
        _ = try SignalLength.sum(
          signals.map(\.frameCount), of: "the concatenated signal",
          sampleRate: signals[0].sampleRate)
        return .audio(try ConcatNode(signals), [:])
      }),
    Builtin(
      "slice", group: .structure, "The part [start, end) in seconds, clamped to the signal.",
      parameters: [
        input, BuiltinParameter(SliceNode.start, .number), BuiltinParameter(SliceNode.end, .number),
      ], result: .sameAsInput, effects: BuiltinEffects(changesLength: true),
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
      ], result: .sameAsInput, effects: BuiltinEffects(changesLength: true),
      build: .value { call in
        let count = max(0, try await call.whole("n"))
        let factory = call.rebuilding("x")
        // The first repetition is built here, to know how long the whole is.
        var first: AudioNode? = try await factory()
        if let node = first, let length = node.frameCount {
          _ = try SignalLength.product(
            length, times: count, of: "the repeated signal", sampleRate: node.sampleRate)
          // Repetitions of nothing are nothing, however many.
          if length == 0 { return .audio(node, [:]) }
        }
        return .audio(
          try await RepeatNode.make(
            factory: { try await BuiltinRegistry.take(&first, factory) }, count: count), [:])
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
      ], result: .sameAsInput, effects: BuiltinEffects(changesLength: true),
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let rate = input.sampleRate
        let before = try await call.frames("before", rate: rate)
        let after = try await call.frames("after", rate: rate)
        _ = try SignalLength.sum(
          [input.frameCount, before, after], of: "the padded signal", sampleRate: rate)
        return .audio(PadNode(input, before: before, after: after), metadata)
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

  /// The node held in `held`, taken out of it, else a new one from `factory`: a factory
  /// whose first node was built before it was handed on.
  static func take(_ held: inout AudioNode?, _ factory: NodeFactory) async throws -> AudioNode {
    if let node = held {
      held = nil
      return node
    }
    return try await factory()
  }
}
