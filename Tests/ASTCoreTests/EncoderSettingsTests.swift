import ASTCore
import ASTTestSupport
import Foundation
import Testing

@Suite("Encoder settings: MP3 bitrate, Vorbis quality, FLAC compression level")
struct EncoderSettingsTests {
  /// Two seconds of sines with a little noise, the kind of signal that costs bits.
  static func music(channels: Int, sampleRate: Int = 44_100) throws -> AudioSegment {
    var random = SeededGenerator(seed: 14)
    let frames = 2 * sampleRate
    let sines = sineSamples(
      frequencies: [220, 331, 495].prefix(channels).map { $0 }, sampleRate: sampleRate,
      frames: frames, amplitude: 0.3)
    let samples = sines.map { $0 + 0.05 * (Double(random.next() % 2_001) / 1_000 - 1) }
    return try AudioSegment(
      samples: samples, encoding: .int16, sampleRate: sampleRate, channelCount: channels)
  }

  @Test("MP3 is 192 kbps by default, mono and stereo, as SoX measures it, with the channels")
  func defaultBitrate() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    for channels in [1, 2] {
      let path = directory.file("default-\(channels).mp3")
      try Self.music(channels: channels).export(to: path)
      #expect(try Sox.bitrate(path) == 192, "\(channels) channels")
      #expect(try Sox.info("c", path) == "\(channels)")
      // Two seconds at 192 kbps is 48 kB, and a few frames for the encoder's delay and
      // the header (each 627 bytes).
      #expect(abs(try fileSize(path) - 48_000) < 2_880, "\(channels) channels")
    }
  }

  @Test("the bitrate sets the MP3 bitrate and so the size", arguments: [32, 64, 128, 256, 320])
  func bitrates(kbps: Int) throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("x.mp3")
    try Self.music(channels: 2).export(to: path, settings: EncoderSettings(bitrate: kbps))
    #expect(try Sox.bitrate(path) == Double(kbps))
    #expect(abs(Double(try fileSize(path)) - Double(kbps) * 250) < Double(kbps) * 15)
  }

  @Test("below 32 kHz the default is the most the rate allows: 160 kbps, then 64")
  func lowRates() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    for (rate, kbps) in [(22_050, 160.0), (16_000, 160.0), (8_000, 64.0)] {
      let path = directory.file("\(rate).mp3")
      try Self.music(channels: 1, sampleRate: rate).export(to: path)
      #expect(try Sox.bitrate(path) == kbps, "\(rate) Hz")
    }
    let low = directory.file("low.mp3")
    try Self.music(channels: 1, sampleRate: 22_050).export(
      to: low, settings: EncoderSettings(bitrate: 32))
    #expect(try Sox.bitrate(low) == 32)
  }

  @Test("FLAC levels change the size, and every level decodes to the same samples")
  func flacLevels() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let segment = try Self.music(channels: 2)
    var sizes: [Int] = []
    for level in [0, 5, 8] {
      let path = directory.file("\(level).flac")
      try segment.export(to: path, settings: EncoderSettings(compression: level))
      sizes.append(try fileSize(path))
      #expect(try AudioSegment(contentsOfFile: path) == segment, "level \(level)")
      #expect(try Sox.raw16(path) == Sox.raw16(directory.file("0.flac")), "level \(level)")
    }
    #expect(sizes[0] > sizes[1] && sizes[1] >= sizes[2], "\(sizes)")
    let standard = directory.file("standard.flac")
    try segment.export(to: standard)
    #expect(try fileSize(standard) == sizes[1])
  }

  @Test("the Vorbis quality sets the bitrate; the default is quality 4")
  func vorbisQuality() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let segment = try Self.music(channels: 2)
    var rates: [Double] = []
    for quality in [0.0, 4, 10] {
      let path = directory.file("\(quality).ogg")
      try segment.export(to: path, settings: EncoderSettings(quality: quality))
      rates.append(try Sox.bitrate(path))
    }
    #expect(rates[0] < rates[1] && rates[1] < rates[2], "\(rates)")
    let standard = directory.file("standard.ogg")
    try segment.export(to: standard)
    #expect(abs(try Sox.bitrate(standard) - rates[1]) < rates[1] * 0.05)
  }

  @Test("a setting for another format or out of range is refused, naming the file")
  func refused() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let segment = try Self.music(channels: 1)
    let cases: [(String, EncoderSettings, String)] = [
      ("a.wav", EncoderSettings(bitrate: 192), "the bitrate applies to MP3 files only, not WAV"),
      ("a.flac", EncoderSettings(quality: 5), "the quality applies to Ogg Vorbis files only"),
      ("a.ogg", EncoderSettings(compression: 5), "the compression level applies to FLAC files"),
      (
        "a.mp3", EncoderSettings(bitrate: 200),
        "the bitrate must be 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256 or 320 "
          + "kbps for MP3 at 44100 Hz, got 200"
      ),
      ("b.mp3", EncoderSettings(bitrate: 8), "got 8"),
      ("a.ogg", EncoderSettings(quality: 10.5), "the quality must be between 0 and 10, got 10.5"),
      ("b.ogg", EncoderSettings(quality: -1), "got -1"),
      ("b.flac", EncoderSettings(compression: 9), "must be a whole number between 0 and 8, got 9"),
    ]
    for (name, settings, reason) in cases {
      do {
        try segment.export(to: directory.file(name), settings: settings)
        Issue.record("\(name) was written")
      } catch let error as AudioFileError {
        #expect(error.kind == .unsupportedFormat)
        #expect(error.path == directory.file(name))
        #expect(error.reason.contains(reason), "\(error.reason)")
      }
    }
    let low = try Self.music(channels: 1, sampleRate: 22_050)
    #expect(
      throws: AudioFileError(
        .unsupportedFormat, .write, path: directory.file("c.mp3"),
        reason: "the bitrate must be 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144 or "
          + "160 kbps for MP3 at 22050 Hz, got 192")
    ) {
      try low.export(to: directory.file("c.mp3"), settings: EncoderSettings(bitrate: 192))
    }
    #expect(try directory.contents().isEmpty)
  }

  @Test("settings are checked without a rate too: only what no rate allows is refused")
  func withoutRate() {
    #expect(EncoderSettings(bitrate: 144).problem(for: .mp3, sampleRate: nil) == nil)
    #expect(EncoderSettings(bitrate: 144).problem(for: .mp3, sampleRate: 44_100) != nil)
    #expect(EncoderSettings(bitrate: 150).problem(for: .mp3, sampleRate: nil) != nil)
    #expect(EncoderSettings(quality: .nan).problem(for: .ogg, sampleRate: nil) != nil)
    #expect(EncoderSettings().problem(for: .wav, sampleRate: 44_100) == nil)
    #expect(
      EncoderSettings.problem(.compression, .infinity, for: .flac, sampleRate: nil)?.reason
        == "must be a whole number between 0 and 8, got inf")
    #expect(
      EncoderSettings.problem(.compression, 2.5, for: .flac, sampleRate: nil)?.message(
        subject: "--compression") == "--compression must be a whole number between 0 and 8, got 2.5"
    )
  }
}
