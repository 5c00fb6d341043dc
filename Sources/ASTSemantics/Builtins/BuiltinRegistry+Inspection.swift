import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of inspection: printing, tagging, measuring and pictures.
extension BuiltinRegistry {
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
      result: .sameAsInput,
      effects: BuiltinEffects(writesFile: .init(parameter: "path", kind: .picture)),
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let (written, path) = try await call.path("path", writing: true)
        let picture = WaveformPicture(
          sampleRate: input.sampleRate, channelCount: input.channelCount,
          decibels: try await call.string("scale") == "db", memory: call.context.memory)
        return .audio(
          try TapNode(input, drawing: picture, to: path, displayPath: written), metadata)
      }),
    Builtin(
      "spectrogram", group: .inspection,
      "Writes a spectrogram (PNG: a lane per channel, log Hz axis, dBFS colour legend) and passes the signal on.",
      parameters: [input, BuiltinParameter("path", .string, "the picture file")],
      result: .sameAsInput,
      effects: BuiltinEffects(
        writesFile: .init(parameter: "path", kind: .picture),
        lowestInputRate: .init(
          SpectrogramPicture.lowestSampleRate,
          "its frequency axis runs from \(Int(SpectrogramPicture.lowestFrequency)) Hz up to half "
            + "the sample rate")),
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let (written, path) = try await call.path("path", writing: true)
        let picture = SpectrogramPicture(
          sampleRate: input.sampleRate, channelCount: input.channelCount,
          frameCount: input.frameCount, memory: call.context.memory)
        return .audio(
          try TapNode(input, drawing: picture, to: path, displayPath: written), metadata)
      }),
  ]
}
