import ASTCore
import ASTTestSupport
import Foundation
import Testing

@Suite("NodeTool interchange: AudioStream chunks as JSON lines")
struct InterchangeTests {
  /// The repository's root, found from this file's place.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  @Test("--emit jsonl writes out's chunks, one per line, in the contract's JSON form")
  func emit() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("tone.ast")
    try "out = sine 440 1.2 rate:8000 amp:0.5 |> tag \"take\" 3\n".write(
      toFile: script, atomically: true, encoding: .utf8)
    let result = try ast("run", script, "--emit", "jsonl")
    #expect(result.status == 0, "\(result.errorText)")
    let lines = result.text.split(separator: "\n")
    // 1.2 s in half-second chunks: 0.5, 0.5 and 0.2 s.
    #expect(lines.count == 3)
    var frames: [Int16] = []
    var end = 0.0
    for (index, line) in lines.enumerated() {
      let chunk = try AudioStream(jsonData: Data(line.utf8))
      #expect(chunk.format == "pcm_s16le" && chunk.sampleRate == 8_000)
      #expect(chunk.timestamp.start == end)
      end = chunk.timestamp.end
      #expect(chunk.metadata?["chunk_index"] == .int(index))
      #expect(chunk.metadata?["take"] == .int(3))
      frames += int16Values(chunk.data)
    }
    #expect(end == 1.2)
    let expected = (0..<9_600).map {
      PCMKernels.int16(fromFloat: Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 8_000)))
    }
    #expect(frames.count == expected.count)
    #expect(zip(frames, expected).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
  }

  @Test("input format:jsonl reads chunks; a bad line or a wrong rate is an error naming it")
  func input() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("halve.ast")
    try "out = input rate:8000 format:\"jsonl\" |> join |> gain 0.5\n".write(
      toFile: script, atomically: true, encoding: .utf8)
    let chunk = AudioStream(
      data: int16Bytes([1000, -2000, 3000, 4000]), sampleRate: 8_000, channelCount: 1,
      sampleWidth: 2, format: "pcm_s16le", timestamp: Timestamp(start: 0, end: 0.0005))
    let line = String(decoding: try chunk.jsonData(), as: UTF8.self)
    let good = try runProcess(
      astExecutable, ["run", script], input: Data((line + "\n\n" + line).utf8))
    #expect(good.status == 0, "\(good.errorText)")
    #expect(good.text.contains("Audio(8000 Hz, mono) 0.001 s"), "\(good.text)")

    let bad = try runProcess(
      astExecutable, ["run", script], input: Data((line + "\n{\"type\": 3}\n").utf8))
    #expect(bad.status == 1)
    #expect(bad.errorText.contains("standard input, line 2: not an AudioStream chunk"))

    let other = AudioStream(
      data: int16Bytes([1, 2]), sampleRate: 44_100, channelCount: 1, sampleWidth: 2,
      format: "pcm_s16le")
    let wrongRate = try runProcess(
      astExecutable, ["run", script],
      input: Data((String(decoding: try other.jsonData(), as: UTF8.self) + "\n").utf8))
    #expect(wrongRate.status == 1)
    #expect(wrongRate.errorText.contains("44100 Hz, but 'input' declares 1 at 8000 Hz"))

    let both = try ast("run", script, "--emit", "jsonl", "-o", directory.file("x.wav"))
    #expect(both.status == 2)
  }

  @Test("a long JSON line is read in one pass and bounded by the memory limit")
  func longLines() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("join.ast")
    try "out = input rate:8000 format:\"jsonl\" |> join\n".write(
      toFile: script, atomically: true, encoding: .utf8)
    // A chunk of 400,000 frames is one line of about 1 MB, read 64 kB at a time, then a
    // second chunk on the next line.
    let chunk = AudioStream(
      data: int16Bytes((0..<400_000).map { Int16(truncatingIfNeeded: $0) }), sampleRate: 8_000,
      channelCount: 1, sampleWidth: 2, format: "pcm_s16le")
    let line = String(decoding: try chunk.jsonData(), as: UTF8.self)
    let long = try runProcess(
      astExecutable, ["run", script], input: Data((line + "\n" + line).utf8))
    #expect(long.status == 0, "\(long.errorText)")
    #expect(long.text.contains("Audio(8000 Hz, mono) 100.000 s"), "\(long.text)")
    // A line longer than the run may hold, with no end: an error naming what held it.
    // (From a file: the run stops reading before the end, which would break a pipe.)
    try Data(repeating: UInt8(ascii: "x"), count: 24 << 20).write(
      to: URL(fileURLWithPath: directory.file("endless.txt")))
    let refused = try bash(
      "exec '\(astExecutable)' run '\(script)' --memory-limit 8 < '\(directory.file("endless.txt"))'"
    )
    #expect(refused.status == 1)
    #expect(
      refused.errorText.contains("the lines read of 'input'")
        && refused.errorText.contains("more than the limit of 8 MB"), "\(refused.errorText)")
  }

  @Test("the Python example: a NodeTool-style producer and consumer talk to ast over a pipe")
  func pythonExample() throws {
    let example = Self.root + "/Scripts/interchange/nodetool_pipe.py"
    let result = try runProcess("/usr/bin/env", ["python3", example, "--ast", astExecutable])
    #expect(result.status == 0, "\(result.text) \(result.errorText)")
    #expect(result.text.contains("received 12 chunks, 48000 frames"))
    #expect(result.text.hasSuffix("ok\n"))
  }
}
