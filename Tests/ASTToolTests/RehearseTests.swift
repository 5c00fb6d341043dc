import ASTCore
import ASTTestSupport
import Foundation
import Testing

/// The samples of a float WAV file, frame by frame, and its channels.
private func samples(_ path: String) throws -> (frames: [[Float]], channels: Int) {
  let reader = try AudioFileReader(path: path)
  defer { reader.close() }
  let channels = reader.info.channelCount
  var interleaved = [Float](repeating: 0, count: reader.info.frameCount * channels)
  let read = try interleaved.withUnsafeMutableBufferPointer {
    try reader.read(into: $0.baseAddress!, frames: reader.info.frameCount)
  }
  let frames = (0..<read).map { Array(interleaved[$0 * channels..<($0 + 1) * channels]) }
  return (frames, channels)
}

/// Writes each `(name, text)` into a new directory.
private func scripts(_ files: [(String, String)]) throws -> TemporaryDirectory {
  let directory = try TemporaryDirectory()
  for (name, text) in files {
    try text.write(toFile: directory.file(name), atomically: true, encoding: .utf8)
  }
  return directory
}

/// Renders `script` alone with `ast run` into `name` in 32-bit floats, for comparison.
private func plain(_ script: String, into name: String, in directory: TemporaryDirectory) throws
  -> [[Float]]
{
  let text = script + "\nwrite out \"\(name)\" format:\"f32\"\n"
  try text.write(toFile: directory.file(name + ".ast"), atomically: true, encoding: .utf8)
  let result = try ast(in: directory, "run", name + ".ast")
  #expect(result.status == 0, "\(result.errorText)")
  return try samples(directory.file(name)).frames
}

/// The largest step from one sample to the next in `channel` over `range` of frames.
private func largestStep(_ frames: [[Float]], channel: Int, _ range: Range<Int>) -> Float {
  var largest: Float = 0
  for frame in range.dropFirst() where frame < frames.count {
    largest = max(largest, abs(frames[frame][channel] - frames[frame - 1][channel]))
  }
  return largest
}

/// The RMS level in dB of `channel` over `range`.
private func rms(_ frames: [[Float]], channel: Int, _ range: Range<Int>) -> Double {
  let sum = range.reduce(0.0) { $0 + Double(frames[$1][channel] * frames[$1][channel]) }
  return 10 * log10(sum / Double(range.count))
}

private let first = """
  rate 48000
  a = sine 440 4 |> gain 0.5
  b = saw 220 4 |> gain 0.2
  out = stereo a b
  """

@Suite("ast rehearse: what a live patch plays as versions are applied")
struct RehearseTests {
  @Test("a version with a type error changes nothing: the output is the first version's")
  func rejectedVersion() throws {
    let directory = try scripts([
      ("a.ast", first),
      ("bad.ast", first.replacingOccurrences(of: "saw 220 4", with: "saw \"x\" 4")),
    ])
    defer { directory.cleanUp() }
    let rehearsed = try ast(
      in: directory, "rehearse", "a.ast", "bad.ast", "--at", "1", "-o", "r.wav")
    #expect(rehearsed.status == 0)
    #expect(rehearsed.errorText.contains("bad.ast:3:"))
    #expect(String(decoding: rehearsed.output, as: UTF8.self).contains("rejected"))
    let (live, _) = try samples(directory.file("r.wav"))
    let alone = try plain(first, into: "a.wav", in: directory)
    #expect(live.count == 4 * 48000)
    #expect(live == alone)
  }

  @Test(
    "a binding the edit does not touch is bit-identical across the swap; the changed one moves without a click"
  )
  func untouchedBinding() throws {
    let directory = try scripts([
      ("a.ast", first),
      ("b.ast", first.replacingOccurrences(of: "saw 220 4", with: "square 330 4")),
    ])
    defer { directory.cleanUp() }
    let rehearsed = try ast(in: directory, "rehearse", "a.ast", "b.ast", "--at", "1", "-o", "r.wav")
    #expect(rehearsed.status == 0, "\(rehearsed.errorText)")
    #expect(String(decoding: rehearsed.output, as: UTF8.self).contains("rebuilt 'b'"))
    let (live, _) = try samples(directory.file("r.wav"))
    let before = try plain(first, into: "a.wav", in: directory)
    let square = try plain(
      first.replacingOccurrences(of: "saw 220 4", with: "square 330 4"), into: "s.wav",
      in: directory)
    // The left channel is 'a' alone, unchanged by the edit of 'b'.
    #expect((0..<before.count).allSatisfy { live[$0][0] == before[$0][0] })
    // Before the swap the right channel is the saw exactly; around it no step is larger
    // than either version's own largest step.
    #expect((0..<48000).allSatisfy { live[$0][1] == before[$0][1] })
    let own = max(
      largestStep(before, channel: 1, 0..<before.count),
      largestStep(square, channel: 1, 0..<square.count))
    #expect(largestStep(live, channel: 1, 47_000..<52_000) <= own + 1e-4)
  }

  @Test("crossfading two uncorrelated noises keeps the level within 1 dB (equal power)")
  func equalPower() throws {
    let noise = "rate 48000\nout = noise 2 seed:1 |> gain 0.25\n"
    let directory = try scripts([
      ("a.ast", noise), ("b.ast", noise.replacingOccurrences(of: "seed:1", with: "seed:2")),
    ])
    defer { directory.cleanUp() }
    let rehearsed = try ast(
      in: directory, "rehearse", "a.ast", "b.ast", "--at", "0.5", "--fade", "200ms", "-o",
      "r.wav")
    #expect(rehearsed.status == 0, "\(rehearsed.errorText)")
    let (live, _) = try samples(directory.file("r.wav"))
    let steady = rms(live, channel: 0, 0..<24_000)
    // Through the 200 ms fade (9,600 frames from frame 24,000), in windows of 10 ms.
    for start in stride(from: 24_000, to: 33_600, by: 480) {
      let level = rms(live, channel: 0, start..<(start + 480))
      #expect(abs(level - steady) < 1, "at frame \(start): \(level) dB, steady \(steady) dB")
    }
  }

