import ASTCore
import ASTEngine
import ASTSyntax
import Foundation

/// The builders that are longer than a few lines, beside the declarations that use them.
extension BuiltinRegistry {
  /// `write`: a tap that writes the signal, or each chunk of the stream, to the file, with
  /// the encoder settings given (`bitrate:`, `quality:`, `compression:`).
  static func write(_ call: any BuiltinCall) async throws -> RuntimeValue {
    let (written, path) = try await call.path("path", writing: true)
    let encoding = try await call.string("format")
    let settings = try await encoderSettings(call, path: path)
    let tag = call.origin()
    let context = call.context
    // A rate the file's format cannot hold is refused at the call, as the checker does.
    let format = AudioFileFormat(path: written)
    let range = call.range
    let checkRate: @Sendable (Int) throws -> Void = { rate in
      guard let problem = format?.rateProblem(sampleRate: rate) else { return }
      throw RuntimeError(
        message: "cannot write '\(written)' at \(rate) Hz: \(problem)", range: range,
        notes: [DiagnosticNote("resample it first, or write another format")],
        id: Checker.IDs.unsupportedRate)
    }
    switch try await call.value("x") {
    case .audio(let input, let metadata):
      try checkRate(input.sampleRate)
      let writer = try SignalFileWriter(
        path: path, displayName: written, encodingName: encoding,
        settings: try settings(input.sampleRate), sampleRate: input.sampleRate,
        channelCount: input.channelCount, expectedFrames: input.frameCount, origin: tag,
        context: context)
      let tap = try TapNode(
        input, onBlock: { buffer, count in try await writer.write(buffer, frames: count) },
        onEnd: { try await writer.finish() },
        onAbandon: {
          await writer.cancel()
          context.trouble.add(.unfinishedWrite(target: written), count: 1, origin: tag)
        })
      return .audio(tap, metadata)
    case .stream(let source):
      let writer = LazyStreamWriter { chunk in
        try checkRate(chunk.sampleRate)
        return try SignalFileWriter(
          path: path, displayName: written, encodingName: encoding,
          settings: try settings(chunk.sampleRate), sampleRate: chunk.sampleRate,
          channelCount: chunk.channelCount, origin: tag, context: context)
      }
      return .stream(
        TapSource(
          source, onChunk: { chunk in try await writer.write(chunk) },
          onEnd: { try await writer.finish() },
          onAbandon: {
            await writer.cancel()
            context.trouble.add(.unfinishedWrite(target: written), count: 1, origin: tag)
          }))
    default:
      throw call.failure("'write' takes a signal or a stream")
    }
  }

  /// The encoder settings given to a `write`, evaluated now, as a function of the
  /// signal's rate that refuses a setting the format of `path` does not take or the rate
  /// does not allow, at the setting.
  static func encoderSettings(_ call: any BuiltinCall, path: String) async throws
    -> @Sendable (Int) throws -> EncoderSettings
  {
    var given: [(EncoderSettings.Setting, Double, SourceRange)] = []
    for setting in EncoderSettings.Setting.allCases {
      let argument = call.argument(setting.rawValue)
      if case .absent = argument { continue }
      given.append((setting, try await call.number(setting.rawValue), argument.range))
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

  /// `print`: a number or string now; a signal's or stream's summary when it has been
  /// rendered. The value is passed on.
  static func print(_ call: any BuiltinCall) async throws -> RuntimeValue {
    let output = call.output
    let value = try await call.value("x")
    switch value {
    case .number(let number):
      output.line(call.argument("x").type.text(for: number))
    case .string(let text):
      output.line(text)
    case .audio(let input, let metadata):
      let box = SummaryBox(
        SignalSummary(sampleRate: input.sampleRate, channelCount: input.channelCount))
      return .audio(
        try TapNode(
          input, onBlock: { buffer, count in box.summary?.add(buffer, frames: count) },
          onEnd: { output.line(box.summary?.line ?? "") }), metadata)
    case .stream(let source):
      let box = SummaryBox(nil)
      return .stream(
        TapSource(
          source,
          onChunk: { chunk in
            if box.summary == nil {
              var summary = SignalSummary(
                sampleRate: chunk.sampleRate, channelCount: chunk.channelCount)
              summary.chunkCount = 0
              summary.chunkDuration = chunk.durationSeconds
              box.summary = summary
            }
            box.summary?.add(chunk: chunk)
            box.summary?.chunkCount? += 1
          }, onEnd: { output.line(box.summary?.line ?? "Stream (no chunks)") }))
    case .pattern(let pattern):
      for line in pattern.listing { output.line(line) }
    case .list, .unit:
      break
    }
    return value
  }
}

extension BuiltinCall {
  /// The `tail:` argument of an effect on `input`: left out, until silent; 0 none; else a
  /// length, which with the input's must not be longer than a signal can be. On a stream
  /// each chunk keeps its length.
  func tail(after input: AudioNode) async throws -> EffectTail {
    guard !isLifted else { return .none }
    let rate = input.sampleRate
    if case .absent = argument("tail") { return .untilSilent(sampleRate: rate) }
    let frames = try await frames("tail", rate: rate)
    _ = try SignalLength.sum(
      [input.frameCount, frames], of: "the signal with its tail", sampleRate: rate)
    return .lasting(frames: frames)
  }
}

/// A summary gathered by a tap; a stream's starts with its first chunk.
final class SummaryBox {
  var summary: SignalSummary?

  init(_ summary: SignalSummary?) {
    self.summary = summary
  }
}

extension MonoNode {
  /// `node` itself when it is mono, else its channels mixed down.
  static func ifNeeded(_ node: AudioNode) -> AudioNode {
    node.channelCount == 1 ? node : MonoNode(node)
  }
}
