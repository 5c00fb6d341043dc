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
    #expect(try await node.render(into: buffer, frames: 64) == 64)
    #expect(try await node.render(into: buffer, frames: 64) == 36)
    #expect(try await node.render(into: buffer, frames: 64) == 0)
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
      path: path, sampleRate: 8_000, channelCount: 1, origin: 7, trouble: trouble)
    let buffer = AudioBuffer(channelCount: 1, capacity: 6)
    for (index, value) in [Float(0.5), 1, 1.5, -2, .nan, -0.5 / 32768].enumerated() {
      buffer.channel(0)[index] = value
    }
    try writer.write(buffer, frames: 6)
    try writer.finish()
    #expect(trouble.entries[TroubleReport.Key(origin: 7, kind: .clipped(target: path))] == 2)
    #expect(trouble.entries[TroubleReport.Key(origin: 7, kind: .nonFinite)] == 1)
    let values = int16Values(Array(try Sox.raw16(path)))
    #expect(values == [16384, 32767, 32767, -32768, 0, 0])
  }

  @Test("the PNG encoder writes a valid header, checksums and dimensions")
  func png() {
    let data = [UInt8](
      PNGEncoder.encode(rgb: [UInt8](repeating: 200, count: 3 * 4 * 2), width: 4, height: 2))
    #expect(Array(data[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(Array(data[12..<16]) == Array("IHDR".utf8))
    #expect(Array(data[16..<24]) == [0, 0, 0, 4, 0, 0, 0, 2])
    // The IEND chunk's CRC is the well-known 0xAE426082.
    #expect(Array(data.suffix(4)) == [0xAE, 0x42, 0x60, 0x82])
    #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
  }

  @Test("a waveform picture has one lane per channel and marks the signal")
  func picture() async throws {
    let context = RenderContext(blockSize: 256)
    let node = oscillator(.sine, frames: 8_000, context: context)
    let picture = WaveformPicture(sampleRate: 8_000, channelCount: 1, width: 100, laneHeight: 50)
    _ = try await Render.drain(node) { buffer, count in picture.add(buffer, frames: count) }
    let pixels = picture.pixels()
    #expect(pixels.count == 100 * 50 * 3)
    // Full-scale sine: every column is painted from near the top to near the bottom.
    let column = 50
    let painted = (0..<50).filter { pixels[($0 * 100 + column) * 3 + 2] == 200 }
    #expect(painted.count > 40)
  }
}
