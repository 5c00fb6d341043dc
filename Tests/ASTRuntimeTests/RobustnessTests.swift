import ASTTestSupport
import Foundation
import Testing

@testable import ASTRuntime
@testable import ASTSemantics
@testable import ASTSyntax

/// Checks what must hold for any input: diagnostics point inside the source, render
/// without trouble, and a script without errors prints back to the same tree.
func checkInvariants(_ bytes: [UInt8], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  let source = Source(name: "fuzz", bytes: bytes)
  let result = Parser.parse(source)
  for diagnostic in result.diagnostics {
    #expect(
      diagnostic.range.start >= 0 && diagnostic.range.end <= bytes.count,
      sourceLocation: sourceLocation)
    #expect(!diagnostic.message.isEmpty, sourceLocation: sourceLocation)
  }
  _ = DiagnosticRenderer(source: source).render(result.diagnostics)
  _ = SyntaxDump(source: source).dump(result.script)
  if result.diagnostics.isEmpty {
    let printed = SourcePrinter.print(result.script)
    let reparsed = Parser.parse(Source(name: "printed", text: printed))
    #expect(reparsed.diagnostics.isEmpty, "\(printed)", sourceLocation: sourceLocation)
    #expect(
      reparsed.script.strippingRanges() == result.script.strippingRanges(), "\(printed)",
      sourceLocation: sourceLocation)
  }
}

@Suite("Front end robustness")
struct RobustnessTests {
  static let pieces = [
    "x", "osc", "f", "fn", "=", "|>", "+", "-", "*", "/", "(", ")", "[", "]", ",", ":", ";",
    "\n", "\n\n", "440", "-6db", "1.2khz", "0.5", "1e-3", "\"s\"", "\"open", "\"a\\qb\"", "@",
    "# note\n", "1e", "1.", "Hz", "q:", " ", " ", "\t", "\r\n", "é", "|", "-", "2s", "--",
  ]

  @Test("random token soup never crashes or hangs", arguments: 0..<4)
  func tokenSoup(seed: UInt64) {
    var random = SeededGenerator(seed: 1_000 + seed)
    for _ in 0..<1_000 {
      let count = Int.random(in: 0..<40, using: &random)
      var text = ""
      for _ in 0..<count {
        text += Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &random)]
        if Bool.random(using: &random) { text += " " }
      }
      checkInvariants(Array(text.utf8))
    }
  }

  static let seeds: [String] = [
    """
    rate 48000
    lfo  = sine 5hz 2s
    tone = saw (220hz + 3 * lfo) 2s
    out  = tone
      |> lowpass 1.2khz q:0.9
      |> adsr 10ms 200ms 0.6 500ms
      |> delay 250ms feedback:0.35 mix:0.3
      |> gain -6db
      |> chunk 500ms
    """,
    """
    fn voice freq dur = saw freq dur |> lowpass (freq * 4) q:0.8
    melody = concat [voice 220 0.5, voice 330 0.5, voice 440 1]
    write melody "melody.wav"; print (peak melody)
    """,
  ]

  @Test("random mutations of valid scripts never crash or hang", arguments: 0..<4)
  func mutations(seed: UInt64) {
    var random = SeededGenerator(seed: 2_000 + seed)
    for _ in 0..<1_000 {
      var bytes = Array(Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &random)].utf8)
      for _ in 0..<Int.random(in: 1...6, using: &random) {
        let position = Int.random(in: 0...bytes.count, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0 where position < bytes.count:
          bytes.remove(at: position)
        case 1:
          bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
        case 2:
          let piece = Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &random)]
          bytes.insert(contentsOf: Array(piece.utf8), at: position)
        default:
          let end = min(bytes.count, position + Int.random(in: 0...12, using: &random))
          bytes.insert(contentsOf: bytes[position..<end], at: position)
        }
      }
      checkInvariants(bytes)
    }
  }
}
