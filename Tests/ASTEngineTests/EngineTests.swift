import ASTCore
import ASTTestSupport
import Foundation
import Testing

@testable import ASTEngine

@Suite("Engine nodes")
struct EngineTests {
  func oscillator(_ waveform: Waveform, frames: Int, context: RenderContext) -> OscillatorNode {
    OscillatorNode(
      waveform: waveform, frequency: ParameterSignal(constant: 100),
      amplitude: ParameterSignal(constant: 1),
      sampleRate: 8_000, frameCount: frames, context: context)
  }

  @Test("a node renders exactly its length, then nothing")
  func lengths() async throws {
    let context = RenderContext(blockSize: 64)
    let node = oscillator(.sine, frames: 100, context: context)
    let buffer = node.makeBuffer()
    #expect(try await node.pull(into: buffer, frames: 64) == 64)
    #expect(try await node.pull(into: buffer, frames: 64) == 36)
    #expect(try await node.pull(into: buffer, frames: 64) == 0)
  }

  @Test("a cancelled token stops a render at the next block")
  func cancellation() async throws {
    let token = CancellationToken()
    let context = RenderContext(blockSize: 64, cancellation: token)
    token.cancel()
    await #expect(throws: RenderError.cancelled) {
      _ = try await Render.drain(self.oscillator(.sine, frames: 10_000, context: context))
    }
  }

  @Test("the file writer converts by the contract's rule and counts clipped samples")
  func writerClipping() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let trouble = TroubleReport()
    let path = directory.file("w.wav")
    let writer = try SignalFileWriter(
      path: path, sampleRate: 8_000, channelCount: 1, origin: 7,
      context: RenderContext(trouble: trouble))
    let buffer = AudioBuffer(channelCount: 1, capacity: 6)
    for (index, value) in [Float(0.5), 1, 1.5, -2, .nan, -0.5 / 32768].enumerated() {
      buffer.channel(0)[index] = value
    }
    try await writer.write(buffer, frames: 6)
    try await writer.finish()
    #expect(trouble.entries[TroubleReport.Key(origin: 7, kind: .clipped(target: path))] == 2)
    #expect(trouble.entries[TroubleReport.Key(origin: 7, kind: .nonFinite)] == 1)
    let values = int16Values(Array(try Sox.raw16(path)))
    #expect(values == [16384, 32767, 32767, -32768, 0, 0])
  }

  @Test("pictures are written through libpng and read back pixel for pixel")
  func png() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("p.png")
    let rgb = (0..<(5 * 3 * 3)).map { UInt8($0 * 5) }
    try PictureFile.writePNG(rgb: rgb, width: 5, height: 3, to: path)
    let read = try #require(PictureFile.readPNG(path))
    #expect(read.width == 5 && read.height == 3)
    #expect(read.rgb == rgb)
    #expect(try directory.contents() == ["p.png"])
    #expect(throws: AudioFileError.self) {
      try PictureFile.writePNG(rgb: rgb, width: 5, height: 3, to: directory.file("no/p.png"))
    }
  }

  @Test("a spectrogram puts a sine's energy in the row of its frequency")
  func spectrogram() async throws {
    let context = RenderContext(blockSize: 512)
    for frequency in [1_000.0, 4_000.0, 250.0] {
      let node = OscillatorNode(
        waveform: .sine, frequency: ParameterSignal(constant: frequency),
        amplitude: ParameterSignal(constant: 0.5), sampleRate: 44_100, frameCount: 44_100,
        context: context)
      let picture = SpectrogramPicture(sampleRate: 44_100, channelCount: 1, frameCount: 44_100)
      _ = try await Render.drain(node) { buffer, count in picture.add(buffer, frames: count) }
      let levels = picture.levels()[0]
      // A second in transforms a quarter window (1024 frames) apart.
      #expect(levels.count >= 40 && levels.count <= 44, "\(levels.count) columns")
      let column = levels[levels.count / 2]
      let loudest = column.indices.max { column[$0] < column[$1] }!
      let expected = picture.row(forFrequency: frequency)
      #expect(abs(loudest - expected) <= 1, "\(frequency) Hz: row \(loudest), expected \(expected)")
      // A half-scale sine is about -6 dBFS, and far from it the picture is dark.
      #expect(abs(column[loudest] - (-6.02)) < 1.5, "\(column[loudest]) dBFS")
      #expect(column[picture.row(forFrequency: frequency * 4)] < -60)
      #expect(picture.pixels().count == picture.width * picture.height * 3)
    }
  }

  @Test("a spectrogram of unknown length merges columns, so its memory stays bounded")
  func spectrogramBounded() {
    let picture = SpectrogramPicture(
      sampleRate: 8_000, channelCount: 2, frameCount: nil, width: 154, laneHeight: 40)
    #expect(picture.spectrumWidth == 50)
    let buffer = AudioBuffer(channelCount: 2, capacity: 1_000)
    for _ in 0..<1_000 { picture.add(buffer, frames: 1_000) }
    // A million frames are about 980 transforms: merged down to fewer than 100 columns,
    // in each channel.
    let levels = picture.levels()
    #expect(levels.count == 2)
    for channel in levels {
      #expect(channel.count >= 50 && channel.count < 100, "\(channel.count) columns")
      #expect(channel.allSatisfy { $0.count == 40 })
    }
  }

  @Test("a waveform picture has one lane per channel and marks the signal")
  func picture() async throws {
    let context = RenderContext(blockSize: 256)
    let node = oscillator(.sine, frames: 8_000, context: context)
    let picture = WaveformPicture(sampleRate: 8_000, channelCount: 1, width: 100, laneHeight: 50)
    _ = try await Render.drain(node) { buffer, count in try picture.add(buffer, frames: count) }
    let pixels = picture.pixels()
    // One lane, and a 16-pixel time axis under it.
    #expect(picture.height == 66)
    #expect(pixels.count == 100 * 66 * 3)
    // Full-scale sine: every column is painted from near the top to near the bottom.
    let column = 50
    let painted = (0..<50).filter { pixels[($0 * 100 + column) * 3 + 2] == 200 }
    #expect(painted.count > 40)
    // The axis has a tick and a label at 0 s: dark pixels in its first columns.
    let dark = (50..<66).flatMap { y in (0..<12).map { (y * 100 + $0) * 3 } }.filter {
      pixels[$0] < 100
    }
    #expect(dark.count > 10)
    #expect(TimeAxis.step(for: 1) == 0.1 && TimeAxis.step(for: 3600) == 600)
    #expect(TimeAxis.label(0.5) == "0.5s" && TimeAxis.label(20) == "20s")
  }

  @Test("in dBFS a quiet signal fills more of its lane than on a linear scale")
  func waveformDecibels() async throws {
    func span(decibels: Bool) async throws -> Int {
      let context = RenderContext(blockSize: 256)
      let node = OscillatorNode(
        waveform: .sine, frequency: ParameterSignal(constant: 100),
        amplitude: ParameterSignal(constant: 0.1), sampleRate: 8_000, frameCount: 8_000,
        context: context)
      let picture = WaveformPicture(
        sampleRate: 8_000, channelCount: 1, width: 100, laneHeight: 122, decibels: decibels)
      _ = try await Render.drain(node) { buffer, count in try picture.add(buffer, frames: count) }
      let pixels = picture.pixels()
      return (0..<122).filter { pixels[($0 * 100 + 50) * 3 + 2] == 200 }.count
    }
    // -20 dBFS: a tenth of the half lane linearly, two thirds of it in dBFS from -60.
    let linear = try await span(decibels: false)
    let decibels = try await span(decibels: true)
    #expect(abs(linear - 13) <= 2, "\(linear)")
    #expect(abs(decibels - 81) <= 3, "\(decibels)")
  }
}
