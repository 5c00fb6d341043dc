import ASTTestSupport
import Foundation
import Testing

@testable import ASTSyntax

/// The statements of `text`, ranges stripped; fails the test on any diagnostic.
func statements(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
  -> [Statement]
{
  let result = Parser.parse(Source(name: "t", text: text))
  #expect(result.diagnostics.isEmpty, "\(result.diagnostics)", sourceLocation: sourceLocation)
  return result.script.strippingRanges().statements
}

/// The one expression of `text`, ranges stripped.
func expression(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Expr?
{
  guard
    case .expression(let expression, _)? = statements(text, sourceLocation: sourceLocation).first
  else { return nil }
  return expression
}

func name(_ text: String) -> Expr { .identifier(Identifier(text, .zero)) }
func number(_ value: Double, _ unit: NumberUnit? = nil, text: String? = nil) -> Expr {
  let digits = text ?? (value == value.rounded() ? String(Int(value)) : String(value))
  return .number(NumberLiteral(value: value, text: digits, unit: unit), .zero)
}
func call(_ callee: String, _ arguments: Expr..., named: [(String, Expr)] = [])
  -> Expr
{
  .call(
    callee: name(callee),
    arguments: arguments.map { CallArgument(label: nil, value: $0, range: .zero) }
      + named.map { CallArgument(label: Identifier($0.0, .zero), value: $0.1, range: .zero) },
    .zero)
}
func binary(_ op: BinaryOperator, _ left: Expr, _ right: Expr) -> Expr {
  .binary(op, left, right, .zero)
}
func pipe(_ left: Expr, _ right: Expr) -> Expr { .pipe(left, right, .zero) }

@Suite("Parser")
struct ParserTests {
  @Test("a binding, a function definition and an expression statement")
  func statementKinds() {
    #expect(
      statements("x = 1\nfn f a b = a\nprint x") == [
        .binding(name: Identifier("x", .zero), value: number(1), .zero),
        .function(
          name: Identifier("f", .zero),
          parameters: [Identifier("a", .zero), Identifier("b", .zero)],
          body: name("a"), .zero),
        .expression(call("print", name("x")), .zero),
      ])
    #expect(statements("fn tone = sine 440 1").count == 1)
  }

  @Test("application by juxtaposition, with parentheses grouping")
  func application() {
    #expect(expression("sine 440 1.0") == call("sine", number(440), number(1, text: "1.0")))
    #expect(
      expression("gain (sine 440 1) 0.5")
        == call("gain", call("sine", number(440), number(1)), number(0.5)))
    #expect(
      expression("(f 1) 2")
        == .call(
          callee: call("f", number(1)),
          arguments: [CallArgument(label: nil, value: number(2), range: .zero)], .zero))
  }

  @Test("named arguments follow positional ones; values are primaries or negations")
  func namedArguments() {
    #expect(
      expression("lowpass x 1000 q:0.9")
        == call("lowpass", name("x"), number(1000), named: [("q", number(0.9))]))
    #expect(
      expression("pan x pos:-y")
        == call("pan", name("x"), named: [("pos", .negate(name("y"), .zero))]))
    #expect(expression("f q:-6db") == call("f", named: [("q", number(-6, .decibels))]))
    #expect(
      expression("f a:(1 + 2) b:[1]")
        == call(
          "f", named: [("a", binary(.add, number(1), number(2))), ("b", .list([number(1)], .zero))])
    )
  }

  @Test("precedence: * over +, unary minus over *, application over unary minus")
  func precedence() {
    #expect(
      expression("1 + 2 * 3") == binary(.add, number(1), binary(.multiply, number(2), number(3))))
    #expect(
      expression("(1 + 2) * 3") == binary(.multiply, binary(.add, number(1), number(2)), number(3)))
    #expect(expression("-a * b") == binary(.multiply, .negate(name("a"), .zero), name("b")))
    #expect(expression("-f x") == .negate(call("f", name("x")), .zero))
    #expect(
      expression("a - b - c")
        == binary(.subtract, binary(.subtract, name("a"), name("b")), name("c")))
    #expect(
      expression("a / b * c") == binary(.multiply, binary(.divide, name("a"), name("b")), name("c"))
    )
    #expect(
      expression("osc * sine 30 1")
        == binary(.multiply, name("osc"), call("sine", number(30), number(1))))
  }

  @Test("pipes bind loosest and group to the left")
  func pipes() {
    #expect(expression("a |> f 1 |> g") == pipe(pipe(name("a"), call("f", number(1))), name("g")))
    #expect(expression("a + b |> f") == pipe(binary(.add, name("a"), name("b")), name("f")))
    #expect(expression("f (a |> g)") == call("f", pipe(name("a"), name("g"))))
  }

  @Test("lists, empty and with a trailing comma")
  func lists() {
    #expect(expression("[]") == .list([], .zero))
    #expect(expression("[a, b,]") == .list([name("a"), name("b")], .zero))
    #expect(
      expression("mix [a, sine 1 2]")
        == call("mix", .list([name("a"), call("sine", number(1), number(2))], .zero)))
  }

  @Test("strings are primaries")
  func stringArguments() {
    #expect(
      expression(#"write x "out.wav""#) == call("write", name("x"), .string("out.wav", .zero)))
  }

  @Test("line breaks: inside brackets, after an operator, and before a leading |>")
  func continuation() {
    #expect(statements("a = 1 +\n  2").count == 1)
    #expect(statements("a = (1\n + 2)").count == 1)
    #expect(statements("a = [\n1,\n2\n]").count == 1)
    #expect(statements("a = x\n  |> f\n  |> g").count == 1)
    #expect(statements("a = x\n\n# comment\n  |> f").count == 1)
    #expect(statements("a =\n  x").count == 1)
    #expect(statements("f x q:\n  1").count == 1)
    #expect(statements("a = 1; b = 2;; c = 3\n").count == 3)
    #expect(statements("\n\n# only comments\n\n").isEmpty)
    #expect(statements("").isEmpty)
  }

  @Test("every node carries its source range")
  func ranges() {
    let source = Source(name: "t", text: "out = gain (sine 440 1) 0.5 |> chunk 0.5")
    let result = Parser.parse(source)
    guard case .binding(let bound, let value, let range)? = result.script.statements.first else {
      Issue.record("not a binding")
      return
    }
    #expect(source.text(in: bound.range) == "out")
    #expect(source.text(in: range) == "out = gain (sine 440 1) 0.5 |> chunk 0.5")
    #expect(source.text(in: value.range) == "gain (sine 440 1) 0.5 |> chunk 0.5")
    guard case .pipe(let left, let right, _) = value, case .call(_, let arguments, _) = left else {
      Issue.record("unexpected shape")
      return
    }
    #expect(source.text(in: left.range) == "gain (sine 440 1) 0.5")
    #expect(source.text(in: right.range) == "chunk 0.5")
    #expect(source.text(in: arguments[0].value.range) == "sine 440 1")
  }

  @Test("an operation, a call or a pipe spans the parentheses around its first or last part")
  func rangesAcrossParentheses() {
    for text in [
      "1 / (d - 1)", "(d - 1) * 3", "-(d - 1)", "f (g 1)", "(sine 1 1) |> gain (1 + 2)",
      "f a:(1 + 2)",
    ] {
      let source = Source(name: "t", text: text)
      let result = Parser.parse(source)
      guard case .expression(let value, _)? = result.script.statements.first else {
        Issue.record("not an expression: \(text)")
        continue
      }
      #expect(source.text(in: value.range) == text)
    }
  }
}

