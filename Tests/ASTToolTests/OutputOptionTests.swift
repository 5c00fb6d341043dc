import ASTCore
import ASTTestSupport
import Foundation
import Testing

/// Runs `ast` with `arguments` in `directory`, so that relative paths stay relative.
func ast(in directory: TemporaryDirectory, _ arguments: String...) throws -> ProcessResult {
  let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
  return try bash(
    "cd '\(directory.path)' && exec '\(astExecutable)' " + quoted.joined(separator: " "))
}

/// A directory holding `tone.ast`: two seconds of tone bound in a few statements (a
/// `write` of its own among them), whose `out` is at line 9.
func toneScript(rate: Int = 44_100) throws -> TemporaryDirectory {
  let directory = try TemporaryDirectory()
  try """
  # A tone in chunks.
  rate \(rate)
  tone = sine 440 2
    |> gain 0.5
  write tone "early.wav"
  left = tone
  right = sine 660 2 |> gain 0.5
  both = stereo left right
  out = both
  """.write(toFile: directory.file("tone.ast"), atomically: true, encoding: .utf8)
  return directory
}

@Suite("Encoder options of ast run and ast convert")
struct EncoderOptionTests {
  @Test("-o to a format that cannot hold out's rate is refused before anything runs")
  func runUnsupportedRate() throws {
    let directory = try toneScript(rate: 2000)
    defer { directory.cleanUp() }
    let result = try ast(in: directory, "run", "tone.ast", "-o", "tone.mp3")
    #expect(result.status == 2)
    #expect(
      result.errorText
        == "ast: error: -o 'tone.mp3': 'out' is at 2000 Hz: MP3 takes audio at 8000, 11025, "
        + "12000, 16000, 22050, 24000, 32000, 44100 or 48000 Hz, not 2000 Hz\n")
    #expect(!FileManager.default.fileExists(atPath: directory.file("early.wav")))
  }

  @Test("-o x.mp3 is 192 kbps stereo by default; --bitrate chooses another")
  func runBitrate() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    let standard = try ast(in: directory, "run", "tone.ast", "-o", "tone.mp3")
    #expect(standard.status == 0, "\(standard.errorText)")
    #expect(try Sox.bitrate(directory.file("tone.mp3")) == 192)
    #expect(try Sox.info("c", directory.file("tone.mp3")) == "2")
    var sizes: [Int] = []
    for kbps in [64, 128, 320] {
      let result = try ast(
        in: directory, "run", "tone.ast", "-o", "\(kbps).mp3", "--bitrate", "\(kbps)")
      #expect(result.status == 0, "\(result.errorText)")
      #expect(try Sox.bitrate(directory.file("\(kbps).mp3")) == Double(kbps))
      sizes.append(try fileSize(directory.file("\(kbps).mp3")))
    }
    #expect(sizes == sizes.sorted() && Set(sizes).count == 3, "\(sizes)")
  }

  @Test("--compression changes a FLAC's size, not its samples; --quality an Ogg's bitrate")
  func runFLACAndVorbis() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    try "out = noise 1 seed:3 |> lowpass 2000 |> gain 0.5\n".write(
      toFile: directory.file("noise.ast"), atomically: true, encoding: .utf8)
    for level in ["0", "8"] {
      let result = try ast(
        in: directory, "run", "noise.ast", "-o", "\(level).flac", "--compression", level)
      #expect(result.status == 0, "\(result.errorText)")
    }
    #expect(try fileSize(directory.file("0.flac")) > fileSize(directory.file("8.flac")))
    #expect(try Sox.raw16(directory.file("0.flac")) == Sox.raw16(directory.file("8.flac")))
    for quality in ["1", "9"] {
      let result = try ast(
        in: directory, "run", "noise.ast", "-o", "\(quality).ogg", "--quality", quality)
      #expect(result.status == 0, "\(result.errorText)")
    }
    #expect(try Sox.bitrate(directory.file("1.ogg")) < Sox.bitrate(directory.file("9.ogg")))
  }

  @Test("convert takes the same options")
  func convert() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    #expect(try ast(in: directory, "run", "tone.ast", "-o", "tone.wav").status == 0)
    let mp3 = try ast(in: directory, "convert", "tone.wav", "a.mp3", "--bitrate", "96")
    #expect(mp3.status == 0, "\(mp3.errorText)")
    #expect(try Sox.bitrate(directory.file("a.mp3")) == 96)
    #expect(try ast(in: directory, "convert", "tone.wav", "b.mp3").status == 0)
    #expect(try Sox.bitrate(directory.file("b.mp3")) == 192)
    for level in ["0", "8"] {
      let flac = try ast(
        in: directory, "convert", "tone.wav", "\(level).flac", "--compression", level)
      #expect(flac.status == 0, "\(flac.errorText)")
    }
    #expect(try fileSize(directory.file("0.flac")) > fileSize(directory.file("8.flac")))
    #expect(try Sox.raw16(directory.file("0.flac")) == Sox.raw16(directory.file("tone.wav")))
    let ogg = try ast(in: directory, "convert", "tone.wav", "a.ogg", "--quality", "2")
    #expect(ogg.status == 0, "\(ogg.errorText)")
  }

  @Test("a setting the format does not take, or out of range, is a usage error naming both")
  func refused() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    let cases: [([String], String)] = [
      (
        ["run", "tone.ast", "-o", "tone.wav", "--bitrate", "128"],
        "ast: error: -o 'tone.wav': --bitrate applies to MP3 files only, not WAV"
      ),
      (
        ["run", "tone.ast", "-o", "tone.mp3", "--bitrate", "200"],
        "ast: error: -o 'tone.mp3': --bitrate must be 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, "
          + "112, 128, 144, 160, 192, 224, 256 or 320 kbps for MP3, got 200"
      ),
      (
        ["run", "tone.ast", "-o", "tone.flac", "--compression", "9"],
        "ast: error: -o 'tone.flac': --compression must be a whole number between 0 and 8, got 9"
      ),
      (
        ["run", "tone.ast", "-o", "tone.ogg", "--quality", "11"],
        "ast: error: -o 'tone.ogg': --quality must be between 0 and 10, got 11"
      ),
      (
        ["run", "tone.ast", "-o", "tone.flac", "--quality", "3"],
        "ast: error: -o 'tone.flac': --quality applies to Ogg Vorbis files only, not FLAC"
      ),
      (
        ["run", "tone.ast", "--bitrate", "128"],
        "ast: error: --bitrate sets how the -o file is encoded; give -o"
      ),
      (
        ["convert", "in.wav", "out.wav", "--bitrate", "128"],
        "ast: error: cannot write 'out.wav': --bitrate applies to MP3 files only, not WAV"
      ),
    ]
    for (arguments, message) in cases {
      let result = try runProcess(astExecutable, arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.errorText.hasPrefix(message + "\n"), "\(result.errorText)")
    }
    // The rate of 'out' is known before running: 22050 Hz takes at most 160 kbps.
    let slow = try toneScript(rate: 22_050)
    defer { slow.cleanUp() }
    let low = try ast(in: slow, "run", "tone.ast", "-o", "tone.mp3", "--bitrate", "192")
    #expect(low.status == 2)
    #expect(
      low.errorText
        == "ast: error: -o 'tone.mp3': --bitrate must be 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, "
        + "112, 128, 144 or 160 kbps for MP3 at 22050 Hz, got 192\n")
    #expect(try slow.contents().sorted() == ["tone.ast"])
  }
}

