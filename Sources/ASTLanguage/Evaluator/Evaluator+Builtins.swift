import ASTCore
import ASTEngine
import Foundation

extension Evaluator {
  // MARK: Builtins

  func builtin(
    _ operation: BuiltinOperation, _ values: [TypedExpr], lifted: Bool,
    in environment: Environment, range: SourceRange
  ) async throws -> RuntimeValue {
    let arguments = CallArguments(operation: operation, values: values, range: range)
    switch operation {
    case .sine, .square, .saw, .triangle, .noise, .silence, .sweep:
      return .audio(try await generator(operation, arguments, in: environment), [:])

    case .gain, .pan, .mono, .clip, .lowpass, .highpass, .bandpass, .notch, .eq, .lowshelf,
      .highshelf, .fadein, .delay, .reverb, .compress:
      if lifted {
        let source = try await stream(arguments["x"], in: environment)
        return .stream(
          LiftedSource(source) { input in
            try await self.effect(
              operation, input: input, arguments, lifted: true, in: environment, range: range)
          })
      }
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      return .audio(
        try await effect(
          operation, input: input, arguments, lifted: false, in: environment, range: range),
        metadata)

    case .resample:
      let rate = try await whole(arguments["rate"], in: environment)
      if lifted {
        return .stream(ResampledSource(try await stream(arguments["x"], in: environment), to: rate))
      }
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      if input.sampleRate == rate { return .audio(input, metadata) }
      return .audio(try ResampleNode(input, to: rate), metadata)

    case .mix, .concat:
      guard case .list(let items) = try await evaluate(arguments["xs"], in: environment) else {
        throw RuntimeError(message: "expected a list of signals", range: arguments["xs"].range)
      }
      let nodes = try items.map { item -> AudioNode in
        guard case .audio(let node, _) = item else {
          throw RuntimeError(message: "expected a list of signals", range: arguments["xs"].range)
        }
        return node
      }
      guard let first = nodes.first, nodes.allSatisfy({ $0.sampleRate == first.sampleRate }) else {
        throw RuntimeError(
          message:
            "the signals of '\(operation.rawValue)' have different sample rates; resample them",
          range: range)
      }
      return .audio(operation == .mix ? MixNode(nodes) : ConcatNode(nodes), [:])

    case .stereo:
      let (left, metadata) = try await audio(arguments["left"], in: environment)
      let (right, _) = try await audio(arguments["right"], in: environment)
      try requireSameRate(left, right, range: range)
      return .audio(
        StereoNode(left: MonoNode.ifNeeded(left), right: MonoNode.ifNeeded(right)), metadata)

    case .normalize:
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      let peak = try await number(arguments["peak"], in: environment)
      return .audio(try await MaterializedNode.make(input, normalizeTo: peak), metadata)

    case .adsr, .fadeout:
      var (input, metadata) = try await audio(arguments["x"], in: environment)
      if input.frameCount == nil { input = try await MaterializedNode.make(input) }
      let rate = input.sampleRate
      let shape: EnvelopeShape
      if operation == .fadeout {
        let length = min(
          frames(try await number(arguments["dur"], in: environment), rate), input.frameCount ?? 0)
        shape = .fadeOut(frames: length)
      } else {
        shape = .adsr(
          attack: frames(try await number(arguments["attack"], in: environment), rate),
          decay: frames(try await number(arguments["decay"], in: environment), rate),
          sustain: try await number(arguments["sustain"], in: environment),
          release: min(
            frames(try await number(arguments["release"], in: environment), rate),
            input.frameCount ?? 0))
      }
      return .audio(EnvelopeNode(input, shape: shape), metadata)

    case .slice:
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      let rate = input.sampleRate
      let start = frames(try await number(arguments["start"], in: environment), rate)
      let end = frames(try await number(arguments["end"], in: environment), rate)
      return .audio(SliceNode(input, start: start, end: end), metadata)

    case .repeat:
      let count = try await whole(arguments["n"], in: environment)
      let recipe = arguments["x"]
      let node = try await RepeatNode.make(
        factory: {
          // Each repetition is a fresh build; it does not count toward the node limit.
          self.state.withLock { $0.nodesBuilt = 0 }
          return try await self.audio(recipe, in: environment).0
        }, count: max(0, count))
      return .audio(node, [:])

    case .reverse:
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      return .audio(try await MaterializedNode.make(input, reversed: true), metadata)

    case .pad:
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      let rate = input.sampleRate
      return .audio(
        PadNode(
          input, before: frames(try await number(arguments["before"], in: environment), rate),
          after: frames(try await number(arguments["after"], in: environment), rate)), metadata)

    case .overlay:
      let (base, metadata) = try await audio(arguments["x"], in: environment)
      let (top, _) = try await audio(arguments["y"], in: environment)
      try requireSameRate(base, top, range: range)
      let at = frames(try await number(arguments["at"], in: environment), base.sampleRate)
      return .audio(OverlayNode(base, top, at: at), metadata)

    case .chunk:
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      let length = frames(try await number(arguments["dur"], in: environment), input.sampleRate)
      guard length >= 1 else {
        throw RuntimeError(
          message: "the chunk duration is shorter than one frame", range: arguments["dur"].range)
      }
      // A chunk is held whole, as floats and as bytes.
      try context.checkMemory(
        frames: length, channels: input.channelCount, width: 8, for: "each chunk")
      let format = try await string(arguments["format"], in: environment)
      return .stream(
        ChunkerSource(
          input, framesPerChunk: length, metadata: metadata, integers: format == "s16"))

    case .join:
      let facts = arguments["s"].type.audioFacts
      return .audio(
        try await JoinNode.make(
          try await stream(arguments["s"], in: environment), sampleRate: facts?.sampleRate,
          channelCount: facts?.channelCount), [:])

    case .subscribe:
      let name = try await string(arguments["name"], in: environment)
      let waiting = state.withLock { state -> Subscription? in
        guard var queue = state.presubscribed[range.start], !queue.isEmpty else { return nil }
        let first = queue.removeFirst()
        state.presubscribed[range.start] = queue
        return first
      }
      let subscription: Subscription
      if let waiting {
        subscription = waiting
      } else {
        subscription = try await processing.channels.subscribe(to: name)
      }
      return .stream(SubscribedSource(subscription, name: name, context: context))

    case .publish:
      throw RuntimeError(message: "'publish' must stand alone as a statement", range: range)

    case .input:
      let rate = try await whole(arguments["rate"], in: environment)
      let channels = try await whole(arguments["channels"], in: environment)
      let formatName = try await string(arguments["format"], in: environment)
      if formatName == "jsonl" {
        return .stream(
          JSONLinesSource(
            descriptor: options.inputDescriptor, sampleRate: rate, channelCount: channels,
            context: context))
      }
      guard let format = InputSource.Format(rawValue: formatName) else {
        throw RuntimeError(
          message: "unknown input format '\(formatName)'", range: arguments["format"].range)
      }
      return .stream(
        InputSource(
          descriptor: options.inputDescriptor, sampleRate: rate, channelCount: channels,
          format: format,
          framesPerChunk: context.blockSize, origin: origin(range), context: context))

    case .read:
      let path = try resolve(
        try await string(arguments["path"], in: environment), at: arguments["path"].range)
      return .audio(try FileReaderNode(path: path, context: context), [:])

    case .write:
      return try await write(arguments, in: environment, range: range)

    case .print:
      return try await printValue(arguments["x"], in: environment, range: range)

    case .tag:
      let key = try await string(arguments["key"], in: environment)
      let value: MetadataValue
      switch try await evaluate(arguments["value"], in: environment) {
      case .number(let number):
        value =
          number == number.rounded() && abs(number) < 1e15 ? .int(Int(number)) : .double(number)
      case .string(let text): value = .string(text)
      default: value = .null
      }
      switch try await evaluate(arguments["x"], in: environment) {
      case .audio(let node, var metadata):
        metadata[key] = value
        return .audio(node, metadata)
      case .stream(let source):
        return .stream(TaggedSource(source, key: key, value: value))
      default:
        throw RuntimeError(message: "'tag' takes a signal or a stream", range: range)
      }

    case .duration, .peak, .rms:
      let (input, _) = try await audio(arguments["x"], in: environment)
      let summary = try await Render.drain(input)
      switch operation {
      case .duration: return .number(summary.durationSeconds)
      case .peak: return .number(summary.peakDBFS)
      default: return .number(summary.rmsDBFS)
      }

    case .plot:
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      let written = try await string(arguments["path"], in: environment)
      let path = try resolve(written, at: arguments["path"].range, writing: true)
      let scale = try await string(arguments["scale"], in: environment)
      let picture = WaveformPicture(
        sampleRate: input.sampleRate, channelCount: input.channelCount, decibels: scale == "db")
      return .audio(TapNode(input, drawing: picture, to: path, displayPath: written), metadata)

    case .spectrogram:
      let (input, metadata) = try await audio(arguments["x"], in: environment)
      let written = try await string(arguments["path"], in: environment)
      let path = try resolve(written, at: arguments["path"].range, writing: true)
      let picture = SpectrogramPicture(
        sampleRate: input.sampleRate, channelCount: input.channelCount,
        frameCount: input.frameCount)
      return .audio(TapNode(input, drawing: picture, to: path, displayPath: written), metadata)

    case .rate:
      return .unit
    }
  }