@Suite("Parser diagnostics")
struct ParserDiagnosticTests {
  @Test(
    "each parse error has its message and place",
    arguments: [
      (
        "out = y |>\nz = 1",
        "1:11 expected-expression: expected an expression after '|>', found end of line"
      ),
      (
        "out = y |>",
        "1:11 expected-expression: expected an expression after '|>', found end of file"
      ),
      ("x = 1 +", "1:8 expected-expression: expected an expression after '+', found end of file"),
      ("x = ", "1:4 expected-expression: expected an expression after '=', found end of file"),
      ("x = 2 * )", "1:9 expected-expression: expected an expression after '*', found ')'"),
      ("x = -", "1:6 expected-expression: expected an expression after '-', found end of file"),
      ("x = ()", "1:6 expected-expression: expected an expression after '(', found ')'"),
      ("x = [1, =]", "1:9 expected-expression: expected a list item or ']' after ',', found '='"),
      ("f q:", "1:5 expected-expression: expected a value after 'q:', found end of file"),
      ("x = (1 + 2", "1:11 unclosed-bracket: expected ')' to close '(', found end of file"),
      ("x = [1 2", "1:9 unclosed-bracket: expected ',' or ']' to close '[', found end of file"),
      ("x = (1\ny = 2", "1:5 unclosed-bracket: '(' is never closed"),
      ("x = 1)", "1:6 unmatched-bracket: unmatched ')' with no opening bracket"),
      (")", "1:1 unmatched-bracket: unmatched ')' with no opening bracket"),
      (
        "x = 1 =",
        "1:7 expected-separator: expected a new line or ';' after the statement, found '='"
      ),
      ("fn = 3", "1:4 expected-name: expected a function name after 'fn', found '='"),
      (
        "fn f 3 = 3",
        "1:6 expected-name: expected a parameter name or '=' in the definition of 'f', found the number '3'"
      ),
      ("f x = 2", "1:1 invalid-binding-target: only a name can be bound with '='"),
      (
        "lowpass a q:0.5 1000",
        "1:17 positional-after-named: positional argument after the named argument 'q:'"
      ),
      (
        "a |> 3",
        "1:6 invalid-pipe-target: the right side of '|>' must be a function call, found a number"
      ),
      ("x = , 1", "1:5 expected-expression: expected an expression after '=', found ','"),
      ("fn", "1:3 expected-name: expected a function name after 'fn', found end of file"),
    ])
  func messages(text: String, expected: String) {
    #expect(diagnostics(text) == [expected])
  }