@Suite("Errors caused by options name the option and the path as given")
struct OptionErrorTests {
  @Test("an unknown -o extension: status 2 before anything runs, no place in the script")
  func unknownExtension() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    let result = try ast(in: directory, "run", "tone.ast", "-o", "tone.opus")
    #expect(result.status == 2)
    #expect(
      result.errorText.hasPrefix(
        "ast: error: -o 'tone.opus': unknown file extension; use .wav, .flac, .ogg, .mp3 or "
          + ".aiff\n"), "\(result.errorText)")
    #expect(!result.errorText.contains("tone.ast:"))
    // The script's own write did not run either.
    #expect(try directory.contents() == ["tone.ast"])
    let converted = try runProcess(astExecutable, ["convert", "in.wav", "out.opus"])
    #expect(converted.status == 2)
    #expect(
      converted.errorText.hasPrefix(
        "ast: error: cannot write 'out.opus': unknown file extension; use .wav, .flac, .ogg, "
          + ".mp3 or .aiff, or give --format\n"))
  }

  @Test("a missing directory for -o or --plot: status 1 before running, the path as typed")
  func missingDirectory() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    let out = try ast(in: directory, "run", "tone.ast", "-o", "nowhere/tone.wav")
    #expect(out.status == 1)
    #expect(
      out.errorText
        == "ast: error: -o 'nowhere/tone.wav': the directory 'nowhere' does not exist\n")
    let plot = try ast(in: directory, "run", "tone.ast", "--plot", "nowhere/tone.png")
    #expect(plot.status == 1)
    #expect(
      plot.errorText
        == "ast: error: --plot 'nowhere/tone.png': the directory 'nowhere' does not exist\n")
    for (option, path) in [("-o", "."), ("--plot", ".."), ("--sandbox", "tone.ast")] {
      let given = try ast(in: directory, "run", "tone.ast", option, path)
      #expect(given.status == 2)
      #expect(
        given.errorText.hasPrefix(
          "ast: error: \(option) '\(path)': it is \(option == "--sandbox" ? "not " : "")a directory\n"
        ), "\(given.errorText)")
    }
    #expect(try directory.contents() == ["tone.ast"])
    let converted = try ast(in: directory, "convert", "in.wav", "nowhere/out.wav")
    #expect(converted.status == 1)
  }

  @Test("writes that fail while rendering: status 1, the option and the relative path")
  func failedWrites() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    try "out = sine 440 600 rate:48000\n".write(
      toFile: directory.file("long.ast"), atomically: true, encoding: .utf8)
    let limited = try bash(
      "cd '\(directory.path)' && ulimit -f 64 && exec '\(astExecutable)' run long.ast "
        + "-o long.wav")
    #expect(limited.status == 1)
    #expect(limited.errorText == "ast: error: -o 'long.wav': file too large\n")
    // Even root cannot create files in /proc: the picture fails when it is written, at
    // the end of the render.
    let plot = try ast(in: directory, "run", "tone.ast", "--plot", "/proc/ast-tone.png")
    #expect(plot.status == 1)
    #expect(
      plot.errorText.hasPrefix("ast: error: --plot '/proc/ast-tone.png': cannot create a file"),
      "\(plot.errorText)")
    let emitted = try bash(
      "cd '\(directory.path)' && exec '\(astExecutable)' run tone.ast --emit jsonl > /dev/full")
    #expect(emitted.status == 1)
    #expect(
      emitted.errorText
        == "ast: error: --emit jsonl: cannot write standard output: no space left on device\n")
  }

  @Test("a script's own write that fails names the path as the script spells it")
  func scriptWrite() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    try "write (sine 440 600 rate:48000) \"big.wav\"\n".write(
      toFile: directory.file("big.ast"), atomically: true, encoding: .utf8)
    let result = try bash(
      "cd '\(directory.path)' && ulimit -f 64 && exec '\(astExecutable)' run big.ast")
    #expect(result.status == 1)
    #expect(
      result.errorText.hasPrefix("big.ast:1:1: error: cannot write 'big.wav': file too large"),
      "\(result.errorText)")
  }

  @Test("options whose out does not fit, and bad values: status 2, naming the option")
  func misfits() throws {
    let directory = try toneScript()
    defer { directory.cleanUp() }
    try "out = 3\n".write(toFile: directory.file("number.ast"), atomically: true, encoding: .utf8)
    try "out = chunk (sine 440 1) 0.5\n".write(
      toFile: directory.file("stream.ast"), atomically: true, encoding: .utf8)
    let cases: [([String], String)] = [
      (
        ["run", "number.ast", "-o", "n.wav"],
        "ast: error: -o 'n.wav': 'out' is a Number, so there is no audio to write\n"
      ),
      (
        ["run", "stream.ast", "--plot", "s.png"],
        "ast: error: --plot 's.png': 'out' is a Stream, and --plot pictures a signal (join it "
          + "first)\n"
      ),
      (["run", "tone.ast", "--rate", "0"], "ast: error: --rate must be between 1 and 768000 Hz\n"),
      (
        ["run", "tone.ast", "--memory-limit", "0"],
        "ast: error: --memory-limit must be between 1 and 1073741824 MB\n"
      ),
      (["run", "tone.ast", "--emit", "xml"], "ast: error: --emit takes 'jsonl'\n"),
      (
        ["convert", "in.wav", "out.wav", "--channels", "0"],
        "ast: error: --channels must be positive\n"
      ),
    ]
    for (arguments, message) in cases {
      let result = try runProcess(
        "/bin/bash",
        ["-c", "cd '\(directory.path)' && exec \"$0\" \"$@\"", astExecutable] + arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.errorText.hasPrefix(message), "\(result.errorText)")
      #expect(!result.errorText.contains(".ast:"), "\(result.errorText)")
    }
    #expect(try directory.contents().sorted() == ["number.ast", "stream.ast", "tone.ast"])
  }
}

