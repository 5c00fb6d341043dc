import ASTCore
import ASTEngine
import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

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

@Suite("Limits")
struct LimitTests {
  /// The error of running `text` with `memoryLimit` bytes, or `nil` when it ran.
  func failure(_ text: String, memoryLimit: Int = RenderContext.defaultMemoryLimit) async
    -> RuntimeError?
  {
    await runtimeFailure(text, memoryLimit: memoryLimit)
  }

  @Test("what must hold a whole signal or a long delay is refused past the memory limit")
  func memoryLimit() async throws {
    // Ten hours reversed would hold 6.4 GB: refused before anything renders.
    let reversed = await failure("out = sine 440 36000 |> reverse")
    #expect(reversed?.message.contains("'reverse' holds the whole signal") == true)
    #expect(reversed?.message.contains("more than the limit of 2.0 GB") == true)
    #expect(reversed?.range.start == 24)
    let delayed = await failure("out = sine 440 1 |> delay 1e9")
    #expect(delayed?.message.contains("the delay line of 'delay'") == true)
    let chunked = await failure("out = sine 440 1 |> chunk 1e9")
    #expect(chunked?.message.contains("each chunk") == true)
    // A signal of unknown length is measured as it arrives.
    let streamed = await failure(
      "out = sine 440 10 |> chunk 0.5 |> join |> normalize", memoryLimit: 1 << 20)
    #expect(streamed?.message.contains("'normalize' holds the whole signal") == true)
    // Lengths longer than a signal can be are refused, not an arithmetic trap.
    let enormous = await failure("s = sine 440 1e11\nout = stereo s s |> repeat 3 |> reverse")
    #expect(enormous?.message.contains("longer than a signal can be (2^53 frames)") == true)
    // Within the limit the same operations run.
    #expect(await failure("out = sine 440 2 |> reverse |> delay 0.5", memoryLimit: 1 << 20) == nil)
  }

  @Test("resampling a signal too long to count to a higher rate is an error, not a trap")
  func resampledLength() async {
    let error = await failure("out = sine 440 1e11 rate:8000 |> resample 384000")
    #expect(
      error?.message
        == "the resampled signal would be 3.84e+16 frames long (100000000000 s at 384000 Hz), "
        + "longer than a signal can be (2^53 frames)")
    #expect(error?.range.start == 33)
    #expect(await failure("out = sine 440 1 rate:8000 |> resample 16000") == nil)
  }
}

@Suite("Signals that can be read only once")
struct ReadOnceTests {
  @Test("standard input used at two places far apart is an error, not missing samples")
  func inputUsedTwice() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // Ten seconds of 8 kHz mono: the second use of `concat` starts when the first has
    // read 80,000 frames, beyond the 65,536 frames the shared ring holds.
    let frames = 80_000
    let path = directory.file("in.raw")
    try Data(int16Bytes((0..<frames).map { Int16(truncatingIfNeeded: $0) })).write(
      to: URL(fileURLWithPath: path))
    let text = "x = input rate:8000 |> join\nout = concat [x, x]\n"
    let check = Checker.check(Source(name: "t.ast", text: text))
    #expect(check.diagnostics.isEmpty, "\(check.diagnostics.map(\.message))")
    var options = RunOptions(output: CapturedOutput())
    let descriptor = open(path, O_RDONLY)
    defer { close(descriptor) }
    options.inputDescriptor = descriptor
    do {
      _ = try await Evaluator(check: check, options: options).run()
      Issue.record("the second use of standard input ran")
    } catch let error as RuntimeError {
      #expect(error.message.contains("'x' is used at two places"), "\(error.message)")
      #expect(error.message.contains("can be read only once"))
    }
  }
}
