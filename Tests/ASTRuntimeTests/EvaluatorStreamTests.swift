import ASTCore
import ASTEngine
import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("Streams, block sizes and null tests")
struct EvaluatorStreamTests {
  static let stateful = [
    "gain (sine 3 1.3 rate:8000)", "pan 0.3", "mono", "clip limit:0.4", "lowpass 700 q:2",
    "highpass 300", "bandpass 1000", "notch 500", "eq 900 6", "lowshelf 300 -6",
    "highshelf 2000 4", "fadein 0.3", "delay 37ms feedback:0.6 tail:0", "reverb room:0.7 tail:0",
    "compress threshold_db:-12 attack:2ms", "lowpass (sine 2 1.3 rate:8000 * 300 + 800)",
  ]

  @Test(
    "an effect over a chunked stream gives the samples of the whole signal", arguments: stateful)
  func chunkedEqualsWhole(effect: String) async throws {
    let source = "x = saw 220 1.3 rate:8000 + noise 1.3 seed:2 rate:8000 amp:0.2"
    let whole = try await render("\(source)\nout = x |> \(effect)")
    let chunked = try await render("\(source)\nout = x |> chunk 0.1 |> \(effect) |> join")
    #expect(chunked == whole)
  }

  @Test("resampling a chunked stream gives the samples of resampling it whole")
  func chunkedResample() async throws {
    let whole = try await render("out = sine 440 1 rate:44100 |> resample 48000")
    let chunked = try await render(
      "out = sine 440 1 rate:44100 |> chunk 0.1 |> resample 48000 |> join")
    #expect(chunked.sampleRate == 48_000)
    #expect(chunked.channels[0] == whole.channels[0])
  }