  @Test("a file with three independent errors yields exactly those three")
  func recovery() {
    let text = """
      osc = sine 440 1
      a = (osc +
      b = gain osc 0.5 |>
      ok = osc
      c = mix [osc, osc
      out = ok
      """
    #expect(
      diagnostics(text) == [
        "2:5 unclosed-bracket: '(' is never closed",
        "3:20 expected-expression: expected an expression after '|>', found end of line",
        "5:9 unclosed-bracket: '[' is never closed",
      ])
    let result = Parser.parse(Source(name: "t", text: text))
    #expect(result.script.statements.count == 3)
  }

  @Test("lexical and parse errors on different lines are each reported once, in order")
  func mixedErrors() {
    #expect(
      diagnostics("a = 1 @ 2\nb = \"open\nc = (d\ne = 440Hz") == [
        "1:7 unexpected-character: unexpected character '@'",
        "2:5 unterminated-string: unterminated string: expected '\"' before the end of the line",
        "3:5 unclosed-bracket: '(' is never closed",
        "4:8 unknown-unit: unknown unit 'Hz' after '440'",
      ])
  }

  @Test("deep nesting is an error, not a stack overflow", arguments: [10, 100_000])
  func deepNesting(depth: Int) {
    let parens = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
    let result = diagnostics("x = " + parens + "\ny = 2")
    if depth <= 10 {
      #expect(result.isEmpty)
    } else {
      #expect(
        result == [
          "1:\(5 + Parser.maximumDepth / 2 - 1) nesting-too-deep: expression nested too deeply (more than 100 levels)"
        ]
          || result.count == 1 && result[0].contains("nesting-too-deep"))
    }
  }

  @Test("long operator and pipe chains and deep unary minus are bounded too")
  func longChains() {
    for text in [
      "x = 1" + String(repeating: " + 1", count: 50_000),
      "x = a" + String(repeating: " |> f", count: 50_000),
      "x = " + String(repeating: "- ", count: 50_000) + "1",
      "x = " + String(repeating: "[", count: 50_000),
    ] {
      let found = diagnostics(text)
      #expect(found.count == 1)
      #expect(
        found.first?.contains("nesting-too-deep") == true
          || found.first?.contains("unclosed") == true)
    }
    #expect(diagnostics("x = 1" + String(repeating: " + 1", count: 90)).isEmpty)
  }
}