  func requireSameRate(_ a: AudioNode, _ b: AudioNode, range: SourceRange) throws {
    guard a.sampleRate == b.sampleRate else {
      throw RuntimeError(
        message: "cannot combine audio at \(a.sampleRate) Hz with audio at \(b.sampleRate) Hz",
        range: range)
    }
  }

  /// A path as given in the script, resolved against the base directory.
  /// A path as it is opened: within the sandbox when there is one (a refusal is an
  /// error at `range`), else relative paths against the base directory.
  func resolve(_ path: String, at range: SourceRange, writing: Bool = false) throws -> String {
    guard let sandbox = options.sandbox else {
      return FilePaths.resolve(path, against: options.baseDirectory)
    }
    switch sandbox.confine(path) {
    case .success(let confined): return confined
    case .failure(let refusal):
      throw RuntimeError(
        message: "cannot \(writing ? "write" : "read") \(refusal.message)", range: range)
    }
  }

  func generator(
    _ operation: BuiltinOperation, _ arguments: CallArguments, in environment: Environment
  )
    async throws -> AudioNode
  {
    func argument(_ name: String) -> TypedExpr { arguments[name] }
    let rate = try await whole(argument("rate"), in: environment)
    let length = frames(try await number(argument("dur"), in: environment), rate)
    switch operation {
    case .silence:
      return SilenceNode(sampleRate: rate, frameCount: length, context: context)
    case .noise:
      let color =
        NoiseColor(rawValue: try await string(argument("color"), in: environment)) ?? .white
      let seed = UInt64(max(0, try await whole(argument("seed"), in: environment)))
      return NoiseNode(
        color: color, seed: seed, amplitude: try await parameter(argument("amp"), in: environment),
        sampleRate: rate, frameCount: length, context: context)
    case .sweep:
      let curve =
        SweepCurve(rawValue: try await string(argument("curve"), in: environment)) ?? .exponential
      return SweepNode(
        from: try await parameter(argument("from"), in: environment),
        to: try await parameter(argument("to"), in: environment), curve: curve,
        amplitude: try await parameter(argument("amp"), in: environment), sampleRate: rate,
        frameCount: length, context: context)
    default:
      let waveform: Waveform
      var phase = 0.0
      switch operation {
      case .sine:
        waveform = .sine
        phase = try await number(argument("phase"), in: environment)
      case .square: waveform = .square(width: try await number(argument("width"), in: environment))
      case .saw: waveform = .saw
      default: waveform = .triangle
      }
      return OscillatorNode(
        waveform: waveform, frequency: try await parameter(argument("freq"), in: environment),
        amplitude: try await parameter(argument("amp"), in: environment), phase: phase,
        sampleRate: rate, frameCount: length, context: context)
    }
  }

