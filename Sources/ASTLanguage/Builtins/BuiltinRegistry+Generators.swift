import ASTCore
import ASTEngine

/// The builtins of generators: oscillators and noise.
extension BuiltinRegistry {
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
}
