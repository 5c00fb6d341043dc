import ASTSyntax

/// What the checker knows after the accepted inputs of an interactive session: each
/// binding's type and what is known of its value before running (a constant, a
/// signal's length), the functions, the `rate` in force, the files read and written,
/// and the statements that read a source that can be read only once.
///
/// An input is checked against it with ``Checker/check(_:in:keepsLastValue:options:)``,
/// which lexes, parses and checks that input alone and extends the environment only when
/// the input has no error. Reading it (``bindings``, ``functions``, ``names``) checks
/// nothing and opens no file.
public struct CheckedEnvironment: Sendable {
  /// The name of a session's last value: an expression statement's value, or a binding
  /// just shown, which an input starting with `|>` continues.
  public static let lastValue = "_"

  var symbols: [String: Checker.Symbol] = [:]
  var knownDurations: [String: Double] = [:]
  /// The sample rate in force, once an input has been checked.
  var sampleRate: Int?
  /// The tempo and meter in force, once an input has been checked.
  var tempo: Double?
  var meter: Int?
  var reads: [(path: String, range: SourceRange)] = []
  var writes: [(path: String, range: SourceRange, type: ValueType)] = []
  /// The accepted statements from the first that reads a source that can be read only
  /// once (standard input, a subscription): what the read-once analysis of a later input
  /// needs, since before such a statement nothing can be read twice.
  var readOnceStatements: [TypedStatement] = []
  /// For each name, when it was last bound or defined (a count of definitions).
  var definitionOrder: [String: Int] = [:]
  var definitionCount = 0

  /// An empty environment: nothing bound yet.
  public init() {}

  /// The names bound or defined, in the order of their last definition.
  private var orderedNames: [String] {
    definitionOrder.sorted { $0.value < $1.value }.map(\.key)
  }

  /// The values bound, with their types, in the order they were last bound (the last
  /// value `_` left out).
  public var bindings: [(name: String, type: ValueType)] {
    orderedNames.compactMap { name in
      guard name != Self.lastValue, case .value(let type, _, _)? = symbols[name] else {
        return nil
      }
      return (name, type)
    }
  }

  /// The functions, in the order they were last defined.
  public var functions: [FunctionSignature] {
    orderedNames.compactMap { name in
      guard case .function(let syntax)? = symbols[name] else { return nil }
      return FunctionSignature(
        name: syntax.name, parameters: syntax.parameters.map(\.name), range: syntax.range)
    }
  }

  /// The names of the bindings and functions (the last value `_` left out).
  public var names: [String] {
    bindings.map(\.name) + functions.map(\.name)
  }

  /// Whether `name` is bound to a value.
  public func binds(_ name: String) -> Bool {
    if case .value? = symbols[name] { return true }
    return false
  }
}

/// One input of an interactive session checked against the session's environment.
public struct SessionInputCheck: Sendable {
  /// The input's parse, its diagnostics, and its typed statements: those to run, an
  /// expression statement whose value is kept as `_` in the form `_ = ...`.
  public let result: CheckResult
  /// The environment extended by the input, or `nil` when the input has an error.
  public let environment: CheckedEnvironment?
  /// The input's statements as the session keeps them, to write the session as a
  /// script: those parsed, with `_ = ` before an expression statement whose value is
  /// kept, and `_ = name` after a binding kept as the last value.
  public let statements: [Statement]
  /// The binding the last value `_` now stands for, when `_` is bound to a binding of
  /// the input without a statement of its own to run.
  public let lastValueAlias: String?
}

extension Checker {
  /// Lexes, parses and checks one input of an interactive session against what the
  /// accepted inputs before it bound, without looking at their text again or opening
  /// the files they read.
  ///
  /// With `keepsLastValue`, the input takes part in the session's last value
  /// ``CheckedEnvironment/lastValue`` (`_`): an input starting with `|>` continues it
  /// (`|> gain 0.5` is `_ = _ |> gain 0.5`), and when the input is one statement whose
  /// value can be shown, an expression statement's value becomes it, as does a binding's.
  ///
  /// - Parameters:
  ///   - source: the input, which usually continues the source of the input before
  ///     (``Source/init(name:text:after:)``), so that positions name one place in the
  ///     session and places in earlier inputs (in a note, a function's body) render.
  ///   - environment: what the accepted inputs bound.
  ///   - options: as for a script; a session allows rebinding.
  /// - Returns: the input's check and, when it has no error, the extended environment.
  public static func check(
    _ source: Source, in environment: CheckedEnvironment, keepsLastValue: Bool = false,
    options: CheckOptions = CheckOptions(allowsRebinding: true)
  ) -> SessionInputCheck {
    let name = CheckedEnvironment.lastValue
    let parse = Parser.parse(source, continuing: keepsLastValue ? name : nil)
    var checker = Checker(
      source: source, options: options, script: parse.script, environment: environment)
    let firstWrite = checker.writes.count
    var typed = checker.checkStatements(parse.script.statements)
    // Files and read-once sources: only what this input adds is reported (a place in an
    // earlier input was accepted with it).
    checker.checkReadWriteConflicts(from: firstWrite)
    let readsOnce =
      !environment.readOnceStatements.isEmpty
      || typed.statements.contains(where: \.readsOnceOnlySource)
    func findings(_ statements: [TypedStatement]) -> [ReadOnceAnalysis.Finding] {
      guard readsOnce else { return [] }
      return ReadOnceAnalysis.findings(in: environment.readOnceStatements + statements).filter {
        $0.site.start >= source.startOffset
      }
    }
    checker.reportReadOnceFindings(findings(typed.statements))
    let diagnostics = (parse.diagnostics + checker.diagnostics).sortedUnique()
    var statements = parse.script.statements
    var alias: String?
    var kept = typed.statements
    if keepsLastValue, !diagnostics.containsErrors {
      alias = checker.keepLastValue(
        named: name, of: &typed, kept: &kept, syntax: &statements,
        allowing: { findings($0).isEmpty })
    }
    let result = CheckResult(parse: parse, script: typed, diagnostics: diagnostics)
    guard !diagnostics.containsErrors else {
      return SessionInputCheck(
        result: result, environment: nil, statements: statements, lastValueAlias: nil)
    }
    return SessionInputCheck(
      result: result, environment: checker.extending(environment, with: kept),
      statements: statements, lastValueAlias: alias)
  }