  /// The effect of an Audio-to-Audio builtin around `input` (a signal, or the feed of a
  /// stream's chunks).
  func effect(
    _ operation: BuiltinOperation, input: AudioNode, _ arguments: CallArguments, lifted: Bool,
    in environment: Environment, range: SourceRange
  ) async throws -> AudioNode {
    let rate = input.sampleRate
    func value(_ name: String) async throws -> Double {
      try await number(arguments[name], in: environment)
    }
    let node: AudioNode
    switch operation {
    case .gain:
      node = GainNode(input, gain: try await parameter(arguments["g"], in: environment))
    case .pan:
      node = PanNode(input, position: try await parameter(arguments["pos"], in: environment))
    case .mono:
      node = MonoNode(input)
    case .clip:
      node = ClipNode(input, limit: try await value("limit"))
    case .lowpass, .highpass, .bandpass, .notch:
      let kind: BiquadKind =
        operation == .lowpass
        ? .lowpass
        : operation == .highpass
          ? .highpass
          : operation == .bandpass ? .bandpass : .notch
      node = BiquadNode(
        input, kind: kind,
        frequency: try await parameter(
          arguments[operation == .lowpass || operation == .highpass ? "cutoff" : "center"],
          in: environment),
        q: try await value("q"))
    case .eq, .lowshelf, .highshelf:
      let gain = try await value("gain_db")
      let kind: BiquadKind =
        operation == .eq
        ? .peaking(gainDB: gain)
        : operation == .lowshelf
          ? .lowShelf(gainDB: gain) : .highShelf(gainDB: gain)
      node = BiquadNode(
        input, kind: kind, frequency: try await parameter(arguments["freq"], in: environment),
        q: try await value("q"))
    case .fadein:
      node = EnvelopeNode(input, shape: .fadeIn(frames: frames(try await value("dur"), rate)))
    case .delay:
      let delayFrames = frames(try await value("time"), rate)
      try context.checkMemory(
        frames: delayFrames, channels: input.channelCount, width: 8,
        for: "the delay line of 'delay'")
      node = DelayNode(
        input, delayFrames: delayFrames, feedback: try await value("feedback"),
        mix: try await value("mix"),
        tail: try await tail(arguments["tail"], rate: rate, lifted: lifted, in: environment))
    case .reverb:
      node = ReverbNode(
        input, room: try await value("room"), damp: try await value("damp"),
        wet: try await value("wet"),
        tail: try await tail(arguments["tail"], rate: rate, lifted: lifted, in: environment))
    case .compress:
      node = CompressorNode(
        input, thresholdDB: try await value("threshold_db"), ratio: try await value("ratio"),
        attack: try await value("attack"), release: try await value("release"))
    default:
      throw RuntimeError(
        message: "internal error: '\(operation.rawValue)' is not an effect", range: range)
    }
    node.origin = origin(range)
    return node
  }

