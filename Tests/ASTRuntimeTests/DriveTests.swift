import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

@Suite("drive")
struct DriveTests {
  @Test("drive is tanh(a x) / a: a small signal passes with gain 1, a loud one stays below 1 / a")
  func closedForm() async throws {
    let audio = try await render("out = sine 440 0.1 rate:8000 |> drive amount:4")
    let dry = try await render("out = sine 440 0.1 rate:8000")
    var worst = 0.0
    for (y, x) in zip(audio.channels[0], dry.channels[0]) {
      worst = max(worst, abs(Double(y) - tanh(4 * Double(x)) / 4))
    }
    #expect(worst < 1e-6)
    #expect((audio.channels[0].map { abs($0) }.max() ?? 1) < 0.25)
    let quiet = try await render("out = sine 440 0.1 rate:8000 amp:0.001 |> drive amount:4")
    let reference = try await render("out = sine 440 0.1 rate:8000 amp:0.001")
    #expect(differenceDB(quiet.channels[0], reference.channels[0]) < -60)
  }

  @Test("the amount can be a signal, and a stream is driven chunk by chunk")
  func modulatedAndStreams() async throws {
    let swept = try await render(
      "a = sine 2 0.5 rate:8000 * 3 + 4\nout = sine 440 0.5 rate:8000 |> drive a")
    let amounts = try await render("out = sine 2 0.5 rate:8000 * 3 + 4")
    let dry = try await render("out = sine 440 0.5 rate:8000")
    var worst = 0.0
    for index in 0..<dry.frameCount {
      let a = Double(amounts.channels[0][index])
      let expected = tanh(a * Double(dry.channels[0][index])) / a
      worst = max(worst, abs(Double(swept.channels[0][index]) - expected))
    }
    #expect(worst < 1e-6)
    let whole = try await render("out = sine 440 0.5 rate:8000 |> drive 3")
    let chunked = try await render("out = sine 440 0.5 rate:8000 |> chunk 0.1 |> drive 3 |> join")
    #expect(chunked == whole)
    #expect(
      Checker.check(Source(name: "t.ast", text: "out = sine 440 1 |> drive 0")).diagnostics.contains
      {
        $0.id == "out-of-range"
      })
  }
}
