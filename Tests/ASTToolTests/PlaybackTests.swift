import ASTTestSupport
import Foundation
import Testing

/// The 32-bit float samples of a raw file (what ALSA's `file` device writes).
func rawFloats(_ path: String) throws -> [Float] {
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}

/// The samples of a 32-bit float WAV file, interleaved (its `data` chunk).
func wavFloats(_ path: String) throws -> [Float] {
  let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  var offset = 12
  while offset + 8 <= bytes.count {
    let size = bytes[offset + 4..<offset + 8].reversed().reduce(0) { ($0 << 8) | Int($1) }
    if bytes[offset..<offset + 4].elementsEqual("data".utf8) {
      let body = Data(bytes[offset + 8..<min(bytes.count, offset + 8 + size)])
      return body.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
    offset += 8 + size + size % 2
  }
  return []
}

/// ALSA's `file` device writing raw samples to `path`.
func fileDevice(_ path: String) -> String { "file:FILE=\(path),FORMAT=raw" }

@Suite("Playing through ALSA's file and null devices")
struct PlaybackTests {
  static let stereo =
    "x = stereo (sine 440 1.3 |> gain 0.5) (noise 1.3 seed:3 |> gain 0.2 |> lowpass 3000)\n"

  @Test("ast play gives the device exactly the samples ast run writes", arguments: [256, 64, 1000])
  func sameSamples(period: Int) throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try (Self.stereo + "out = x\n").write(
      toFile: directory.file("play.ast"), atomically: true, encoding: .utf8)
    try (Self.stereo + "out = write x \"ref.wav\" format:\"f32\"\n").write(
      toFile: directory.file("write.ast"), atomically: true, encoding: .utf8)
    let written = try ast(in: directory, "run", "write.ast")
    #expect(written.status == 0, "\(written.errorText)")
    let raw = directory.file("played.raw")
    let played = try ast(
      in: directory, "play", "play.ast", "--device", fileDevice(raw), "--period", String(period))
    #expect(played.status == 0, "\(played.errorText)")
    #expect(played.text.isEmpty, "\(played.text)")
    let expected = try wavFloats(directory.file("ref.wav"))
    let got = try rawFloats(raw)
    #expect(expected.count == 57_330 * 2)
    // The device may pad the last period with silence.
    #expect(got.count >= expected.count && got.count < expected.count + 2 * 2 * period)
    #expect(Array(got.prefix(expected.count)) == expected)
    #expect(got.dropFirst(expected.count).allSatisfy { $0 == 0 })
    #expect(
      played.errorText.hasPrefix(
        "played 1.300 s on '\(fileDevice(raw))' (44100 Hz, stereo, period \(period)): "
          + "0 underruns, worst block "), "\(played.errorText)")
    #expect(played.errorText.contains("latency "), "\(played.errorText)")
  }

  @Test("a device that takes only 16-bit samples gets them by the contract's rule")
  func sixteenBit() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // ALSA's linear plugin takes integer samples only, so the player falls back to
    // 16-bit; it writes them to a raw file.
    try FileManager.default.createDirectory(
      atPath: directory.file("alsa"), withIntermediateDirectories: true)
    try """
    pcm.s16file {
      @args [ OUTFILE ]
      @args.OUTFILE { type string }
      type linear
      slave { pcm { type file slave.pcm null file $OUTFILE format raw } format S16_LE }
    }

    """.write(toFile: directory.file("alsa/asoundrc"), atomically: true, encoding: .utf8)
    try (Self.stereo + "out = x\n").write(
      toFile: directory.file("play.ast"), atomically: true, encoding: .utf8)
    let written = try ast(in: directory, "run", "play.ast", "-o", "ref.wav")
    #expect(written.status == 0, "\(written.errorText)")
    let raw = directory.file("played.raw")
    let played = try runProcess(
      astExecutable,
      ["play", directory.file("play.ast"), "--device", "s16file:OUTFILE=\(raw)"],
      environment: ["XDG_CONFIG_HOME": directory.path])
    #expect(played.status == 0, "\(played.errorText)")
    #expect(
      played.errorText.contains("(44100 Hz, stereo, 16-bit, period 256)"), "\(played.errorText)")
    let expected = try Sox.raw16(directory.file("ref.wav"))
    let got = try Data(contentsOf: URL(fileURLWithPath: raw))
    #expect(expected.count == 57_330 * 4)
    #expect(got.prefix(expected.count) == expected)
  }

  @Test("ast run --play -o writes the file and plays the same samples")
  func runPlaysAndWrites() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try (Self.stereo + "out = x\n").write(
      toFile: directory.file("play.ast"), atomically: true, encoding: .utf8)
    let raw = directory.file("played.raw")
    let result = try ast(
      in: directory, "run", "play.ast", "-o", "out.flac", "--play", "--device", fileDevice(raw))
    #expect(result.status == 0, "\(result.errorText)")
    #expect(result.errorText.contains("played 1.300 s"), "\(result.errorText)")
    let info = try ast("info", directory.file("out.flac"))
    #expect(info.text.contains("57330 frames"), "\(info.text)")
    #expect(try rawFloats(raw).count >= 57_330 * 2)
  }

  @Test("an audio file plays as its samples")
  func audioFile() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try (Self.stereo + "out = write x \"ref.wav\" format:\"f32\"\n").write(
      toFile: directory.file("write.ast"), atomically: true, encoding: .utf8)
    #expect(try ast(in: directory, "run", "write.ast").status == 0)
    let raw = directory.file("played.raw")
    let played = try ast(in: directory, "play", "ref.wav", "--device", fileDevice(raw))
    #expect(played.status == 0, "\(played.errorText)")
    let expected = try wavFloats(directory.file("ref.wav"))
    #expect(Array(try rawFloats(raw).prefix(expected.count)) == expected)
  }

  @Test("samples past full scale are clipped and counted; --limiter brings them under")
  func clipAndLimit() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try "out = sine 100 0.5 |> gain 1.5\n".write(
      toFile: directory.file("loud.ast"), atomically: true, encoding: .utf8)
    let clippedRaw = directory.file("clipped.raw")
    let clipped = try ast(in: directory, "play", "loud.ast", "--device", fileDevice(clippedRaw))
    #expect(clipped.status == 0, "\(clipped.errorText)")
    #expect(clipped.errorText.contains(" samples clipped"), "\(clipped.errorText)")
    let hard = try rawFloats(clippedRaw)
    #expect(hard.max() == 1 && hard.min() == -1)
    let limitedRaw = directory.file("limited.raw")
    let limited = try ast(
      in: directory, "play", "loud.ast", "--limiter", "--device", fileDevice(limitedRaw))
    #expect(limited.status == 0, "\(limited.errorText)")
    #expect(!limited.errorText.contains("clipped"), "\(limited.errorText)")
    let soft = try rawFloats(limitedRaw)
    #expect(soft.count == hard.count)
    #expect(soft.allSatisfy { abs($0) <= 1 })
    // Limited, not clipped: far fewer samples sit at full scale.
    #expect(soft.filter { abs($0) >= 0.999 }.count * 2 < hard.filter { abs($0) == 1 }.count)
    // And no step larger than the sine's own.
    let steps = zip(soft, soft.dropFirst()).map { abs($0 - $1) }
    #expect((steps.max() ?? 0) < 0.03)
  }

  @Test("a block holding NaN is muted and reported once with its time")
  func nanIsMuted() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // A float WAV with ten NaN samples at frame 1000 (in the fourth block of 256).
    var samples = (0..<4410).map { Float(0.5 * sin(Double($0) * 0.06)) }
    for index in 1000..<1010 { samples[index] = .nan }
    let data = samples.withUnsafeBytes { Data($0) }
    var header = Data("RIFF".utf8)
    func append32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { header += $0 } }
    func append16(_ value: Int) { withUnsafeBytes(of: UInt16(value).littleEndian) { header += $0 } }
    append32(36 + data.count)
    header += Data("WAVEfmt ".utf8)
    append32(16)
    append16(3)
    append16(1)
    append32(44_100)
    append32(44_100 * 4)
    append16(4)
    append16(32)
    header += Data("data".utf8)
    append32(data.count)
    try (header + data).write(to: URL(fileURLWithPath: directory.file("nan.wav")))
    let raw = directory.file("played.raw")
    let played = try ast(in: directory, "play", "nan.wav", "--device", fileDevice(raw))
    #expect(played.status == 0, "\(played.errorText)")
    #expect(
      played.errorText.contains(
        "ast: warning: 'out' held NaN or infinite samples at 0.017 s: the block was muted"),
      "\(played.errorText)")
    #expect(played.errorText.contains("1 block muted"), "\(played.errorText)")
    let got = try rawFloats(raw)
    #expect(!got.contains { $0.isNaN })
    #expect(got[768..<1024].allSatisfy { $0 == 0 })
    #expect(Array(got[1024..<4410]) == Array(samples[1024..<4410]))
  }

  @Test("a device that cannot be opened, or options without --play, are refused by name")
  func refusals() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try "out = sine 440 0.1\n".write(
      toFile: directory.file("tone.ast"), atomically: true, encoding: .utf8)
    let missing = try ast(in: directory, "play", "tone.ast", "--device", "no-such-device")
    #expect(missing.status == 1)
    #expect(
      missing.errorText.contains(
        "ast: error: cannot play on audio device 'no-such-device': cannot open it"),
      "\(missing.errorText)")
    let period = try ast(in: directory, "play", "tone.ast", "--period", "8")
    #expect(period.status == 2)
    #expect(period.errorText.contains("--period must be between 16 and 65536 frames"))
    let unplayed = try ast(in: directory, "run", "tone.ast", "--device", "null")
    #expect(unplayed.status == 2)
    #expect(unplayed.errorText.contains("--device says how 'out' is played; give --play"))
    let noFile = try ast(in: directory, "play", "nothing.wav", "--device", "null")
    #expect(noFile.status == 1)
    #expect(noFile.errorText.contains("cannot read 'nothing.wav': no such file"))
    try "x = 1\n".write(toFile: directory.file("none.ast"), atomically: true, encoding: .utf8)
    let noOut = try ast(in: directory, "play", "none.ast", "--device", "null")
    #expect(noOut.status == 2, "\(noOut.errorText)")
    #expect(noOut.errorText.contains("binds no 'out' to play"), "\(noOut.errorText)")
  }

  @Test("input device: captures what an ALSA device hears: here a device that reads a file")
  func capture() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // A capture device of the test's own: ALSA's file plugin reading a raw file as its
    // microphone, defined where ALSA looks for the user's configuration.
    try FileManager.default.createDirectory(
      atPath: directory.file("alsa"), withIntermediateDirectories: true)
    try """
    pcm.testin {
      @args [ INFILE ]
      @args.INFILE { type string }
      type file
      slave.pcm null
      file "/dev/null"
      infile $INFILE
      format raw
    }

    """.write(toFile: directory.file("alsa/asoundrc"), atomically: true, encoding: .utf8)
    let heard = (0..<88_200).map { Float(0.4 * sin(Double($0) * 0.021) * cos(Double($0) * 0.0007)) }
    try heard.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: directory.file("in.raw")))
    let device = "testin:INFILE=\(directory.file("in.raw"))"
    try """
    mic = input device:"\(device)" rate:44100 channels:2
    out = slice (join mic) 0 0.5 |> write "\(directory.file("heard.wav"))" format:"f32"

    """.write(toFile: directory.file("capture.ast"), atomically: true, encoding: .utf8)
    let result = try runProcess(
      astExecutable, ["run", directory.file("capture.ast")],
      environment: ["XDG_CONFIG_HOME": directory.path])
    #expect(result.status == 0, "\(result.errorText)")
    let got = try wavFloats(directory.file("heard.wav"))
    #expect(got.count == 22_050 * 2)
    #expect(got == Array(heard.prefix(got.count)))
    // A device that is not there is an error naming it.
    try "out = slice (join (input device:\"no-such-mic\")) 0 0.1\n".write(
      toFile: directory.file("missing.ast"), atomically: true, encoding: .utf8)
    let missing = try ast("run", directory.file("missing.ast"))
    #expect(missing.status == 1)
    #expect(
      missing.errorText.contains(
        "error: cannot capture from audio device 'no-such-mic': cannot open it"),
      "\(missing.errorText)")
  }

  @Test("ast devices lists ALSA's devices, the null device among them")
  func devices() throws {
    let result = try ast("devices")
    #expect(result.status == 0, "\(result.errorText)")
    #expect(result.text.split(separator: "\n").contains { $0.hasPrefix("null ") })
  }
}
