import ASTSemantics
import ASTSyntax

/// What one input does to the front end: the source is lexed, parsed and checked, its
/// diagnostics rendered, and what must hold for any input is verified.
///
/// Checking has no side effects but one: `read "PATH"` opens the file to learn its rate
/// and channels. Inputs are therefore confined first (``confine(_:)``), so that every
/// path a script names lies in ``sandbox``.
public struct FuzzTarget: Sendable {
  /// The directory relative paths are resolved against: the only place a checked
  /// script can look at.
  public let sandbox: String

  /// Creates a target that resolves paths in `sandbox`.
  public init(sandbox: String) {
    self.sandbox = sandbox
  }

  /// The input with every `/` inside a string literal replaced by `_`, so that no path
  /// in it is absolute or leaves the sandbox's folder. Nothing else changes.
  public static func confine(_ bytes: [UInt8]) -> [UInt8] {
    guard bytes.contains(UInt8(ascii: "\"")), bytes.contains(UInt8(ascii: "/")) else {
      return bytes
    }
    var confined = bytes
    for token in Lexer.tokenize(Source(name: "", bytes: bytes)).tokens where token.kind == .string {
      for offset in token.range.start..<token.range.end
      where confined[offset] == UInt8(ascii: "/") {
        confined[offset] = UInt8(ascii: "_")
      }
    }
    return confined
  }

  /// The options a check runs with: a script's, or (for `variant` 1) those of an
  /// interactive session with names already bound.
  public func options(variant: Int) -> CheckOptions {
    switch variant {
    case 1:
      return CheckOptions(
        baseDirectory: sandbox, defaultSampleRate: 48_000,
        predefined: [
          "osc": .audio(AudioFacts(sampleRate: 48_000, channelCount: 1)),
          "wide": .audio(AudioFacts(sampleRate: 44_100, channelCount: 2)),
          "level": .number(.gain), "bus": .stream(.unknown), "name": .string,
        ], allowsRebinding: true)
    default:
      return CheckOptions(baseDirectory: sandbox)
    }
  }

  /// What a run of one input found.
  public struct Outcome: Sendable {
    /// Broken invariants, each described in a sentence; empty when all held.
    public var problems: [String] = []
    /// The identifiers of the diagnostics the check gave.
    public var diagnosticIDs: [String] = []
  }

  /// Runs a confined input through lexer, parser and checker and verifies the results.
  public func run(_ bytes: [UInt8], variant: Int = 0) -> Outcome {
    var outcome = Outcome()
    let source = Source(name: "fuzz.ast", bytes: bytes)
    func expect(_ condition: Bool, _ problem: @autoclosure () -> String) {
      if !condition { outcome.problems.append(problem()) }
    }

    // Tokens cover the source in order and end with the end of the file.
    let tokens = Lexer.tokenize(source).tokens
    expect(
      tokens.last.map { $0.kind == .endOfFile && $0.range.start == bytes.count } ?? false,
      "the tokens do not end with the end of the file")
    var previousEnd = 0
    for token in tokens {
      expect(
        token.range.start >= previousEnd && token.range.end <= bytes.count,
        "token \(token.kind) at \(token.range) overlaps another or leaves the source")
      previousEnd = token.range.end
    }

    let result = Checker.check(source, options: options(variant: variant))
    let diagnostics = result.diagnostics
    for diagnostic in diagnostics {
      outcome.diagnosticIDs.append(diagnostic.id.rawValue)
      let ranges = [diagnostic.range] + diagnostic.notes.compactMap(\.range)
      for range in ranges {
        expect(
          range.start >= 0 && range.start <= range.end && range.end <= bytes.count,
          "diagnostic '\(diagnostic.id)' points at \(range), outside the source")
      }
      expect(!diagnostic.message.isEmpty, "diagnostic '\(diagnostic.id)' has no message")
    }
    expect(
      zip(diagnostics, diagnostics.dropFirst()).allSatisfy { $0.range.start <= $1.range.start },
      "the diagnostics are not in source order")
    expect(
      result.parse.diagnostics.allSatisfy(diagnostics.contains),
      "a diagnostic of the parser is missing from the check's")
    if result.parse.diagnostics.contains(where: { $0.severity == .error }) {
      expect(diagnostics.containsErrors, "the parse failed but the check has no error")
    }

    // Rendering handles every diagnostic: one header per diagnostic and note with a place.
    let rendered = DiagnosticRenderer(source: source).render(diagnostics)
    let headers = diagnostics.map { 1 + $0.notes.filter { $0.range != nil }.count }.reduce(0, +)
    let renderedHeaders = rendered.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { $0.hasPrefix("fuzz.ast:") }.count
    expect(
      renderedHeaders >= headers,
      "rendering shows \(renderedHeaders) headers for \(headers) diagnostics and notes")
    let json = DiagnosticJSON.lines(diagnostics, source: source)
    expect(
      json.split(separator: "\n").count == diagnostics.count,
      "the JSON form has a line count other than the number of diagnostics")

    // A script that parses prints back to the same tree, and printing is stable.
    if result.parse.diagnostics.isEmpty {
      _ = SyntaxDump(source: source).dump(result.parse.script)
      let printed = SourcePrinter.print(result.parse.script)
      let reparsed = Parser.parse(Source(name: "printed", text: printed))
      expect(
        reparsed.diagnostics.isEmpty,
        "the printed script does not parse: \(reparsed.diagnostics.first?.message ?? "")")
      expect(
        reparsed.script.strippingRanges() == result.parse.script.strippingRanges(),
        "the printed script parses to another tree")
      expect(
        SourcePrinter.print(reparsed.script) == printed, "printing the printed script changes it")
    }
    if !diagnostics.containsErrors {
      _ = TypeListing.text(of: result.script)
    }
    return outcome
  }
}
