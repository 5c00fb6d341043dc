import ASTCore
import ArgumentParser

/// `ast convert IN OUT`: converts an audio file's format, rate, channels or encoding.
struct Convert: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Convert an audio file to another format, rate, channel count or encoding.",
    usage: """
      ast convert <input> <output> [--rate <rate>] [--channels <channels>]
                  [--encoding <encoding>] [--format <format>] [--gain <gain>]
                  [--bitrate <kbps>] [--quality <q>] [--compression <level>]
      """,
    discussion: """
      The output format comes from OUT's extension (.wav, .flac, .ogg, .mp3, .aiff) \
      unless --format names one; --bitrate, --quality and --compression set how an \
      MP3, Ogg Vorbis or FLAC output is encoded. The output is written beside OUT and \
      renamed into place, so a failed conversion leaves any existing OUT intact.
      """)

  @Argument(
    help: "The audio file to read.",
    completion: .file(extensions: AudioFileFormat.completionExtensions))
  var input: String

  @Argument(
    help: "The audio file to write.",
    completion: .file(extensions: AudioFileFormat.completionExtensions))
  var output: String

  @Option(
    parsing: .unconditional, help: "Resample to this rate in Hz (libsoxr, very high quality).")
  var rate: Int?

  @Option(parsing: .unconditional, help: "Change the channel count (to or from mono).")
  var channels: Int?

  @Option(
    help: "The sample encoding: s8, s16, s24, s32, f32 or f64.",
    completion: .list(SampleEncoding.allCases.map(\.shortName)))
  var encoding: EncodingName?

  @Option(
    help: "The output format: wav, flac, ogg, mp3 or aiff.",
    completion: .list(AudioFileFormat.allCases.map(\.rawValue)))
  var format: FormatName?

  @Option(parsing: .unconditional, help: "Change the level by this many decibels.")
  var gain: Double?

  @OptionGroup var encoder: EncoderOptions

  func validate() throws {
    if let rate, rate <= 0 { throw ValidationError("--rate must be a positive number of Hz") }
    if let channels, channels <= 0 { throw ValidationError("--channels must be positive") }
    if let gain, !gain.isFinite || abs(gain) > 1_000 {
      throw ValidationError("--gain must be a number of decibels between -1000 and 1000")
    }
    guard let outputFormat = format?.format ?? AudioFileWriter.defaultFormat(for: output) else {
      throw ValidationError(
        "cannot write '\(output)': \(AudioFileWriter.unknownExtension), or give --format")
    }
    if let problem = encoder.problem(for: outputFormat, sampleRate: rate) {
      throw ValidationError("cannot write '\(output)': \(problem)")
    }
  }

  func run() throws {
    do {
      var segment = try AudioSegment(contentsOfFile: input)
      if let channels { segment = try segment.withChannelCount(channels) }
      if let rate { segment = try segment.resampled(to: rate) }
      if let gain { segment = segment.applyingGain(decibels: gain) }
      try segment.export(
        to: output, format: format?.format, encoding: encoding?.encoding,
        settings: encoder.settings)
    } catch {
      throw fail(error)
    }
  }
}

/// A sample encoding named on the command line.
struct EncodingName: ExpressibleByArgument {
  let encoding: SampleEncoding

  init?(argument: String) {
    guard let encoding = SampleEncoding(shortName: argument.lowercased()) else { return nil }
    self.encoding = encoding
  }

  static var allValueStrings: [String] { SampleEncoding.allCases.map(\.shortName) }
}

/// A file format named on the command line.
struct FormatName: ExpressibleByArgument {
  let format: AudioFileFormat

  init?(argument: String) {
    guard let format = AudioFileFormat(pathExtension: argument) else { return nil }
    self.format = format
  }

  static var allValueStrings: [String] { AudioFileFormat.allCases.map(\.rawValue) }
}
