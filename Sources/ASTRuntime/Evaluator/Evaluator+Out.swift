import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax

/// Where a run delivers `out`.
public enum OutDestination: Sendable {
  /// A summary line on the run's output (``RunOptions/output``).
  case summary
  /// An audio file at the path as the caller gave it (`-` for standard output), encoded
  /// with the settings. Its failures are ``OutputError``s, not errors at a place in the
  /// script.
  case file(String, EncoderSettings)
  /// Standard output, as JSON lines of AudioStream chunks, one a line as it is made; a
  /// signal is cut into 16-bit chunks of half a second first.
  case jsonLines
}

extension Evaluator {
  /// Renders `out` to its destination (``RunOptions/out``): kept in memory, reporting
  /// progress and drawing its picture on the way when the options ask for them.
  func renderOut(_ out: TypedExpr, keeping kept: KeptAudio? = nil) async throws -> SignalSummary? {
    try await guarded(out.range) { () async throws -> SignalSummary? in
      var value = try await self.evaluateGraph(out)
      if let kept { value = try await self.keep(value, in: kept) }
      if case .audio(let node, let metadata) = value, let progress = self.options.progress,
        let total = node.frameCount, total > 0
      {
        var done = 0
        value = .audio(
          try TapNode(
            node,
            onBlock: { _, count in
              done += count
              progress(Double(done) / Double(total))
            }, onEnd: {}), metadata)
      }
      if let path = self.options.picturePath {
        guard case .audio(let node, let metadata) = value else {
          throw OutputError(
            .picture, path: path,
            reason: "'out' is a Stream, and its picture is drawn of a signal (join it first)")
        }
        let picture = WaveformPicture(
          sampleRate: node.sampleRate, channelCount: node.channelCount, memory: self.context.memory)
        try self.context.memory.requireWithinLimit()
        value = .audio(
          try TapNode(
            node, drawing: picture, to: path,
            naming: { OutputError(.picture, path: path, failure: $0) }), metadata)
      }
      if let request = self.options.play {
        return try await self.play(value, of: out, request)
      }
      switch self.options.out {
      case .summary: return try await self.summarise(value, type: out.type)
      case .file(let path, let settings):
        return try await self.write(value, of: out, to: path, settings: settings)
      case .jsonLines: return try await self.emitJSONLines(value, range: out.range)
      }
    }
  }

  /// Plays the signal or stream `value` of `out` on the requested device, and writes it
  /// to the `-o` file too when there is one.
  private func play(_ value: RuntimeValue, of out: TypedExpr, _ request: PlaybackRequest)
    async throws -> SignalSummary?
  {
    var value = value
    if case .stream(let stream) = value {
      value = .audio(try await JoinNode.make(stream), [:])
    }
    guard case .audio(let node, _) = value else {
      throw RuntimeError(
        message: "'out' is not a signal or a stream, so there is nothing to play",
        range: out.range)
    }
    let device: ALSADevice
    do {
      device = try ALSADevice(
        name: request.device, sampleRate: node.sampleRate, channelCount: node.channelCount,
        periodFrames: request.periodFrames, periods: request.periods)
    } catch {
      throw OutputError(.device, path: request.device, reason: error.reason)
    }
    let agreed = device.configuration.sampleRate
    guard agreed == node.sampleRate else {
      device.close()
      throw OutputError(
        .device, path: request.device,
        reason: "it plays at \(agreed) Hz, not the \(node.sampleRate) Hz of 'out' (resample "
          + "'out', or name a device that converts, such as 'plughw:0' or 'default')")
    }
    let player = DevicePlayer(
      device: device, blockFrames: context.blockSize, limiter: request.limiter)
    request.started?(player)
    let naming: @Sendable (any Error) -> any Error = {
      $0 is AudioDeviceError
        ? OutputError(.device, path: request.device, reason: ($0 as! AudioDeviceError).reason)
        : $0
    }
    do {
      switch options.out {
      case .file(let path, let settings):
        let fileNaming: @Sendable (any Error) -> any Error = {
          $0 is MemoryLimitError ? $0 : OutputError(.out, path: path, failure: $0)
        }
        return try await Render.write(
          node, to: path, settings: settings, origin: origin(out.range), timer: options.blockTimer,
          player: player, naming: fileNaming)
      case .summary, .jsonLines:
        let summary = try await Render.play(node, through: player, timer: options.blockTimer)
        if options.summarisesOut { options.output.line(summary.line) }
        return summary
      }
    } catch {
      throw naming(error)
    }
  }

