import ASTTestSupport
import Foundation
import Testing

@testable import ASTSyntax

/// Builds random syntax trees of the shapes the parser produces.
struct TreeGenerator {
  var random: SeededGenerator

  static let names = ["a", "osc", "out", "x2", "_t", "sine", "lowpass", "fnord"]
  static let digits = ["0", "1", "440", "0.5", "1e-3", "2.5E+2", "-6", "-0.25", "12"]
  static let strings = [
    "", "in.wav", "say \"hi\"", "tab\there", "back\\slash", "ünï", "two\nlines",
  ]

  mutating func pick<T>(_ items: [T]) -> T {
    items[Int.random(in: 0..<items.count, using: &random)]
  }
  mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

  mutating func identifier() -> Identifier { Identifier(pick(Self.names), .zero) }

  mutating func number() -> Expr {
    let text = pick(Self.digits)
    let unit: NumberUnit? = chance(40) ? pick(NumberUnit.allCases) : nil
    return .number(NumberLiteral(value: Double(text)!, text: text, unit: unit), .zero)
  }

  mutating func primary(depth: Int) -> Expr {
    switch Int.random(in: 0..<(depth > 0 ? 5 : 3), using: &random) {
    case 0: return number()
    case 1: return .string(pick(Self.strings), .zero)
    case 2: return .identifier(identifier())
    default:
      let count = Int.random(in: 0...3, using: &random)
      return .list((0..<count).map { _ in expression(depth: depth - 1) }, .zero)
    }
  }

  mutating func call(depth: Int, identifierCallee: Bool = false) -> Expr {
    let callee: Expr =
      identifierCallee || chance(85) ? .identifier(identifier()) : expression(depth: depth - 1)
    var arguments: [CallArgument] = []
    let positional = Int.random(in: 0...3, using: &random)
    let named = Int.random(in: (positional == 0 ? 1 : 0)...2, using: &random)
    for _ in 0..<positional {
      arguments.append(CallArgument(label: nil, value: expression(depth: depth - 1), range: .zero))
    }
    for _ in 0..<named {
      arguments.append(
        CallArgument(label: identifier(), value: expression(depth: depth - 1), range: .zero))
    }
    return .call(callee: callee, arguments: arguments, .zero)
  }

  mutating func expression(depth: Int) -> Expr {
    guard depth > 0 else { return primary(depth: 0) }
    switch Int.random(in: 0..<10, using: &random) {
    case 0, 1: return primary(depth: depth)
    case 2, 3: return call(depth: depth)
    case 4: return .negate(expression(depth: depth - 1), .zero)
    case 5, 6:
      return .binary(
        pick(BinaryOperator.allCases), expression(depth: depth - 1), expression(depth: depth - 1),
        .zero)
    default:
      let stage: Expr =
        chance(70) ? call(depth: depth - 1, identifierCallee: true) : .identifier(identifier())
      return .pipe(expression(depth: depth - 1), stage, .zero)
    }
  }

  mutating func statement() -> Statement {
    switch Int.random(in: 0..<3, using: &random) {
    case 0: return .binding(name: identifier(), value: expression(depth: 4), .zero)
    case 1:
      let parameters = (0..<Int.random(in: 0...3, using: &random)).map { _ in identifier() }
      return .function(
        name: identifier(), parameters: parameters, body: expression(depth: 4), .zero)
    default: return .expression(expression(depth: 4), .zero)
    }
  }
}

@Suite("Canonical printer")
struct PrinterTests {
  @Test("examples print canonically")
  func examples() {
    let cases: [(String, String)] = [
      ("x=1", "x = 1\n"),
      ("out = gain osc 0.5 |> chunk 0.5", "out = gain osc 0.5 |> chunk 0.5\n"),
      ("out = a |> f |> g 1", "out = a\n  |> f\n  |> g 1\n"),
      ("y = (1+2)*3", "y = (1 + 2) * 3\n"),
      ("y = 1-(2-3)", "y = 1 - (2 - 3)\n"),
      ("y = -(6db)", "y = -(6db)\n"),
      ("y = f q:-6db r:(a+b)", "y = f q:-6db r:(a + b)\n"),
      ("fn v f d = saw f d|>lowpass (f*4)", "fn v f d = saw f d |> lowpass (f * 4)\n"),
      ("write x \"a\\tb\"", "write x \"a\\tb\"\n"),
      ("m = mix [a,b,]", "m = mix [a, b]\n"),
      ("(f 1) 2", "(f 1) 2\n"),
    ]
    for (input, expected) in cases {
      let result = Parser.parse(Source(name: "t", text: input))
      #expect(result.diagnostics.isEmpty)
      #expect(SourcePrinter.print(result.script) == expected)
    }
  }

  @Test("printing a generated tree and parsing it gives the same tree", arguments: 0..<8)
  func roundTrip(seed: UInt64) {
    var generator = TreeGenerator(random: SeededGenerator(seed: seed))
    for _ in 0..<250 {
      let script = Script(
        statements: (0..<Int.random(in: 1...4, using: &generator.random)).map { _ in
          generator.statement()
        })
      let printed = SourcePrinter.print(script)
      let reparsed = Parser.parse(Source(name: "printed", text: printed))
      let same = reparsed.script.strippingRanges() == script
      #expect(
        reparsed.diagnostics.isEmpty && same, "\(printed)\n\(reparsed.diagnostics.map(\.message))")
      if !same { return }
      // Printing is idempotent.
      #expect(SourcePrinter.print(reparsed.script) == printed)
    }
  }
}