  /// An effect's `tail:` argument: left out, until silent; 0 none; else a length. On a
  /// stream each chunk keeps its length.
  func tail(_ argument: TypedExpr, rate: Int, lifted: Bool, in environment: Environment)
    async throws -> EffectTail
  {
    guard !lifted else { return .none }
    if case .absent = argument { return .fromArgument(frames: -1, sampleRate: rate) }
    let seconds = try await number(argument, in: environment)
    return .fromArgument(frames: frames(seconds, rate), sampleRate: rate)
  }

  func write(_ arguments: CallArguments, in environment: Environment, range: SourceRange)
    async throws -> RuntimeValue
  {
    let written = try await string(arguments["path"], in: environment)
    let path = try resolve(written, at: arguments["path"].range, writing: true)
    let encoding = try await string(arguments["format"], in: environment)
    let settings = try await encoderSettings(arguments, path: path, in: environment)
    let tag = origin(range)
    switch try await evaluate(arguments["x"], in: environment) {
    case .audio(let input, let metadata):
      let writer = try SignalFileWriter(
        path: path, displayName: written, encodingName: encoding,
        settings: try settings(input.sampleRate), sampleRate: input.sampleRate,
        channelCount: input.channelCount, origin: tag, trouble: context.trouble)
      let tap = TapNode(
        input, onBlock: { buffer, count in try writer.write(buffer, frames: count) },
        onEnd: { try writer.finish() })
      return .audio(tap, metadata)
    case .stream(let source):
      let box = WriterBox()
      let trouble = context.trouble
      return .stream(
        TapSource(
          source,
          onChunk: { chunk in
            if box.writer == nil {
              box.writer = try SignalFileWriter(
                path: path, displayName: written, encodingName: encoding,
                settings: try settings(chunk.sampleRate), sampleRate: chunk.sampleRate,
                channelCount: chunk.channelCount, origin: tag, trouble: trouble)
            }
            try box.writer?.write(chunk)
          }, onEnd: { try box.writer?.finish() }))
    default:
      throw RuntimeError(message: "'write' takes a signal or a stream", range: range)
    }
  }