  /// `value` with its samples copied into `kept` as it renders (a stream joined first).
  private func keep(_ value: RuntimeValue, in kept: KeptAudio) async throws -> RuntimeValue {
    var value = value
    if case .stream(let stream) = value {
      value = .audio(try await JoinNode.make(stream), [:])
    }
    guard case .audio(let node, let metadata) = value else { return value }
    let held = try HeldSignal(
      channelCount: node.channelCount, frameCount: node.frameCount, in: context.memory,
      for: .named("the samples of 'out' kept"))
    kept.sampleRate = node.sampleRate
    kept.held = held
    return .audio(
      try TapNode(
        node, onBlock: { buffer, count in try held.append(buffer, frames: count) }, onEnd: {}),
      metadata)
  }

  /// Renders `value` and writes its summary line (a number of `type` or a string as
  /// it is).
  private func summarise(_ value: RuntimeValue, type: ValueType) async throws
    -> SignalSummary?
  {
    switch value {
    case .audio(let node, _):
      let summary = try await Render.drain(node, timer: options.blockTimer)
      options.output.line(summary.line)
      return summary
    case .stream(let stream):
      let summary = try await Render.drain(stream)
      options.output.line(summary?.line ?? "Stream (no chunks)")
      return summary
    case .number(let number):
      options.output.line(type.text(for: number))
      return nil
    case .string(let text):
      options.output.line(text)
      return nil
    case .pattern(let pattern):
      for line in pattern.listing { options.output.line(line) }
      return nil
    case .list, .unit:
      return nil
    }
  }

  /// Writes the signal or stream `value` of `out` to the audio file at `path`.
  private func write(
    _ value: RuntimeValue, of out: TypedExpr, to path: String, settings: EncoderSettings
  ) async throws -> SignalSummary? {
    // The file's failures are the output's; memory the writer cannot have is the run's.
    let naming: @Sendable (any Error) -> any Error = {
      $0 is MemoryLimitError ? $0 : OutputError(.out, path: path, failure: $0)
    }
    switch value {
    case .audio(let node, _):
      return try await Render.write(
        node, to: path, settings: settings, origin: origin(out.range), timer: options.blockTimer,
        naming: naming)
    case .stream(let stream):
      let origin = origin(out.range)
      let context = context
      let writer = LazyStreamWriter { chunk in
        try SignalFileWriter(
          path: path, settings: settings, sampleRate: chunk.sampleRate,
          channelCount: chunk.channelCount, origin: origin, context: context)
      }
      do {
        let summary = try await Render.drain(stream) { chunk in
          do { try await writer.write(chunk) } catch { throw naming(error) }
        }
        let wrote: Bool
        do { wrote = try await writer.finish() } catch { throw naming(error) }
        guard wrote else {
          throw RuntimeError(
            message: "'out' is a stream without chunks: there is no audio to write",
            range: out.range)
        }
        return summary
      } catch {
        await writer.cancel()
        throw error
      }
    case .number, .string, .list, .pattern, .unit:
      throw RuntimeError(
        message: "'out' is not a signal or a stream, so there is no audio to write",
        range: out.range)
    }
  }

  /// Writes `out` to standard output as JSON lines, one chunk a line as it is made; a
  /// signal is cut into 16-bit chunks of half a second.
  private func emitJSONLines(_ value: RuntimeValue, range: SourceRange) async throws
    -> SignalSummary?
  {
    let stream: ChunkSource
    switch value {
    case .stream(let source):
      stream = source
    case .audio(let node, let metadata):
      let frames = max(1, Int((Double(node.sampleRate) * 0.5).rounded()))
      stream = try ChunkerSource(
        node, framesPerChunk: frames, metadata: metadata, integers: true)
    default:
      throw RuntimeError(
        message: "'out' is not a signal or a stream, so there are no chunks to emit", range: range)
    }
    let writer = JSONLinesWriter()
    return try await Render.drain(stream) { chunk in
      do {
        try writer.write(chunk)
      } catch {
        throw OutputError(.jsonLines, path: "-", failure: error)
      }
    }
  }
}
