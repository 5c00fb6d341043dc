import ASTRuntime
import ASTTestSupport
import Foundation
import Testing

@Suite("Playing from the session")
struct SessionPlaybackTests {
  /// The 32-bit float samples of a raw file or of a float WAV's `data` chunk.
  private func floats(_ path: String, skippingHeader: Bool = false) throws -> [Float] {
    var data = try Data(contentsOf: URL(fileURLWithPath: path))
    if skippingHeader, let range = data.range(of: Data("data".utf8)) {
      data = data.subdata(in: range.upperBound + 4..<data.count)
    }
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
  }

  @Test(":play plays the last value, or an expression, in the background; :stop reports it")
  func playsValues() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let session = Session(baseDirectory: directory.path)
    let raw = directory.file("played.raw")
    let chose = await session.submit(":device file:FILE=\(raw),FORMAT=raw")
    #expect(chose.lines == ["playing on 'file:FILE=\(raw),FORMAT=raw' from the next ':play'"])
    _ = await session.submit("x = stereo (sine 440 0.5) (noise 0.5 seed:2) |> gain 0.5")
    _ = await session.submit("write x \"x.wav\" format:\"f32\"")
    let played = await session.submit(":play x")
    #expect(!played.failed, "\(played.lines)")
    #expect(played.lines == ["playing 'x' on 'file:FILE=\(raw),FORMAT=raw' (':stop' stops it)"])
    // The prompt is live while it plays: the session takes the next input.
    #expect(await session.submit("1 + 1").lines == ["2"])
    let report = await session.finishPlaying()
    #expect(
      report?.hasPrefix(
        "played 0.500 s of 'x' on 'file:FILE=\(raw),FORMAT=raw' (44100 Hz, stereo, period 256): "
          + "0 underruns") == true, "\(report ?? "nil")")
    let expected = try floats(directory.file("x.wav"), skippingHeader: true)
    let got = try floats(raw)
    #expect(expected.count == 22_050 * 2)
    #expect(Array(got.prefix(expected.count)) == expected)
    // Without an argument: the last value.
    _ = await session.submit("sine 220 0.25")
    let last = await session.submit(":play")
    #expect(last.lines.last == "playing _ on 'file:FILE=\(raw),FORMAT=raw' (':stop' stops it)")
    let stopped = await session.submit(":stop")
    #expect(stopped.lines.first?.hasPrefix("played ") == true, "\(stopped.lines)")
    #expect(await session.submit(":stop").lines == ["nothing is playing"])
  }

  @Test(":play refuses what is not audio, a missing value and a device that cannot open")
  func refusals() async throws {
    let session = Session()
    let nothing = await session.submit(":play")
    #expect(nothing.failed && nothing.lines == ["error: there is no value to play yet"])
    let number = await session.submit(":play 3")
    #expect(number.failed)
    #expect(number.lines == ["error: ':play' plays a signal or a stream, not a Number"])
    let unknown = await session.submit(":play nosuch")
    #expect(unknown.failed)
    #expect(unknown.lines.joined().contains("unknown name 'nosuch'"))
    _ = await session.submit(":device no-such-device")
    let device = await session.submit(":play sine 440 0.1")
    #expect(device.failed)
    #expect(
      device.lines.last?.hasPrefix(
        "error: cannot play on audio device 'no-such-device': cannot open it") == true,
      "\(device.lines)")
    #expect(!session.isPlaying)
  }
}
