import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

/// The peak of `samples[range]` in dBFS.
private func peakDB(_ samples: [Float], _ range: Range<Int>) -> Double {
  let peak = samples[range].reduce(Float(0)) { max($0, abs($1)) }
  return 20 * log10(Double(max(peak, 1e-30)))
}

@Suite("Effect tails")
struct TailTests {
  @Test("a reverb rings on after its input until below -90 dBFS, then ends")
  func reverbRingsOut() async throws {
    let audio = try await render("out = noise 50ms rate:8000 |> reverb")
    let input = 400
    let frames = audio.frameCount
    #expect(frames > input + 8000 / 2, "the tail is \(frames - input) frames")
    // Audible a tenth of a second after the input, silent at the end.
    #expect(peakDB(audio.channels[0], (input + 800)..<(input + 900)) > -60)
    #expect(peakDB(audio.channels[0], (frames - 400)..<frames) < -90)
    // The same at another block size: the tail ends where the filters fall silent.
    let small = try await render("out = noise 50ms rate:8000 |> reverb", blockSize: 64)
    #expect(small.frameCount > input + 8000 / 2)
    #expect(peakDB(small.channels[0], (small.frameCount - 400)..<small.frameCount) < -90)
  }

  @Test("echoes ring out; without feedback the tail is exactly the delay time")
  func delayRingsOut() async throws {
    let single = try await render("out = noise 50ms rate:8000 |> delay 250ms")
    #expect(single.frameCount == 400 + 2000)
    #expect(peakDB(single.channels[0], 2000..<2400) > -10)
    let echoes = try await render("out = noise 50ms rate:8000 |> delay 250ms feedback:0.5")
    // 0.5 per echo: -90 dBFS from about -6 dBFS takes about 14 echoes of 2000 frames.
    #expect(echoes.frameCount > 12 * 2000)
    #expect(echoes.frameCount < 20 * 2000)
    let last = echoes.frameCount
    #expect(peakDB(echoes.channels[0], (last - 2000)..<last) < -90)
    #expect(peakDB(echoes.channels[0], (10 * 2000)..<(10 * 2000 + 400)) > -70)
  }

  @Test("tail:0 keeps the input's length, a time sets the tail, a long one stops at 60 s")
  func tailArgument() async throws {
    let kept = try await render("out = noise 50ms rate:8000 |> reverb tail:0")
    #expect(kept.frameCount == 400)
    let set = try await render("out = noise 50ms rate:8000 |> delay 100ms feedback:0.9 tail:1s")
    #expect(set.frameCount == 400 + 8000)
    let capped = try await render("out = noise 10ms rate:1000 |> delay 5s feedback:0.99")
    #expect(capped.frameCount == 10 + 60 * 1000)
    #expect(
      Checker.check(Source(name: "t.ast", text: "out = noise 1 |> reverb tail:-1s")).diagnostics
        .contains {
          $0.id == "out-of-range"
        })
  }

  @Test("on a stream each chunk keeps its length")
  func streams() async throws {
    let audio = try await render("out = noise 0.3 rate:8000 |> chunk 0.1 |> reverb |> join")
    #expect(audio.frameCount == 2400)
  }
}