  @Test("with --quant bar the new contribution starts exactly on the bar's frame")
  func quantisedToBar() throws {
    let silent = "rate 48000\ntempo 90\nb = silence 8\nout = b\n"
    let directory = try scripts([
      ("a.ast", silent),
      ("b.ast", "rate 48000\ntempo 90\nb = noise 8 |> gain 0.5\nout = b\n"),
    ])
    defer { directory.cleanUp() }
    let rehearsed = try ast(
      in: directory, "rehearse", "a.ast", "b.ast", "--at", "1", "--quant", "bar", "-o", "r.wav")
    #expect(rehearsed.status == 0, "\(rehearsed.errorText)")
    // At 90 beats a minute a bar of four beats is 8/3 s: 128,000 frames.
    #expect(
      String(decoding: rehearsed.output, as: UTF8.self).contains(
        "version 2 (b.ast) applied at bar 2 (2.667 s)"))
    let (live, _) = try samples(directory.file("r.wav"))
    let firstSound = live.firstIndex { $0[0] != 0 }
    #expect(firstSound == 128_000)
  }

  @Test("a deleted binding is below -90 dBFS within the fade and one period")
  func removedBinding() throws {
    let directory = try scripts([
      ("a.ast", "rate 48000\nhum = sine 100 4 |> gain 0.5\nout = mix [hum, silence 4]\n"),
      ("b.ast", "rate 48000\nout = silence 4\n"),
    ])
    defer { directory.cleanUp() }
    let rehearsed = try ast(
      in: directory, "rehearse", "a.ast", "b.ast", "--at", "1", "-o", "r.wav")
    #expect(rehearsed.status == 0, "\(rehearsed.errorText)")
    let (live, _) = try samples(directory.file("r.wav"))
    // 30 ms of fade and a period of 256 frames after the swap at frame 48,000.
    let quiet = 48_000 + 1_440 + 256
    let floor = Float(pow(10, -90.0 / 20))
    #expect(live[quiet...].allSatisfy { abs($0[0]) < floor })
    #expect(live[47_000..<48_000].contains { abs($0[0]) > 0.1 })
  }

  @Test("a change of a constant glides: the oscillator keeps its phase and moves without a step")
  func glide() throws {
    let directory = try scripts([
      ("a.ast", "rate 48000\nout = sine 440 2 |> gain 0.5\n"),
      ("b.ast", "rate 48000\nout = sine 660 2 |> gain 0.5\n"),
    ])
    defer { directory.cleanUp() }
    let rehearsed = try ast(in: directory, "rehearse", "a.ast", "b.ast", "--at", "1", "-o", "r.wav")
    #expect(rehearsed.status == 0, "\(rehearsed.errorText)")
    #expect(String(decoding: rehearsed.output, as: UTF8.self).contains("glided"))
    let (live, _) = try samples(directory.file("r.wav"))
    // A 660 Hz sine at 0.5 moves at most 0.5 * 2 pi * 660 / 48000 a sample.
    #expect(largestStep(live, channel: 0, 40_000..<60_000) <= 0.0433)
    // Past the 20 ms glide the frequency is 660 Hz: a period of 48000/660 frames.
    let late = (50_000..<51_000).filter { live[$0 - 1][0] < 0 && live[$0][0] >= 0 }
    #expect(late.count >= 13 && late.count <= 14)
  }

  @Test("a version whose length is not known before it plays needs --length")
  func unknownLength() throws {
    let ringing = "rate 48000\nout = sine 440 1 |> delay 30ms feedback:0.5\n"
    let directory = try scripts([("a.ast", first), ("b.ast", ringing)])
    defer { directory.cleanUp() }
    let endless = try ast(in: directory, "rehearse", "a.ast", "b.ast", "--at", "1", "-o", "r.wav")
    #expect(endless.status == 2)
    #expect(endless.errorText.contains("version 2's 'out' (b.ast) is not known before it plays"))
    #expect(!FileManager.default.fileExists(atPath: directory.file("r.wav")))
    let bounded = try ast(
      in: directory, "rehearse", "a.ast", "b.ast", "--at", "1", "--length", "2", "-o", "r.wav")
    #expect(bounded.status == 0, "\(bounded.errorText)")
    #expect(try samples(directory.file("r.wav")).frames.count == 96_000)
  }

  @Test("bad arguments are refused with the option named")
  func arguments() throws {
    let directory = try scripts([("a.ast", first)])
    defer { directory.cleanUp() }
    let missing = try ast(in: directory, "rehearse", "a.ast", "a.ast", "-o", "r.wav")
    #expect(missing.status == 2)
    #expect(missing.errorText.contains("give one --at for each next version"))
    let quant = try ast(
      in: directory, "rehearse", "a.ast", "a.ast", "--at", "1", "--quant", "bars", "-o", "r.wav")
    #expect(quant.errorText.contains("--quant takes 'none', 'beat' or 'bar'"))
    let gone = try ast(in: directory, "rehearse", "a.ast", "nosuch.ast", "--at", "1", "-o", "r.wav")
    #expect(gone.status == 1)
    #expect(!FileManager.default.fileExists(atPath: directory.file("r.wav")))
  }
}