@Suite("Block times of ast run")
struct BlockTimeTests {
  @Test("--block-times counts the blocks of 'out' at the block size given, with their times")
  func blockTimes() throws {
    let directory = try toneScript(rate: 48_000)
    defer { directory.cleanUp() }
    let result = try ast(
      in: directory, "run", "tone.ast", "-o", "tone.wav", "--block-size", "128", "--block-times")
    #expect(result.status == 0, "\(result.errorText)")
    // Two seconds at 48 kHz in blocks of 128 frames: 750 full blocks and a last, empty pull.
    let line = result.errorText.split(separator: "\n").first { $0.hasPrefix("block times: ") }
    #expect(
      line?.hasPrefix("block times: 751 blocks of 128 frames (2.67 ms of audio each)") == true,
      "\(result.errorText)")
    #expect(line?.contains("99.9th percentile") == true && line?.contains("longest") == true)
    // Both clocks: the wall clock's, and the work on the rendering thread's CPU clock,
    // which is never more than the wall clock's.
    #expect(line?.contains("of it on the CPU); on the CPU: 99.9th percentile") == true)
    let times = (line ?? "").matches(of: /longest ([0-9.]+) (µs|ms)/).map {
      Double($0.output.1)! * ($0.output.2 == "ms" ? 1_000 : 1)
    }
    #expect(times.count == 2 && times[1] <= times[0], "\(line ?? "")")
    // Without the flag nothing is said.
    let quiet = try ast(in: directory, "run", "tone.ast", "-o", "tone.wav")
    #expect(!quiet.errorText.contains("block times"))
  }
}

