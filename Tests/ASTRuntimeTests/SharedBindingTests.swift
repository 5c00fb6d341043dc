import ASTCore
import ASTEngine
import ASTTestSupport
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

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
