import ASTTestSupport
import Foundation
import Testing

@testable import ASTCore

@Suite("Audio files through libsndfile, checked with SoX")
struct AudioFileTests {
  /// A 0.5 s stereo sine (440 Hz left, 660 Hz right) at amplitude 0.5, 44.1 kHz.
  static func stereoSine(encoding: SampleEncoding, sampleRate: Int = 44_100) throws -> AudioSegment
  {
    try AudioSegment(
      samples: sineSamples(
        frequencies: [440, 660], sampleRate: sampleRate, frames: sampleRate / 2),
      encoding: encoding, sampleRate: sampleRate, channelCount: 2)
  }

  struct LosslessCase: Sendable, CustomTestStringConvertible {
    var fileName: String
    var encoding: SampleEncoding
    var soxBits: String
    /// The largest difference between our samples and SoX's decoding, in full scale.
    var tolerance: Double
    var testDescription: String { "\(fileName) \(encoding.rawValue)" }
  }

  static let losslessCases: [LosslessCase] = [
    LosslessCase(fileName: "s8.wav", encoding: .int8, soxBits: "8", tolerance: 0),
    LosslessCase(fileName: "s16.wav", encoding: .int16, soxBits: "16", tolerance: 0),
    LosslessCase(fileName: "s24.wav", encoding: .int24, soxBits: "24", tolerance: 0),
    LosslessCase(fileName: "s32.wav", encoding: .int32, soxBits: "32", tolerance: 1e-7),
    LosslessCase(fileName: "f32.wav", encoding: .float32, soxBits: "32", tolerance: 1e-7),
    LosslessCase(fileName: "f64.wav", encoding: .float64, soxBits: "64", tolerance: 1e-7),
    LosslessCase(fileName: "s16.flac", encoding: .int16, soxBits: "16", tolerance: 0),
    LosslessCase(fileName: "s24.flac", encoding: .int24, soxBits: "24", tolerance: 0),
    LosslessCase(fileName: "s16.aiff", encoding: .int16, soxBits: "16", tolerance: 0),
    LosslessCase(fileName: "s24.aif", encoding: .int24, soxBits: "24", tolerance: 0),
    LosslessCase(fileName: "f32.aiff", encoding: .float32, soxBits: "32", tolerance: 1e-7),
  ]

