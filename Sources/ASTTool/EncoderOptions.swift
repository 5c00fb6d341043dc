import ASTCore
import ArgumentParser

/// `--bitrate`, `--quality` and `--compression`: how an MP3, Ogg Vorbis or FLAC output
/// is encoded (`ast run -o`, `ast convert`).
struct EncoderOptions: ParsableArguments {
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "MP3: the constant bitrate in kbps, 32 to 320 (at most 160 below 32 kHz); "
        + "default 192.", valueName: "kbps"))
  var bitrate: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Ogg Vorbis: the quality, 0 (smallest) to 10 (best), as 'oggenc -q'; default 4.",
      valueName: "q"))
  var quality: Double?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "FLAC: the compression level, 0 (fastest) to 8 (smallest); default 5.",
      valueName: "level"))
  var compression: Int?

  /// The settings given.
  var settings: EncoderSettings {
    EncoderSettings(bitrate: bitrate, quality: quality, compression: compression)
  }

  /// The option of the first setting given (`--bitrate`), or `nil` when none is.
  var firstGiven: String? {
    settings.given.first.map { "--" + $0.0.rawValue }
  }

  /// What is wrong with the options for `format` at `sampleRate` (`nil` when it is not
  /// known yet), naming the option: `--bitrate applies to MP3 files only, not WAV`.
  func problem(for format: AudioFileFormat, sampleRate: Int?) -> String? {
    settings.problem(for: format, sampleRate: sampleRate).map {
      $0.message(subject: "--" + $0.setting.rawValue)
    }
  }
}
