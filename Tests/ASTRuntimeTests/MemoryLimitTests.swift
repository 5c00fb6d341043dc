import ASTCore
import ASTEngine
import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("One memory budget for the whole run")
struct MemoryLimitTests {
  static let megabyte = 1 << 20

  /// Runs `text`, which must check clean, in `directory` with `memoryLimit` bytes;
  /// returns the error it failed with (`nil` when it ran) and the bytes the run still
  /// held at the end.
  func run(_ text: String, memoryLimit: Int, directory: String? = nil) async -> (
    RuntimeError?, held: Int
  ) {
    let check = Checker.check(
      Source(name: "t.ast", text: text), options: CheckOptions(baseDirectory: directory))
    #expect(check.diagnostics.isEmpty, "\(check.diagnostics.map(\.message))")
    var options = RunOptions(baseDirectory: directory, output: CapturedOutput())
    options.memoryLimit = memoryLimit
    let evaluator = Evaluator(check: check, options: options)
    do {
      _ = try await evaluator.run()
      return (nil, evaluator.context.memory.bytesHeld)
    } catch {
      return (error as? RuntimeError, evaluator.context.memory.bytesHeld)
    }
  }

  /// Where the `occurrence`-th (from 1) `word` starts in `text`.
  func offset(of word: String, occurrence: Int, in text: String) -> Int? {
    var index = text.startIndex
    for _ in 1..<occurrence {
      guard let found = text.range(of: word, range: index..<text.endIndex) else { return nil }
      index = found.upperBound
    }
    return text.range(of: word, range: index..<text.endIndex).map {
      text.utf8.distance(from: text.startIndex, to: $0.lowerBound)
    }
  }

