import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of streams: chunks, channels and standard input.
extension BuiltinRegistry {
  static let streams: [Builtin] = [
    Builtin(
      "chunk", group: .streams,
      "Cuts a signal into AudioStream chunks with timestamps and chunk_index.",
      parameters: [
        input,
        BuiltinParameter(ChunkerSource.duration, .number, name: "dur"),
        BuiltinParameter(
          "format", .choice(["f32", "s16"]), default: .string("f32"),
          "the chunks' samples: 32-bit float, or 16-bit integers by the float-to-int16 rule"),
      ], result: .chunked,
      build: .value { call in
        let (input, metadata) = try await call.audio("x")
        let length = try await call.frames("dur", rate: input.sampleRate)
        guard length >= 1 else {
          throw RuntimeError(
            message: "the chunk duration is shorter than one frame",
            range: call.argument("dur").range)
        }
        let integers = try await call.string("format") == "s16"
        return .stream(
          try ChunkerSource(input, framesPerChunk: length, metadata: metadata, integers: integers))
      }),
    Builtin(
      "join", group: .streams, "The chunks of a stream back to one signal.",
      parameters: [BuiltinParameter("s", .stream, "the stream")], result: .joined,
      build: .value { call in
        let facts = call.argument("s").type.audioFacts
        return .audio(
          try await JoinNode.make(
            try await call.stream("s"), sampleRate: facts?.sampleRate,
            channelCount: facts?.channelCount), [:])
      }),
    Builtin(
      "publish", group: .streams, "Sends a stream's chunks to a named channel.",
      parameters: [
        BuiltinParameter("name", .string, "the channel"),
        BuiltinParameter("s", .stream, "the stream"),
      ], result: .unit, effects: BuiltinEffects(publishes: .init(channel: "name", stream: "s")),
      build: .value { call in
        throw call.failure("'publish' must stand alone as a statement")
      }),
    Builtin(
      "subscribe", group: .streams, "The stream of chunks arriving on a named channel.",
      parameters: [BuiltinParameter("name", .string, "the channel")], result: .subscribed,
      effects: BuiltinEffects(readsOnce: .channel(parameter: "name")),
      build: .value { call in
        let name = try await call.string("name")
        return .stream(
          SubscribedSource(try await call.subscription(to: name), name: name, context: call.context)
        )
      }),
    Builtin(
      "input", group: .streams,
      "Raw PCM, or AudioStream chunks as JSON lines, read from standard input as it arrives; "
        + "with device:, what an ALSA capture device (a microphone, a line in) hears.",
      parameters: [
        BuiltinParameter(InputSource.sampleRate, .number, name: "rate"),
        BuiltinParameter(InputSource.channelCount, .number, name: "channels"),
        BuiltinParameter(
          "format", .choice(["s16", "s32", "f32", "f64", "jsonl"]), default: .string("s16"),
          "the sample format, or jsonl for chunks in the AudioStream JSON form, one a line "
            + "(standard input only: a device gives 32-bit floats)"),
        BuiltinParameter(
          "device", .string, default: .string(""),
          "an ALSA capture device ('default', 'hw:1', 'pulse'; 'ast devices' lists them) to "
            + "read instead of standard input; it does not end by itself, so bound it "
            + "('slice')"),
      ], result: .input, effects: BuiltinEffects(readsOnce: .standardInput),
      build: .value { call in
        let rate = try await call.whole("rate")
        let channels = try await call.whole("channels")
        let formatName = try await call.string("format")
        let device = try await call.string("device")
        if !device.isEmpty {
          guard formatName == "s16" else {
            throw RuntimeError(
              message: "'format' is for standard input: a capture device gives 32-bit floats",
              range: call.argument("format").range)
          }
          return .stream(
            try DeviceInputSource(
              device: device, sampleRate: rate, channelCount: channels, origin: call.origin(),
              context: call.context))
        }
        if formatName == "jsonl" {
          return .stream(
            try JSONLinesSource(
              descriptor: call.inputDescriptor, sampleRate: rate, channelCount: channels,
              context: call.context))
        }
        guard let format = InputSource.Format(rawValue: formatName) else {
          throw RuntimeError(
            message: "unknown input format '\(formatName)'", range: call.argument("format").range)
        }
        return .stream(
          try InputSource(
            descriptor: call.inputDescriptor, sampleRate: rate, channelCount: channels,
            format: format, framesPerChunk: call.context.blockSize, origin: call.origin(),
            context: call.context))
      }),
  ]
}
