import ASTCore
import ASTRuntime
import ASTSyntax
import ArgumentParser
import Foundation

/// `ast play FILE`: plays a script's `out`, or an audio file, on the sound device.
struct Play: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Play a script's 'out', or an audio file, on the sound device.",
    usage: """
      ast play <file> [--device <NAME>] [--period <FRAMES>] [--periods <N>]
               [--limiter] [--rate <rate>] [--tempo <BPM>]
               [--memory-limit <MB>] [--sandbox <DIR>]
      """,
    discussion: """
      A .ast file is checked and run, and its 'out' played as it renders; any other file \
      is read as audio. Devices are ALSA PCM names ('ast devices' lists them); the \
      render's block is the device's period (256 frames by default, in a buffer of 3 \
      periods). On the way out a block holding NaN or infinity is muted and reported, \
      and samples are limited to [-1, 1] (clipped, counted; --limiter limits peaks \
      smoothly instead). At the end one line on standard error gives the time played, \
      the device's rate, channels and period, the underruns, the worst block's render \
      time against the period, and the latency. Ctrl-C fades out within a period and \
      stops (exit status 130).
      """)

  @Argument(
    help: "The .ast script, or the audio file, to play.",
    completion: .file(extensions: ["ast"] + AudioFileFormat.completionExtensions))
  var file: String

  @OptionGroup var playback: PlaybackOptions

  @Option(
    parsing: .unconditional, help: "The sample rate of generators before any 'rate' statement.")
  var rate: Int = 44_100

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The tempo in beats a minute, in place of the script's 'tempo' statements.",
      valueName: "BPM"))
  var tempo: Double?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("The most memory, in MB, the run may hold at once.", valueName: "MB"))
  var memoryLimit: Int?

  @Option(
    help: ArgumentHelp(
      "Confine every file the script reads or writes to this directory.", valueName: "DIR"),
    completion: .directory)
  var sandbox: String?

  func run() async throws {
    var arguments = [file, "--play", "--rate", String(rate)]
    if let device = playback.device { arguments += ["--device", device] }
    if let period = playback.period { arguments += ["--period", String(period)] }
    if let periods = playback.periods { arguments += ["--periods", String(periods)] }
    if playback.limiter { arguments.append("--limiter") }
    if let memoryLimit { arguments += ["--memory-limit", String(memoryLimit)] }
    if let tempo { arguments += ["--tempo", String(tempo)] }
    if let sandbox { arguments += ["--sandbox", sandbox] }
    let run: Run
    do {
      run = try Run.parse(arguments)
    } catch {
      Play.exit(withError: error)
    }
    let source: Source
    if file.hasSuffix(".ast") {
      source = try loadScript(file)
    } else {
      // An audio file plays as the script that reads it; it is opened first, so that a
      // file that cannot be read is reported as itself.
      do {
        _ = try AudioFileReader(path: file)
      } catch {
        throw fail(error)
      }
      source = Source(name: file, text: "out = read \(Self.literal(file))\n")
    }
    try await run.execute(source, summarisesOut: false)
  }

  /// `path` as a string literal of the language.
  static func literal(_ path: String) -> String {
    var text = "\""
    for character in path {
      switch character {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      default: text.append(character)
      }
    }
    return text + "\""
  }
}

/// `ast devices`: the sound devices ALSA knows.
struct Devices: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the ALSA devices that play and capture.",
    discussion: """
      Each line gives a PCM name (what --device and 'input device:' take), whether it \
      plays, captures or both, and ALSA's description. 'default' is what ALSA's \
      configuration makes of the system's sound (PulseAudio or PipeWire where they run); \
      'null' and 'file:FILE=PATH,FORMAT=raw' always work.
      """)

  func run() throws {
    for line in DeviceTable.lines() { print(line) }
  }
}