  /// A checker for one input of a session: the environment's bindings, rate and files.
  init(source: Source, options: CheckOptions, script: Script, environment: CheckedEnvironment) {
    self.init(source: source, options: options, script: script)
    symbols =
      symbols.isEmpty
      ? environment.symbols : symbols.merging(environment.symbols) { _, kept in kept }
    knownDurations = environment.knownDurations
    scriptRate = environment.sampleRate ?? options.defaultSampleRate
    if options.tempo == nil, let kept = environment.tempo { tempo = kept }
    meter = environment.meter ?? Self.defaultMeter
    reads = environment.reads
    writes = environment.writes
    writtenPaths = Set(writes.map { FilePaths.identity(of: $0.path) })
  }

  /// `environment` with what the statements checked bound, the rate they set and the
  /// files they read and wrote; `statements` are the input's as the session keeps them.
  func extending(_ environment: CheckedEnvironment, with statements: [TypedStatement])
    -> CheckedEnvironment
  {
    var extended = environment
    extended.symbols = symbols
    extended.knownDurations = knownDurations
    extended.sampleRate = scriptRate
    extended.tempo = tempo
    extended.meter = meter
    extended.reads = reads
    extended.writes = writes
    if extended.readOnceStatements.isEmpty {
      extended.readOnceStatements = Array(statements.drop { !$0.readsOnceOnlySource })
    } else {
      extended.readOnceStatements += statements
    }
    for name in defined {
      extended.definitionCount += 1
      extended.definitionOrder[name] = extended.definitionCount
    }
    return extended
  }

  /// Binds `name` to a checked value: its type, its value when known now, its length.
  mutating func bind(_ name: String, at range: SourceRange, to value: TypedExpr) {
    symbols[name] = .value(value.type, range, value.known)
    knownDurations[name] = knownDuration(value)
    knownPatterns[name] = knownPattern(value)
    defined.append(name)
  }

  /// Keeps the value of an input of one statement as the last value `name`, when the
  /// value can be shown: an expression statement becomes `name = ...` (unless `allowing`
  /// refuses the statements in that form), and after a binding `name = binding` is kept
  /// (returning the binding's name). `typed` holds the statements to run, `kept` those
  /// the environment keeps, and `syntax` the input's statements to write.
  mutating func keepLastValue(
    named name: String, of typed: inout TypedScript, kept: inout [TypedStatement],
    syntax: inout [Statement], allowing: ([TypedStatement]) -> Bool
  ) -> String? {
    guard typed.statements.count == 1 else { return nil }
    switch typed.statements[0] {
    case .binding(let bound, let value, let range) where bound != name && value.type.isShowable:
      // The binding was just shown: it is the last value too.
      let place = SourceRange(start: range.end, end: range.end)
      let reference = checkReference(Identifier(bound, place))
      bind(name, at: place, to: reference)
      kept.append(.binding(name: name, value: reference, place))
      syntax.append(
        .binding(
          name: Identifier(name, place), value: .identifier(Identifier(bound, place)), place))
      return bound
    case .expression(let value, let range) where value.type.isShowable:
      let binding = TypedStatement.binding(name: name, value: value, range)
      guard allowing([binding]) else { return nil }
      let place = SourceRange(start: range.start, end: range.start)
      bind(name, at: place, to: value)
      typed.statements = [binding]
      typed.bindings.append((name, value.type))
      kept = [binding]
      syntax = syntax.map { statement in
        guard case .expression(let expression, range) = statement else { return statement }
        return .binding(name: Identifier(name, place), value: expression, range)
      }
      return nil
    default:
      return nil
    }
  }
}

extension ValueType {
  /// Whether a value of this type is worth keeping as a session's last value and showing.
  package var isShowable: Bool {
    switch self {
    case .number, .string, .audio, .stream, .list, .pattern: true
    case .unit, .unknown: false
    }
  }
}