  @Test(
    "lossless exports read back by SoX with the same format and samples", arguments: losslessCases)
  func losslessExport(testCase: LosslessCase) throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file(testCase.fileName)
    let segment = try Self.stereoSine(encoding: testCase.encoding)
    try segment.export(to: path)
    #expect(try Sox.info("r", path) == "44100")
    #expect(try Sox.info("c", path) == "2")
    #expect(try Sox.info("b", path) == testCase.soxBits)
    #expect(try Sox.info("s", path) == "22050")
    let decoded = try Sox.decode(path)
    let ours = segment.samples()
    #expect(decoded.count == ours.count)
    // SoX works in 32-bit integers, so floats come back within its rounding (3e-8).
    #expect(maxDifference(decoded, ours) <= max(testCase.tolerance, 1e-9))
    // And our reader gives back exactly what was written.
    let reloaded = try AudioSegment(contentsOfFile: path)
    #expect(reloaded.encoding == testCase.encoding)
    #expect(reloaded == segment)
  }

  @Test(
    "lossy exports (Ogg Vorbis, MP3) are read by SoX at the right rate and level",
    arguments: ["tone.ogg", "tone.mp3"])
  func lossyExport(fileName: String) throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file(fileName)
    let segment = try Self.stereoSine(encoding: .int16)
    try segment.export(to: path)
    #expect(try Sox.info("r", path) == "44100")
    #expect(try Sox.info("c", path) == "2")
    let decoded = try Sox.decode(path)
    // MP3 decoders add the encoder's delay; the length is close, not equal.
    #expect(abs(decoded.count / 2 - 22_050) < 3_000)
    let soxSegment = try AudioSegment(
      samples: decoded.map(Double.init), encoding: .float32, channelCount: 2)
    // That delay is silence: the energy is compared, so the RMS over the longer decoded
    // length is taken back to the original one.
    let lengthening = 10 * log10(Double(soxSegment.frameCount) / Double(segment.frameCount))
    #expect(abs(soxSegment.rmsDBFS + lengthening - segment.rmsDBFS) < 0.5)
    #expect(abs(soxSegment.peakDBFS - segment.peakDBFS) < 1.0)
    let reloaded = try AudioSegment(contentsOfFile: path)
    #expect(reloaded.encoding == .float32)
    #expect(reloaded.sampleRate == 44_100)
    #expect(abs(reloaded.rmsDBFS - segment.rmsDBFS) < 0.5)
  }

  @Test(
    "files written by SoX load with their format and samples",
    arguments: [
      ("a.wav", ["-b", "16"], SampleEncoding.int16, 0.0),
      ("b.wav", ["-b", "24"], .int24, 0.0),
      ("c.wav", ["-b", "32"], .int32, 1e-7),
      ("d.wav", ["-e", "floating-point", "-b", "32"], .float32, 0.0),
      ("e.flac", ["-b", "16"], .int16, 0.0),
      ("f.flac", ["-b", "24"], .int24, 0.0),
      ("g.aiff", ["-b", "16"], .int16, 0.0),
      ("h.ogg", [], .float32, 1e-4),
    ])
  func readSoxFiles(name: String, options: [String], encoding: SampleEncoding, tolerance: Double)
    throws
  {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file(name)
    try Sox.run(
      ["-D", "-n", "-r", "22050", "-c", "2"] + options
        + [path, "synth", "0.25", "sine", "440", "sine", "880", "vol", "0.5"])
    let segment = try AudioSegment(contentsOfFile: path)
    #expect(segment.encoding == encoding)
    #expect(segment.sampleRate == 22_050)
    #expect(segment.channelCount == 2)
    let decoded = try Sox.decode(path)
    #expect(segment.samples().count == decoded.count)
    #expect(maxDifference(segment.samples(), decoded) <= max(tolerance, 1e-9))
    // A lossy codec may overshoot the peak a little.
    #expect(abs(segment.peakDBFS - (-6.02)) < (segment.encoding == .float32 ? 1.0 : 0.1))
  }

  @Test("an MP3 written by SoX loads at its rate and level")
  func readSoxMP3() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("s.mp3")
    try Sox.run(["-n", "-r", "44100", "-c", "1", path, "synth", "1", "sine", "1000", "vol", "0.5"])
    let segment = try AudioSegment(contentsOfFile: path)
    #expect(segment.sampleRate == 44_100)
    #expect(segment.channelCount == 1)
    #expect(abs(segment.durationSeconds - 1) < 0.1)
    // The encoder's padding adds silence at the ends; the middle holds the tone, at
    // the level SoX's own decoder finds there.
    let middle = segment.slice(fromMilliseconds: 200, toMilliseconds: 800)
    let soxMiddle = try AudioSegment(
      samples: try Sox.decode(path).map(Double.init), encoding: .float32
    ).slice(fromMilliseconds: 200, toMilliseconds: 800)
    #expect(abs(middle.rmsDBFS - soxMiddle.rmsDBFS) < 0.25)
    #expect(abs(middle.rmsDBFS - (-9.03)) < 1.0)
  }

  @Test("the format comes from the extension unless one is named")
  func formatOverride() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let segment = try Self.stereoSine(encoding: .int16)
    let path = directory.file("audio.data")
    #expect(throws: AudioFileError.self) { try segment.export(to: path) }
    try segment.export(to: path, format: .flac, encoding: .int24)
    #expect(try Sox.info("t", path) == "flac")
    #expect(try Sox.info("b", path) == "24")
    #expect(try AudioSegment(contentsOfFile: path).encoding == .int24)
    #expect(AudioFileFormat(path: "x/y.WAV") == .wav)
    #expect(AudioFileFormat(path: "x.aif") == .aiff)
    #expect(AudioFileFormat(path: "x.oga") == .ogg)
    #expect(AudioFileFormat(path: "dir.flac/noext") == nil)
    #expect(AudioFileFormat(path: ".wav") == nil)
  }

  @Test("FLAC stores floats as 24-bit integers")
  func flacFromFloat() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("float.flac")
    let segment = try Self.stereoSine(encoding: .float32)
    try segment.export(to: path)
    let reloaded = try AudioSegment(contentsOfFile: path)
    #expect(reloaded.encoding == .int24)
    #expect(maxDifference(reloaded.samples(), segment.samples()) <= 0x1p-23)
  }

  @Test("16-bit exports use the contract's float-to-int16 rule, clipping out-of-range samples")
  func int16Rule() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("rule.wav")
    let segment = try AudioSegment(
      samples: [1.0, -1.0, 0.5, 0.1, 0.99999, 2.0, -2.0, -0.5 / 32768], encoding: .float64)
    try segment.export(to: path, encoding: .int16)
    let raw = try Sox.run([path, "-t", "raw", "-e", "signed", "-b", "16", "-"]).output
    let values = raw.withUnsafeBytes { buffer in
      (0..<(raw.count / 2)).map {
        Int16(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))
      }
    }
    #expect(values == [32767, -32768, 16384, 3276, 32767, 32767, -32768, 0])
  }

  @Test("an export replaces an existing file and leaves no temporary file")
  func overwrite() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("out.wav")
    try Self.stereoSine(encoding: .int16).export(to: path)
    let second = try AudioSegment.silent(milliseconds: 100, sampleRate: 8_000)
    try second.export(to: path)
    #expect(try Sox.info("r", path) == "8000")
    #expect(try directory.contents() == ["out.wav"])
  }

  @Test("a failed export leaves the existing file intact and no temporary file")
  func failedExportKeepsOldFile() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("keep.mp3")
    try Self.stereoSine(encoding: .int16).export(to: path)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    // MP3 has no 7 kHz rate: libsndfile refuses after the temporary file was made.
    let odd = try AudioSegment.silent(milliseconds: 100, sampleRate: 7_000)
    do {
      try odd.export(to: path)
      Issue.record("the export succeeded")
    } catch let error as AudioFileError {
      #expect(error.path == path)
      #expect(error.description.hasPrefix("cannot write '\(path)': "))
      #expect(error.reason.contains("sample rate"), "\(error.reason)")
    }
    // Three channels do not fit MP3 at all.
    let wide = try AudioSegment(samples: [0, 0, 0], channelCount: 3)
    #expect(throws: AudioFileError.self) { try wide.export(to: path) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(try directory.contents() == ["keep.mp3"])
  }

  @Test("an export keeps the permissions of the file it replaces and writes through links")
  func permissionsAndLinks() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let segment = try AudioSegment.silent(milliseconds: 10)
    let path = directory.file("private.wav")
    try segment.export(to: path)
    #expect(chmod(path, 0o600) == 0)
    try segment.export(to: path)
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)

    let target = directory.file("target.wav")
    try segment.export(to: target)
    let link = directory.file("link.wav")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    try AudioSegment.silent(milliseconds: 20, sampleRate: 8_000).export(to: link)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
    #expect(try Sox.info("r", target) == "8000")

    let long = directory.file(String(repeating: "n", count: 240) + ".wav")
    try segment.export(to: long)
    #expect(FileManager.default.fileExists(atPath: long))
  }

  @Test("a cancelled or abandoned writer leaves the destination untouched")
  func cancelledWriter() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("w.wav")
    try Self.stereoSine(encoding: .int16).export(to: path)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let samples = [Int16](repeating: 1000, count: 2_000)
    do {
      let writer = try AudioFileWriter(
        path: path, encoding: .int16, sampleRate: 8_000, channelCount: 2)
      try samples.withUnsafeBufferPointer { try writer.write($0) }
      #expect(try directory.contents().count == 2)
      writer.cancel()
    }
    do {
      let writer = try AudioFileWriter(
        path: path, encoding: .int16, sampleRate: 8_000, channelCount: 2)
      try samples.withUnsafeBufferPointer { try writer.write($0) }
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(try directory.contents() == ["w.wav"])
  }

  @Test(
    "a WAV file too long for 32-bit sizes is RF64 when known ahead, else refused, never wrapped")
  func beyondTheWAVLimit() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // A 64 KiB limit in place of 4 GiB: 8,000 stereo 16-bit frames are 32,000 bytes.
    let limit = 1 << 16
    let block = [Int16](repeating: 1_000, count: 2 * 8_000)
    func writer(_ name: String, expecting frames: Int?) throws -> AudioFileWriter {
      try AudioFileWriter(
        path: directory.file(name), displayPath: name, format: nil, encoding: .int16,
        sampleRate: 8_000, channelCount: 2, settings: EncoderSettings(), expectedFrames: frames,
        sizeLimit: limit)
    }
    // Expected to pass the limit: RF64, read back whole.
    let large = try writer("large.wav", expecting: 24_000)
    for _ in 0..<3 { try block.withUnsafeBufferPointer { try large.write($0) } }
    try large.finish()
    let header = try Data(contentsOf: URL(fileURLWithPath: directory.file("large.wav")))
    #expect(String(decoding: header.prefix(4), as: UTF8.self) == "RF64")
    #expect(try AudioFileReader(path: directory.file("large.wav")).info.frameCount == 24_000)
    #expect(try Sox.info("s", directory.file("large.wav")) == "24000")
    // Within it: plain WAV, as always.
    let small = try writer("small.wav", expecting: 8_000)
    try block.withUnsafeBufferPointer { try small.write($0) }
    try small.finish()
    let plain = try Data(contentsOf: URL(fileURLWithPath: directory.file("small.wav")))
    #expect(String(decoding: plain.prefix(4), as: UTF8.self) == "RIFF")
    // Of unknown length and passing it: an error naming the file, and nothing left.
    let unknown = try writer("unknown.wav", expecting: nil)
    try block.withUnsafeBufferPointer { try unknown.write($0) }
    #expect {
      try block.withUnsafeBufferPointer { try unknown.write($0) }
    } throws: { error in
      "\(error)".contains("unknown.wav") && "\(error)".contains("at most 4 GiB")
    }
    #expect(try directory.contents().sorted() == ["large.wav", "small.wav"])
  }

  @Test("a WAV whose header declares only a streaming placeholder is read whole, and says so")
  func placeholderLength() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("s.wav")
    try Self.stereoSine(encoding: .int16).export(to: path)
    #expect(try AudioFileReader(path: path).declaresPlaceholderLength == false)
    // The sizes a writer to a pipe leaves: 0xFFFFFFFF for the RIFF and the data chunk.
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let frames = try AudioFileReader(path: path).info.frameCount
    for offset in [4, 40] {
      bytes.replaceSubrange(offset..<offset + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let reader = try AudioFileReader(path: path)
    #expect(reader.declaresPlaceholderLength)
    #expect(reader.info.frameCount == frames)
  }

  @Test("a streaming writer produces the file once finished")
  func streamingWriter() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("stream.flac")
    let writer = try AudioFileWriter(
      path: path, encoding: .int16, sampleRate: 16_000, channelCount: 1)
    let block = (0..<1_600).map { Float(sin(Double($0) * 0.1) * 0.25) }
    for _ in 0..<10 { try block.withUnsafeBufferPointer { try writer.write($0) } }
    #expect(writer.frameCount == 16_000)
    #expect(!FileManager.default.fileExists(atPath: path))
    try writer.finish()
    #expect(try Sox.info("s", path) == "16000")
    let reader = try AudioFileReader(path: path)
    #expect(reader.info.frameCount == 16_000)
    #expect(reader.info.format == .flac)
    var buffer = [Float](repeating: 0, count: 4_096)
    var total = 0
    while true {
      let count = try buffer.withUnsafeMutableBufferPointer {
        try reader.read(into: $0.baseAddress!, frames: 4_096)
      }
      if count == 0 { break }
      total += count
    }
    #expect(total == 16_000)
  }

  @Test(
    "missing, empty, directory and garbage inputs give a clear error naming the file",
    arguments: [
      "missing.wav", "empty.wav", "folder.wav", "garbage.wav", "garbage.flac",
      "text.mp3", "header.wav", "garbage.ogg",
    ])
  func badInputs(name: String) throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file(name)
    var generator = SystemRandomNumberGenerator()
    switch name {
    case "empty.wav":
      _ = FileManager.default.createFile(atPath: path, contents: Data())
    case "folder.wav":
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    case "garbage.wav", "garbage.flac", "garbage.ogg":
      let bytes = (0..<4_096).map { _ in UInt8.random(in: 0...255, using: &generator) }
      _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    case "text.mp3":
      _ = FileManager.default.createFile(
        atPath: path, contents: Data(String(repeating: "not audio\n", count: 50).utf8))
    case "header.wav":
      let full = directory.file("full.wav")
      try Self.stereoSine(encoding: .int16).export(to: full)
      let bytes = try Data(contentsOf: URL(fileURLWithPath: full)).prefix(30)
      _ = FileManager.default.createFile(atPath: path, contents: bytes)
    default:
      break
    }
    do {
      let segment = try AudioSegment(contentsOfFile: path)
      Issue.record("loaded \(segment.frameCount) frames from \(name)")
    } catch let error as AudioFileError {
      #expect(error.path == path)
      #expect(error.operation == .read)
      #expect(error.description.hasPrefix("cannot read '\(path)': "))
      #expect(!error.reason.isEmpty)
      switch name {
      case "missing.wav": #expect(error.kind == .notFound)
      case "folder.wav": #expect(error.kind == .notAFile)
      default: #expect(error.kind == .unreadable)
      }
    }
  }

  @Test("writing into a missing directory or onto a directory is refused up front")
  func badDestinations() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let segment = try AudioSegment.silent(milliseconds: 10)
    #expect(
      throws: AudioFileError(
        .notFound, .write, path: directory.file("no/x.wav"),
        reason: "the directory '\(directory.file("no"))' does not exist")
    ) {
      try segment.export(to: directory.file("no/x.wav"))
    }
    let folder = directory.file("d.wav")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    #expect(throws: AudioFileError(.notAFile, .write, path: folder, reason: "it is a directory")) {
      try segment.export(to: folder)
    }
  }
}
