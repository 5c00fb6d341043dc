import ASTCore
import ASTTestSupport
import Foundation
import Testing

/// Damaged and hostile audio files, made on the spot from a good one.
enum BadFiles {
  /// A one-second 16-bit mono WAV of a sine at 8 kHz, as bytes.
  static func goodWAV() -> [UInt8] {
    var bytes: [UInt8] = []
    func text(_ value: String) { bytes += Array(value.utf8) }
    func word(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    func half(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    let samples = (0..<8_000).map { Int16(16_000 * sin(2 * Double.pi * 440 * Double($0) / 8_000)) }
    text("RIFF")
    word(UInt32(36 + samples.count * 2))
    text("WAVEfmt ")
    word(16)
    half(1)
    half(1)
    word(8_000)
    word(16_000)
    half(2)
    half(16)
    text("data")
    word(UInt32(samples.count * 2))
    bytes += int16Bytes(samples)
    return bytes
  }

  /// `bytes` with a little-endian 32-bit `value` at `offset` (or 16-bit with `half`).
  static func patched(_ bytes: [UInt8], at offset: Int, _ value: UInt32, half: Bool = false)
    -> [UInt8]
  {
    var result = bytes
    withUnsafeBytes(of: value.littleEndian) { raw in
      for index in 0..<(half ? 2 : 4) { result[offset + index] = raw[index] }
    }
    return result
  }

  /// Every case: a file name and its contents.
  static func corpus() -> [(String, [UInt8])] {
    let good = goodWAV()
    var random = SeededGenerator(seed: 99)
    let noise = (0..<6_000).map { _ in UInt8.random(in: 0...255, using: &random) }
    return [
      ("empty.wav", []),
      ("header-cut.wav", Array(good.prefix(20))),
      ("data-cut.wav", Array(good.prefix(1_000))),
      ("fmt-size-wrong.wav", patched(good, at: 16, 0xFFFF_FF00)),
      ("zero-channels.wav", patched(good, at: 22, 0, half: true)),
      ("zero-rate.wav", patched(good, at: 24, 0)),
      ("data-size-huge.wav", patched(patched(good, at: 40, 0x1000_0000), at: 4, 0x1000_0024)),
      ("noise.wav", noise),
      ("noise.flac", noise),
      ("noise.mp3", noise),
      ("noise.ogg", noise),
      ("noise.aiff", noise),
      ("riff-header-noise.wav", Array(good.prefix(12)) + noise),
    ]
  }
}

@Suite("Bad audio files")
struct BadFileTests {
  @Test("each damaged file gives one clear error naming it, status 1, in bounded memory")
  func corpus() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    var cases = BadFiles.corpus()
    try FileManager.default.createDirectory(
      atPath: directory.file("folder.wav"), withIntermediateDirectories: false)
    cases.append(("folder.wav", []))
    for (name, bytes) in cases where name != "folder.wav" {
      try Data(bytes).write(to: URL(fileURLWithPath: directory.file(name)))
    }
    // Memory is compared with a run that reads a good file: a damaged one may not cost
    // more (a declared size far beyond the file must not be allocated).
    try Data(BadFiles.goodWAV()).write(to: URL(fileURLWithPath: directory.file("good.wav")))
    try "out = read \"good.wav\"\n".write(
      toFile: directory.file("good.ast"), atomically: true, encoding: .utf8)
    let (_, baseline) = try runMeasuringMemory(
      "/bin/bash", ["-c", "cd '\(directory.path)' && exec '\(astExecutable)' run good.ast"])
    var accepted: [String] = []
    for (name, _) in cases {
      let path = directory.file(name)
      let info = try ast("info", path)
      if info.status == 0 { accepted.append(name) }
      #expect(info.status == 1, "\(name): \(info.text)")
      let errorLines = info.errorText.split(separator: "\n").filter { $0.hasPrefix("ast: error:") }
      #expect(errorLines.count == 1, "\(name): \(info.errorText)")
      #expect(errorLines.first?.contains("'\(path)'") == true, "\(name): \(info.errorText)")

      let script = directory.file("read.ast")
      try "out = read \"\(name)\"\n".write(toFile: script, atomically: true, encoding: .utf8)
      let command = "cd '\(directory.path)' && exec '\(astExecutable)' run read.ast"
      let run = try bash(command)
      #expect(run.status == 1, "\(name) run: \(run.text)")
      #expect(run.errorText.contains("error: cannot read '"), "\(name) run: \(run.errorText)")
      let (_, kilobytes) = try runMeasuringMemory("/bin/bash", ["-c", command])
      if measuresMemory {
        #expect(kilobytes < baseline + 16 * 1024, "\(name): \(kilobytes) kB, \(baseline) kB")
      }
    }
    #expect(accepted.isEmpty)
  }

  @Test("a cut Ogg or MP3 file is an error naming it, as a cut WAV is; the whole file reads")
  func cutEncodedFiles() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try "out = sine 440 3 |> gain 0.5\n".write(
      toFile: directory.file("tone.ast"), atomically: true, encoding: .utf8)
    for name in ["tone.ogg", "tone.mp3"] {
      let made = try ast(in: directory, "run", "tone.ast", "-o", name)
      #expect(made.status == 0, "\(made.errorText)")
      let whole = try Data(contentsOf: URL(fileURLWithPath: directory.file(name)))
      #expect(try ast("info", directory.file(name)).status == 0)
      let cut = "cut-" + name
      try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: directory.file(cut)))
      let info = try ast("info", directory.file(cut))
      #expect(info.status == 1, "\(cut): \(info.text)")
      #expect(
        info.errorText.contains("cannot read '\(directory.file(cut))': the file is truncated"),
        "\(cut): \(info.errorText)")
      // The one line is the project's: the decoders' own notes stay unprinted.
      #expect(info.errorText.split(separator: "\n").count == 1, "\(cut): \(info.errorText)")
    }
  }

  @Test("an MP3 whose damaged frames the decoder drops is refused by name, quietly")
  func damagedMP3() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try """
    out = stereo (noise 3.3 |> gain 0.3) (sine 200 3.3) |> resample 48000 \
      |> write "tone.mp3" bitrate:320

    """.write(toFile: directory.file("tone.ast"), atomically: true, encoding: .utf8)
    let made = try ast(in: directory, "run", "tone.ast")
    #expect(made.status == 0, "\(made.errorText)")
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.file("tone.mp3"))))
    // Every seventh byte of a kilobyte of frame data, the frame headers left alone.
    for index in stride(from: 5000, to: 6000, by: 7) { bytes[index] = 0xFF }
    let path = directory.file("damaged.mp3")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let info = try ast("info", path)
    #expect(info.status == 1, "\(info.text)")
    #expect(
      info.errorText.contains(
        "cannot read '\(path)': the file is damaged: the decoder gives 157824 of the 158400 frames"
      ), "\(info.errorText)")
    #expect(info.errorText.split(separator: "\n").count == 1, "\(info.errorText)")
  }

  @Test(
    "a file nobody may read is refused by name",
    .enabled(if: geteuid() != 0, "root reads any file, so this runs only as another user"))
  func unreadable() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("locked.wav")
    try Data(BadFiles.goodWAV()).write(to: URL(fileURLWithPath: path))
    chmod(path, 0)
    let info = try ast("info", path)
    #expect(info.status == 1)
    #expect(info.errorText.contains("cannot read '\(path)': permission denied"))
  }

  @Test("the good file reads, and so do ones with a wrong RIFF size or a placeholder size")
  func goodReads() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // A wrong RIFF size with whole sample data is common (streamed WAV) and harmless.
    let good = BadFiles.goodWAV()
    // SoX writing to a pipe leaves 0x7FFFF000 as the data size: a placeholder, not damage.
    let piped = BadFiles.patched(good, at: 40, 0x7FFF_F000)
    for (name, bytes) in [
      ("good.wav", good), ("riff-size.wav", BadFiles.patched(good, at: 4, 0)),
      ("placeholder.wav", piped),
    ] {
      let path = directory.file(name)
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let info = try ast("info", path)
      #expect(info.status == 0, "\(name): \(info.errorText)")
      #expect(info.text.contains("8000 frames"), "\(name)")
    }
  }
}
