import ASTCore
import ASTEngine
import ASTTestSupport
import Testing

@testable import ASTLanguage

@Suite("Signals used more than once")
struct SharedBindingTests {
  @Test("a named signal used twice in one statement renders once: its print runs once")
  func printedOnce() async throws {
    let (_, _, lines) = try await runScript(
      """
      x = noise 1 rate:8000 seed:3 |> print
      out = stereo x (x * 0.5)
      """)
    #expect(lines.count == 2, "\(lines)")
    let out = try await render("x = noise 1 rate:8000 seed:3\nout = stereo x (x * 0.5)")
    #expect(out.channels[0].map { $0 * 0.5 } == out.channels[1])
  }

  @Test("a function's signal argument used twice is built once")
  func functionArgument() async throws {
    let (_, _, lines) = try await runScript(
      """
      fn twice s = s + s
      x = noise 1 rate:8000 seed:3 |> print
      out = twice (twice x) - 4 * x
      """)
    #expect(lines.count == 2, "\(lines)")
    #expect(lines.last?.contains("peak -inf dBFS") == true, "\(lines)")
  }

  @Test("uses that read at different times get the same samples")
  func sequentialUses() async throws {
    let text = """
      x = noise 1 rate:8000 seed:3 |> lowpass 1000
      twice = concat [x, x]
      late = overlay x x at:0.5
      """
    let x = try await render(text, "x", blockSize: 64)
    let twice = try await render(text, "twice", blockSize: 64)
    #expect(Array(twice.channels[0].prefix(8_000)) == x.channels[0])
    #expect(Array(twice.channels[0].suffix(8_000)) == x.channels[0])
    let late = try await render(text, "late", blockSize: 64)
    let expected = x.channels[0].indices.map { index in
      index < 4_000 ? x.channels[0][index] : x.channels[0][index] + x.channels[0][index - 4_000]
    }
    #expect(late.channels[0] == expected)
  }
}

@Suite("Reading files in large pieces")
struct FileReadingTests {
  @Test("16-bit and float WAV files read the same at every block size, across many reads")
  func blockSizes() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // 40,000 frames: more than two of the reader's 16,384-frame reads.
    let source = "x = stereo (noise 1 rate:40000 seed:1) (noise 1 rate:40000 seed:2) * 0.5"
    _ = try await runScript(
      source + "\nwrite x \"s16.wav\"\nwrite x \"f32.wav\" format:\"f32\"",
      directory: directory.path)
    let original = try await render(source, "x")
    for (name, quantised) in [("s16.wav", true), ("f32.wav", false)] {
      let expected = original.channels.map { channel in
        channel.map { quantised ? Float(PCMKernels.int16(fromFloat: $0)) / 32768 : $0 }
      }
      for size in [1, 1000, 4096] {
        let audio = try await render(
          "out = read \"\(name)\"", blockSize: size, directory: directory.path)
        #expect(audio.channels == expected, "\(name), block size \(size)")
      }
    }
  }
}