  /// The encoder settings given to a `write` (`bitrate:`, `quality:`, `compression:`),
  /// evaluated now, as a function of the signal's rate that refuses a setting the format
  /// of `path` does not take or the rate does not allow, at the setting.
  func encoderSettings(_ arguments: CallArguments, path: String, in environment: Environment)
    async throws -> @Sendable (Int) throws -> EncoderSettings
  {
    var given: [(EncoderSettings.Setting, Double, SourceRange)] = []
    for setting in EncoderSettings.Setting.allCases {
      let argument = arguments[setting.rawValue]
      if case .absent = argument { continue }
      let value = try await number(argument, in: environment)
      given.append((setting, value, argument.range))
    }
    let format = AudioFileWriter.defaultFormat(for: path)
    return { [given] sampleRate in
      var settings = EncoderSettings()
      for (setting, value, range) in given {
        if let format,
          let problem = EncoderSettings.problem(setting, value, for: format, sampleRate: sampleRate)
        {
          throw RuntimeError(
            message: problem.message(subject: "'\(setting.rawValue)' of 'write'"), range: range)
        }
        settings.set(setting, to: value)
      }
      return settings
    }
  }

  func printValue(_ argument: TypedExpr, in environment: Environment, range: SourceRange)
    async throws
    -> RuntimeValue
  {
    let output = options.output
    let value = try await evaluate(argument, in: environment)
    switch value {
    case .number(let number):
      output.line(Self.format(number, argument.type))
    case .string(let text):
      output.line(text)
    case .audio(let input, let metadata):
      let box = SummaryBox(
        SignalSummary(sampleRate: input.sampleRate, channelCount: input.channelCount))
      return .audio(
        TapNode(
          input, onBlock: { buffer, count in box.summary.add(buffer, frames: count) },
          onEnd: { output.line(box.summary.line) }), metadata)
    case .stream(let source):
      let box = SummaryBox(nil)
      return .stream(
        TapSource(
          source,
          onChunk: { chunk in
            if box.optional == nil {
              var summary = SignalSummary(
                sampleRate: chunk.sampleRate, channelCount: chunk.channelCount)
              summary.chunkCount = 0
              summary.chunkDuration = chunk.durationSeconds
              box.optional = summary
            }
            box.optional?.add(chunk: chunk)
            box.optional?.chunkCount? += 1
          }, onEnd: { output.line(box.optional?.line ?? "Stream (no chunks)") }))
    case .list, .unit:
      break
    }
    return value
  }
}

/// A builtin call's arguments, read by the names of the parameters its declaration gives.
struct CallArguments {
  let builtin: Builtin?
  let values: [TypedExpr]
  let range: SourceRange

  init(operation: BuiltinOperation, values: [TypedExpr], range: SourceRange) {
    builtin = BuiltinRegistry.builtin(for: operation)
    self.values = values
    self.range = range
  }

  /// The argument of the parameter called `name`; an expression the evaluator refuses
  /// (an internal error at the call) when the declaration has no such parameter.
  subscript(_ name: String) -> TypedExpr {
    guard let index = builtin?.index(of: name), index < values.count else {
      return .invalid(range)
    }
    return values[index]
  }
}

/// A writer created when a stream's first chunk shows its format.
final class WriterBox {
  var writer: SignalFileWriter?
}

/// A summary gathered by a tap.
final class SummaryBox {
  var summary: SignalSummary
  var optional: SignalSummary?

  init(_ summary: SignalSummary?) {
    self.summary = summary ?? SignalSummary(sampleRate: 1, channelCount: 1)
    self.optional = summary
  }
}

extension MonoNode {
  /// `node` itself when it is mono, else its channels mixed down.
  static func ifNeeded(_ node: AudioNode) -> AudioNode {
    node.channelCount == 1 ? node : MonoNode(node)
  }
}