  @Test("chunks carry timestamps, chunk_index and tags")
  func chunkMetadata() async throws {
    let check = Checker.check(
      Source(name: "t", text: "s = tag (chunk (sine 440 1 rate:1000) 0.3) \"take\" 3"))
    #expect(check.diagnostics.isEmpty)
    let typed = check.script
    guard case .binding(_, let value, _)? = typed.statements.first else { return }
    let runner = Evaluator(check: check, options: RunOptions(output: CapturedOutput()))
    _ = try await runner.run()
    guard case .stream(let source) = try await runner.evaluate(value, in: Environment()) else {
      Issue.record("not a stream")
      return
    }
    var chunks: [AudioStream] = []
    while let chunk = try await source.next() { chunks.append(chunk) }
    #expect(
      chunks.map(\.timestamp) == [
        Timestamp(start: 0, end: 0.3), Timestamp(start: 0.3, end: 0.6),
        Timestamp(start: 0.6, end: 0.9), Timestamp(start: 0.9, end: 1.0),
      ])
    #expect(chunks.map { $0.metadata?["chunk_index"] } == [.int(0), .int(1), .int(2), .int(3)])
    #expect(chunks.allSatisfy { $0.metadata?["take"] == .int(3) })
    #expect(chunks.allSatisfy { $0.format == "pcm_f32le" })
  }

  static let patch = """
    lfo = sine 3 2 rate:8000
    tone = saw (220 + 20 * lfo) 2 rate:8000
    drums = noise 2 seed:5 rate:8000 |> bandpass 2000 |> adsr 1ms 50ms 0.2 100ms
    body = mix [tone |> lowpass (lfo * 400 + 900) q:1.5, drums]
      |> delay 30ms feedback:0.4
      |> reverb room:0.6
      |> compress
      |> pan (lfo * 0.5)
    out = concat [body, sine 440 0.3 rate:8000 |> pan 0 |> resample 8000]
      |> fadeout 0.5
    """

  @Test("block sizes of 1, 64 and 4096 frames give the same samples")
  func blockSizes() async throws {
    let reference = try await render(Self.patch, blockSize: 1024)
    for size in [1, 64, 4096] {
      let audio = try await render(Self.patch, blockSize: size)
      #expect(audio == reference, "block size \(size)")
    }
    // Tails end at the same frame whatever the block size.
    for tail in ["delay 37ms feedback:0.6", "reverb room:0.7"] {
      let script = "out = noise 0.05 rate:8000 |> \(tail)"
      let tailed = try await render(script, blockSize: 1024)
      #expect(tailed.frameCount > 800)
      for size in [1, 64, 4096] {
        #expect(try await render(script, blockSize: size) == tailed, "\(tail) at \(size)")
      }
    }
  }

  @Test("a mix of padded notes is the same at every block size and equals their sum")
  func sparseMix() async throws {
    let notes = (0..<24).map { k in
      "pad (voice \(110 + 10 * k)) \(Double(k) * 0.05) \(k % 3 == 0 ? "0.1" : "0")"
    }
    let voice = "fn voice f = saw f 0.2 rate:8000 |> lowpass 1000 q:2 |> adsr 5ms 20ms 0.5 50ms\n"
    let mixed = voice + "out = mix [" + notes.joined(separator: ", ") + "]"
    let summed = voice + "out = " + notes.joined(separator: " + ")
    let reference = try await render(mixed, blockSize: 1024)
    #expect(reference.frameCount == Int((23 * 0.05 + 0.2) * 8000 + 0.5))
    #expect(try await render(summed, blockSize: 1024) == reference)
    for size in [1, 64, 4096] {
      #expect(try await render(mixed, blockSize: size) == reference, "block size \(size)")
    }
  }

  @Test("equivalent graphs null to below -90 dB")
  func nullTests() async throws {
    let pairs = [
      ("gain x 0.5", "x * 0.5"), ("mix [x, y]", "x + y"), ("gain x -6db", "x * 0.501187233627"),
      ("x - y", "x + -y"), ("gain x y", "x * y"), ("mono (stereo x x)", "x"),
      ("concat [slice x 0 0.5, slice x 0.5 2]", "x"), ("reverse (reverse x)", "x"),
      ("overlay x y", "x + y"), ("pad x 0 0", "x"),
    ]
    for (a, b) in pairs {
      let setup = "x = saw 330 1 rate:8000\ny = sine 97 1 rate:8000 amp:0.7\n"
      let first = try await render(setup + "out = \(a)")
      let second = try await render(setup + "out = \(b)")
      #expect(first.frameCount == second.frameCount)
      #expect(differenceDB(first.channels[0], second.channels[0]) < -90, "\(a) vs \(b)")
    }
  }

  @Test("one publisher and two subscribers: every chunk reaches both, in order")
  func channels() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = """
      a = subscribe "bus"
      b = subscribe "bus"
      publish "bus" (sine 440 3 rate:8000 |> chunk 0.01)
      write (join a) "a.wav" format:"f32"
      write (join (b |> gain 0.5)) "b.wav" format:"f32"
      """
    _ = try await runScript(script, directory: directory.path)
    let a = try AudioSegment(contentsOfFile: directory.file("a.wav"))
    let b = try AudioSegment(contentsOfFile: directory.file("b.wav"))
    let expected = try await render("out = sine 440 3 rate:8000")
    #expect(a.frameCount == 24_000)
    #expect(b.frameCount == 24_000)
    #expect(a.samples().map(Float.init) == expected.channels[0])
    #expect(b.samples().map(Float.init) == expected.channels[0].map { $0 * 0.5 })
  }
}

@Suite("Inspection builtins")
struct InspectionTests {
  @Test("plot writes a PNG and passes the signal on; print summarises values and streams")
  func plotAndPrint() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let (_, report, lines) = try await runScript(
      """
      x = sine 440 1 rate:8000
      print (x |> plot "wave.png")
      print (chunk x 0.25)
      print (peak x)
      print "text"
      out = x
      """, directory: directory.path)
    let png = try Data(contentsOf: URL(fileURLWithPath: directory.file("wave.png")))
    #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    #expect(
      lines == [
        "Audio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS",
        "Stream(8000 Hz, mono) 4 chunks of 0.250 s, 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS",
        "0.00 dBFS", "text",
        "Audio(8000 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS",
      ])
    #expect(report.out?.frameCount == 8_000)
  }
}

@Suite("16-bit chunks")
struct IntegerChunkTests {
  @Test("chunk format:\"s16\" makes pcm_s16le chunks by the contract's rule; join reads them")
  func integers() async throws {
    let float = try await render("out = sine 440 0.5 rate:8000 amp:0.5")
    let joined = try await render(
      "out = sine 440 0.5 rate:8000 amp:0.5 |> chunk 0.1 format:\"s16\" |> join")
    #expect(joined.frameCount == float.frameCount)
    let expected = float.channels[0].map { sample -> Float in
      let scaled = sample * 32768
      let value = scaled >= 32767 ? 32767 : scaled > -32768 ? Float(Int16(scaled)) : -32768
      return value / 32768
    }
    #expect(joined.channels[0] == expected)
  }
}

