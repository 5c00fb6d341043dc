import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of generators: oscillators and noise.
extension BuiltinRegistry {
  /// The builder of an oscillator whose waveform and start phase `shape` reads.
  static func oscillator(
    _ shape: @escaping @Sendable (any BuiltinCall) async throws -> (Waveform, Double)
  ) -> BuiltinBuild {
    .value { call in
      let rate = try await call.whole("rate")
      let length = try await call.frames("dur", rate: rate)
      let (waveform, phase) = try await shape(call)
      return .audio(
        OscillatorNode(
          waveform: waveform, frequency: try await call.modulation("freq"),
          amplitude: try await call.modulation("amp"), phase: phase, sampleRate: rate,
          frameCount: length, context: call.context), [:])
    }
  }

  static let generators: [Builtin] = [
    Builtin(
      "sine", group: .generators, "A sine wave: amp * sin(2 pi f n / rate + phase).",
      parameters: [
        frequency, duration,
        BuiltinParameter(OscillatorNode.phase, .number),
        generatorRate, amplitude,
      ], result: .generator,
      build: oscillator { call in (.sine, try await call.number("phase")) }),
    Builtin(
      "square", group: .generators, "A band-limited square wave.",
      parameters: [
        frequency, duration,
        BuiltinParameter(OscillatorNode.width, .number),
        generatorRate, amplitude,
      ], result: .generator,
      build: oscillator { call in (.square(width: try await call.number("width")), 0) }),
    Builtin(
      "saw", group: .generators, "A band-limited rising sawtooth wave.",
      parameters: [frequency, duration, generatorRate, amplitude], result: .generator,
      build: oscillator { _ in (.saw, 0) }),
    Builtin(
      "triangle", group: .generators, "A triangle wave.",
      parameters: [frequency, duration, generatorRate, amplitude], result: .generator,
      build: oscillator { _ in (.triangle, 0) }),
    Builtin(
      "noise", group: .generators, "Seeded noise: the same seed gives the same samples.",
      parameters: [
        duration,
        BuiltinParameter(
          "color", .choice(["white", "pink", "brown"]), default: .string("white"),
          "white, pink or brown"),
        BuiltinParameter(NoiseNode.seed, .number),
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
        BuiltinParameter(SweepNode.from, .signal), BuiltinParameter(SweepNode.to, .signal),
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
}