@Suite("ast run --memory-limit")
struct MemoryLimitOptionTests {
  @Test("the limit is the whole run's: the delay that passes it is named, and nothing is written")
  func wholeRun() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // Twenty lines of 30 s of 44.1 kHz doubles, about 10.1 MB each.
    let delays = "out = sine 440 1" + String(repeating: " |> delay 30 tail:0", count: 20) + "\n"
    try delays.write(toFile: directory.file("delays.ast"), atomically: true, encoding: .utf8)
    let refused = try ast(
      in: directory, "run", "delays.ast", "--memory-limit", "100", "-o", "d.wav")
    #expect(refused.status == 1)
    // The tenth delay, at column 192, is the one that passes 100 MB.
    #expect(
      refused.errorText.hasPrefix(
        "delays.ast:1:192: error: the delay line of 'delay': that needs 11 MB of memory, which "
          + "with the "), "\(refused.errorText)")
    #expect(refused.errorText.contains("the run holds already is more than the limit of 100 MB"))
    #expect(try directory.contents() == ["delays.ast"])
    // Each alone is well within the limit; a larger limit holds all twenty.
    let held = try ast(
      in: directory, "run", "delays.ast", "--memory-limit", "300", "-o", "d.wav")
    #expect(held.status == 0, "\(held.errorText)")
  }
}