  @Test("20 delays of 30 s at 100 MB: the tenth, which passes the budget, is named")
  func delays() async throws {
    // Each line holds 30 s of 44.1 kHz doubles, about 10.1 MB: nine fit in 100 MB.
    let text = "out = sine 440 1" + String(repeating: " |> delay 30", count: 20) + "\n"
    let (error, held) = await run(text, memoryLimit: 100 * Self.megabyte)
    let failure = try #require(error)
    #expect(failure.diagnosticID == Evaluator.IDs.memoryLimit)
    #expect(
      failure.message.hasPrefix(
        "the delay line of 'delay': that needs 11 MB of memory, which "
          + "with the "), "\(failure.message)")
    #expect(failure.message.hasSuffix("the run holds already is more than the limit of 100 MB"))
    #expect(failure.range.start == offset(of: "delay", occurrence: 10, in: text))
    #expect(held == 0)
    // Ten of them in a row fit no better; nine do.
    let nine = "out = sine 440 1" + String(repeating: " |> delay 30 tail:0", count: 9) + "\n"
    #expect(await run(nine, memoryLimit: 100 * Self.megabyte).0 == nil)
  }

  @Test("a reverb's filter lines count against the budget")
  func reverbs() async throws {
    // At 384 kHz each mono reverb holds about 440 KB of lines: two fit in 1 MB.
    let text =
      "out = sine 440 0.01 rate:384000" + String(repeating: " |> reverb tail:0", count: 3) + "\n"
    let (error, _) = await run(text, memoryLimit: Self.megabyte)
    let failure = try #require(error)
    #expect(failure.diagnosticID == Evaluator.IDs.memoryLimit)
    #expect(failure.message.hasPrefix("the filter lines of 'reverb': that needs "))
    #expect(failure.range.start == offset(of: "reverb", occurrence: 3, in: text))
    let two =
      "out = sine 440 0.01 rate:384000" + String(repeating: " |> reverb tail:0", count: 2) + "\n"
    #expect(await run(two, memoryLimit: Self.megabyte).0 == nil)
  }

  @Test("a signal held whole by 'adsr' is named as 'adsr', at its place")
  func adsr() async throws {
    let text = "out = sine 440 10 |> chunk 0.5 |> join |> adsr 0.1 0.1 0.5 0.1\n"
    let failure = try #require(await run(text, memoryLimit: Self.megabyte).0)
    #expect(failure.diagnosticID == Evaluator.IDs.memoryLimit)
    #expect(failure.message.hasPrefix("'adsr' holds the whole signal: that needs "))
    #expect(failure.range.start == offset(of: "adsr", occurrence: 1, in: text))
  }

  @Test("an effect on a stream, built at its first chunk, is named at its place")
  func liftedDelay() async throws {
    let text = "out = sine 440 1 |> chunk 0.1 |> delay 100\n"
    let failure = try #require(await run(text, memoryLimit: 10 * Self.megabyte).0)
    #expect(failure.diagnosticID == Evaluator.IDs.memoryLimit)
    #expect(failure.message.hasPrefix("the delay line of 'delay': that needs 34 MB of memory"))
    #expect(failure.range.start == offset(of: "delay", occurrence: 1, in: text))
  }

  @Test("a picture that grows as the signal renders is named at its 'plot'")
  func growingPicture() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // The picture's pixels take about 830 KB of the megabyte at once; ten minutes at
    // 8 kHz, of unknown length, grow the waveform's envelope by about 150 KB more.
    let text = "out = sine 440 600 rate:8000 |> chunk 1 |> join |> plot \"p.png\"\n"
    let (error, held) = await run(text, memoryLimit: Self.megabyte, directory: directory.path)
    let failure = try #require(error)
    #expect(failure.diagnosticID == Evaluator.IDs.memoryLimit)
    #expect(failure.message.hasPrefix("the picture of 'plot': that needs "), "\(failure.message)")
    #expect(failure.range.start == offset(of: "plot", occurrence: 1, in: text))
    #expect(held == 0)
  }

  @Test("many small nodes pass the budget with their blocks, named at the node that did")
  func blocks() async throws {
    // Each compressor pulls its input into a block of 4 KB.
    let filters = Array(repeating: "sine 440 0.1 |> compress -20 4", count: 300)
    let text = "out = mix [" + filters.joined(separator: ", ") + "]\n"
    let failure = try #require(await run(text, memoryLimit: Self.megabyte).0)
    #expect(failure.diagnosticID == Evaluator.IDs.memoryLimit)
    #expect(failure.message.hasPrefix("the block buffers of 'compress': that needs 4 KB"))
    #expect(await run(text, memoryLimit: 4 * Self.megabyte).0 == nil)
  }

  @Test("a run under the limit passes, and gives everything back at the end")
  func underTheLimit() async throws {
    let text = """
      x = sine 440 1 |> reverse |> delay 0.5 tail:0 |> reverb tail:0
      write (x |> chunk 0.1 |> delay 0.1) "x.wav"
      out = stereo x (x |> normalize) |> plot "x.png" |> spectrogram "s.png"
      """
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let (error, held) = await run(text, memoryLimit: 100 * Self.megabyte, directory: directory.path)
    #expect(error == nil, "\(error?.message ?? "")")
    #expect(held == 0)
  }

  @Test("a statement's memory comes back when its graph is freed: two of 58 MB fit in 100 MB")
  func releasedBetweenStatements() async throws {
    let line = "sine 440 0.1 |> delay 170 tail:0"
    let separate = "print (\(line))\nprint (\(line))\nout = \(line)\n"
    let (error, held) = await run(separate, memoryLimit: 100 * Self.megabyte)
    #expect(error == nil, "\(error?.message ?? "")")
    #expect(held == 0)
    // Held at once, in one statement, they do not fit.
    let together = "out = mix [\(line), \(line)]\n"
    let failure = try #require(await run(together, memoryLimit: 100 * Self.megabyte).0)
    #expect(
      failure.message.hasPrefix(
        "the delay line of 'delay': that needs 58 MB of memory, which with the 58 MB"))
  }
}
