import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of files: reading and writing audio.
extension BuiltinRegistry {
  static let files: [Builtin] = [
    Builtin(
      "read", group: .files, "An audio file (WAV, FLAC, OGG, MP3, AIFF).",
      parameters: [BuiltinParameter("path", .string, "the file")], result: .fileRead,
      build: .value { call in
        let path = try await call.path("path", writing: false).opened
        return .audio(try FileReaderNode(path: path, context: call.context), [:])
      }),
    Builtin(
      "write", group: .files,
      "Writes a signal or stream to a file and passes it on; the format comes from the "
        + "extension, and bitrate:, quality: or compression: set how MP3, Ogg Vorbis or FLAC "
        + "is encoded.",
      parameters: [
        BuiltinParameter("x", .audioOrStream, "what to write"),
        BuiltinParameter("path", .string, "the file"),
        BuiltinParameter(
          "format", .choice(["", "s16", "s24", "s32", "f32"]), default: .string(""),
          "the sample format: from the extension when empty"),
        BuiltinParameter(
          "bitrate", .number, unit: .kilobitsPerSecond,
          default: .absent(spelling: String(EncoderSettings.defaultBitrate(sampleRate: 44_100))),
          range: ValueRange(
            lower: .inclusive(Double(EncoderSettings.mp3Bitrates(sampleRate: nil).first ?? 8)),
            upper: .inclusive(Double(EncoderSettings.mp3Bitrates(sampleRate: nil).last ?? 320)),
            isInteger: true), namedOnly: true,
          "for MP3: the constant bitrate, in the standard steps from 32 to 320 (8 to 160 below "
            + "32 kHz, 8 to 64 below 16 kHz); by default 192, or the most the rate allows"),
        BuiltinParameter(
          "quality", .number,
          default: .absent(spelling: Checker.format(EncoderSettings.defaultQuality)),
          range: ValueRange(
            lower: .inclusive(EncoderSettings.qualityRange.lowerBound),
            upper: .inclusive(EncoderSettings.qualityRange.upperBound)), namedOnly: true,
          "for Ogg Vorbis: 0 (smallest) to 10 (best), the scale of 'oggenc -q'; 4 is "
            + "nominally 128 kbps in stereo"),
        BuiltinParameter(
          "compression", .number, unit: .count,
          default: .absent(spelling: String(EncoderSettings.defaultCompression)),
          range: ValueRange(
            lower: .inclusive(Double(EncoderSettings.compressionRange.lowerBound)),
            upper: .inclusive(Double(EncoderSettings.compressionRange.upperBound)),
            isInteger: true), namedOnly: true,
          "for FLAC: 0 (fastest) to 8 (smallest file); every level decodes to the same samples"),
      ], result: .sameAsInput,
      effects: BuiltinEffects(writesFile: .init(parameter: "path", kind: .audio)),
      build: .value { call in try await BuiltinRegistry.write(call) }),
  ]
}