@Suite("Benchmark workloads")
struct WorkloadSmokeTests {
  static let workloads = ["W1", "W2", "W3", "W4", "W5", "W6"]

  @Test("each workload script runs, shortened to a second", arguments: workloads)
  func smoke(name: String) async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    // The inputs of W3 and W5, small.
    try ASTCore.AudioSegment(
      samples: sineSamples(frequencies: [440, 660], sampleRate: 48_000, frames: 4_800),
      sampleRate: 48_000, channelCount: 2
    ).export(to: directory.file("in_W3.wav"))
    try ASTCore.AudioSegment(
      samples: sineSamples(frequencies: [440, 660], sampleRate: 44_100, frames: 4_410),
      sampleRate: 44_100, channelCount: 2
    ).export(to: directory.file("in_W5_44k1.wav"))
    let path = repositoryRoot + "/Scripts/bench/workloads/\(name).ast"
    var text = try String(contentsOfFile: path, encoding: .utf8)
    for long in [" 3600 ", " 600 ", " 60 "] {
      text = text.replacingOccurrences(of: long, with: " 1 ")
    }
    let (_, report, _) = try await runScript(text, directory: directory.path)
    #expect((report.out?.frameCount ?? 0) > 0)
  }
}

@Suite("Evaluator regressions")
struct EvaluatorRegressionTests {
  @Test(
    "a subscription that never runs does not hold the publisher up; no publisher means an empty stream"
  )
  func channelLiveness() async throws {
    let (_, report, _) = try await runScript(
      "rate 8000\npublish \"a\" (chunk (sine 100 5s) 0.01)\nunused = join (subscribe \"a\")\nout = join (subscribe \"a\")"
    )
    #expect(report.out?.frameCount == 40_000)
    let (_, empty, _) = try await runScript("rate 8000\nout = join (subscribe \"nobody\")")
    #expect(empty.out?.frameCount == 0)
    #expect(empty.out?.sampleRate == 44_100)
  }

  @Test("writes and prints on a signal whose consumer stops at its length still happen")
  func tapsFinish() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let (_, _, lines) = try await runScript(
      """
      lfo = sine 5 2s |> write "lfo.wav"
      wobble = print (sine 3 2s)
      out = gain (saw (220 + 3 * wobble) 2s) lfo
      y = write (sine 440 0.1) "alone.wav"
      z = gain y 0.5
      w = slice (write (sine 440 1s) "sliced.wav") 0 1
      print w
      """, directory: directory.path)
    #expect(FileManager.default.fileExists(atPath: directory.file("lfo.wav")))
    #expect(FileManager.default.fileExists(atPath: directory.file("alone.wav")))
    #expect(FileManager.default.fileExists(atPath: directory.file("sliced.wav")))
    // 'print w' runs first as a statement; 'wobble' prints while 'out' renders.
    #expect(
      lines == [
        "Audio(44100 Hz, mono) 1.000 s, peak 0.00 dBFS, RMS -3.01 dBFS",
        "Audio(44100 Hz, mono) 2.000 s, peak 0.00 dBFS, RMS -3.01 dBFS",
        "Audio(44100 Hz, mono) 2.000 s, peak -0.10 dBFS, RMS -7.84 dBFS",
      ])
  }

  @Test("a constant frequency keeps full precision over a long render")
  func frequencyPrecision() async throws {
    let audio = try await render("out = sine 15000.7 20 rate:44100")
    var worst = 0.0
    for n in stride(from: audio.frameCount - 1000, to: audio.frameCount, by: 1) {
      let expected = sin(2 * Double.pi * 15000.7 * Double(n) / 44_100)
      worst = max(worst, abs(Double(audio.channels[0][n]) - expected))
    }
    #expect(worst < 1e-4)
  }

  @Test("many repetitions are not limited by the node count; huge counts do not crash")
  func repetitions() async throws {
    let audio = try await render("out = repeat (sine 441 1ms rate:8000) 20000")
    #expect(audio.frameCount == 8 * 20_000)
  }

  @Test("writing an out that is not audio is an error")
  func outNotAudio() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let check = Checker.check(Source(name: "t", text: "out = 3"))
    let evaluator = Evaluator(
      check: check,
      options: RunOptions(
        output: CollectedOutput(), out: .file(directory.file("x.wav"), EncoderSettings()))
    )
    await #expect(throws: RuntimeError.self) { try await evaluator.run() }
  }
}
