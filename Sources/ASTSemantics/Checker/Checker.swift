import ASTCore
import ASTSyntax

/// Options of a check.
public struct CheckOptions: Sendable {
  /// The directory relative file paths in `read` and `write` are resolved against, or
  /// `nil` for the process's current directory.
  public var baseDirectory: String?
  /// The sample rate of generators before any `rate` statement.
  public var defaultSampleRate: Int
  /// Names already bound (in a REPL session), with their types.
  public var predefined: [String: ValueType]
  /// Whether a name may be bound again (true in a REPL session).
  public var allowsRebinding: Bool
  /// The directory that confines the files a script names, if any (see ``Sandbox``).
  public var sandbox: Sandbox?
  /// A tempo in beats per minute that replaces the script's own (`ast run --tempo`):
  /// `tempo` statements are still checked but change nothing.
  public var tempo: Double?

  /// Creates options; the defaults suit checking a script file.
  public init(
    baseDirectory: String? = nil, defaultSampleRate: Int = 44_100,
    predefined: [String: ValueType] = [:], allowsRebinding: Bool = false
  ) {
    self.baseDirectory = baseDirectory
    self.defaultSampleRate = defaultSampleRate
    self.predefined = predefined
    self.allowsRebinding = allowsRebinding
  }
}

/// The result of checking a script.
public struct CheckResult: Sendable {
  /// The parse result the check started from.
  public let parse: ParseResult
  /// The typed script (statements with errors are left out).
  public let script: TypedScript
  /// Every diagnostic of lexing, parsing and checking, in source order.
  public let diagnostics: [Diagnostic]
}

/// Turns a syntax tree into a typed tree, reporting every mistake it can find before
/// anything runs: unknown names, wrong arguments, units, types, sample rates, ranges.
///
/// The checker never changes the syntax tree. An expression with an error gets the
/// type ``ValueType/unknown``, which fits anywhere, so one mistake is reported once.
public struct Checker {
  /// Diagnostic identifiers of the checker.
  public enum IDs {
    /// A name that is not bound, not a parameter and not a builtin.
    public static let unknownName: DiagnosticID = "unknown-name"
    /// A name used above the line that binds it.
    public static let usedBeforeDefinition: DiagnosticID = "used-before-definition"
    /// Arguments given to something that is not a function.
    public static let notAFunction: DiagnosticID = "not-a-function"
    /// More positional arguments than the function takes.
    public static let tooManyArguments: DiagnosticID = "too-many-arguments"
    /// A named argument the function does not have.
    public static let unknownParameter: DiagnosticID = "unknown-parameter"
    /// The same parameter given twice.
    public static let duplicateArgument: DiagnosticID = "duplicate-argument"
    /// A required argument left out.
    public static let missingArgument: DiagnosticID = "missing-argument"
    /// An argument or operand of the wrong type.
    public static let typeMismatch: DiagnosticID = "type-mismatch"
    /// A literal's unit does not fit (a time where a frequency is wanted).
    public static let unitMismatch: DiagnosticID = "unit-mismatch"
    /// A constant outside the parameter's valid range.
    public static let outOfRange: DiagnosticID = "out-of-range"
    /// Signals of different sample rates combined.
    public static let rateMismatch: DiagnosticID = "rate-mismatch"
    /// Signals of channel counts that cannot be combined.
    public static let channelMismatch: DiagnosticID = "channel-mismatch"
    /// A name bound twice in a script.
    public static let rebinding: DiagnosticID = "rebinding"
    /// A binding, function or parameter named like a builtin.
    public static let shadowsBuiltin: DiagnosticID = "shadows-builtin"
    /// A function that calls itself.
    public static let recursion: DiagnosticID = "recursion"
    /// Two parameters of one function with the same name.
    public static let duplicateParameter: DiagnosticID = "duplicate-parameter"
    /// A statement that produces nothing used as a value.
    public static let noValue: DiagnosticID = "no-value"
    /// `rate` used inside an expression.
    public static let misplacedSetting: DiagnosticID = "misplaced-setting"
    /// A value that must be known before running is computed.
    public static let notConstant: DiagnosticID = "not-constant"
    /// A string that is not one of the allowed choices.
    public static let invalidChoice: DiagnosticID = "invalid-choice"
    /// A file that `read` cannot open at check time.
    public static let unreadableFile: DiagnosticID = "unreadable-file"
    /// A file both read and written by the script.
    public static let readWriteConflict: DiagnosticID = "read-write-conflict"
    /// A file written twice by one script (or one input of a session): the first write
    /// would be lost.
    public static let writtenTwice: DiagnosticID = "written-twice"
    /// A `publish` whose stream reads the channel it sends to, directly or through
    /// other channels: the run would wait for itself.
    public static let channelCycle: DiagnosticID = "channel-cycle"
    /// A source that can be read only once (standard input, a subscription) read again.
    public static let readTwice: DiagnosticID = "read-twice"
    /// A bare number as a linear gain that is negative or above 4 (`gain x -6`).
    public static let suspiciousGain: DiagnosticID = "suspicious-gain"
    /// A file read whose header declares no length, only a streaming placeholder.
    public static let placeholderLength: DiagnosticID = "placeholder-length"
    /// An envelope or fade longer than the signal it shapes.
    public static let longEnvelope: DiagnosticID = "long-envelope"
    /// An encoder setting of `write` that its file's format does not take (a
    /// `bitrate:` on a WAV file).
    public static let settingForOtherFormat: DiagnosticID = "setting-for-other-format"
    /// Audio at a sample rate a builtin cannot work at: a spectrogram below 41 Hz, a
    /// resampling to a rate more than 4096 times higher or lower.
    public static let unsupportedRate: DiagnosticID = "unsupported-rate"
    /// A string that is not a note name (`note "h4"`), placed on the bad character.
    public static let invalidNote: DiagnosticID = "invalid-note"
    /// A pattern string that the mini-notation does not read (an unclosed bracket, an
    /// unknown note, `*0`), placed on its column inside the string.
    public static let invalidPattern: DiagnosticID = "invalid-pattern"
    /// An instrument of `voices` that is not a `fn` of a frequency and a length giving
    /// Audio, or one that writes, prints, publishes or reads a source read only once.
    public static let invalidInstrument: DiagnosticID = "invalid-instrument"

    /// Every identifier above.
    public static let all: [DiagnosticID] = [
      unknownName, usedBeforeDefinition, notAFunction, tooManyArguments, unknownParameter,
      duplicateArgument, missingArgument, typeMismatch, unitMismatch, outOfRange, rateMismatch,
      channelMismatch, rebinding, shadowsBuiltin, recursion, duplicateParameter, noValue,
      misplacedSetting, notConstant, invalidChoice, unreadableFile, readWriteConflict, readTwice,
      suspiciousGain, longEnvelope, settingForOtherFormat, unsupportedRate, writtenTwice,
      channelCycle, placeholderLength, invalidNote, invalidPattern, invalidInstrument,
    ]
  }

  /// Lexes, parses and checks a source.
  public static func check(_ source: Source, options: CheckOptions = CheckOptions()) -> CheckResult
  {
    let parse = Parser.parse(source)
    var checker = Checker(source: source, options: options, script: parse.script)
    let typed = checker.checkScript(parse.script)
    return CheckResult(
      parse: parse, script: typed,
      diagnostics: (parse.diagnostics + checker.diagnostics).sortedUnique())
  }

  // MARK: State

  enum Symbol: Sendable {
    /// A bound value: its type, where it is bound, and its value when known now.
    case value(ValueType, SourceRange, TypedExpr?)
    case function(Syntax)

    struct Syntax: Sendable {
      let name: String
      let parameters: [Identifier]
      let body: Expr
      let range: SourceRange
      /// The number of expression nodes in the body: what checking one call costs.
      let size: Int

      init(name: String, parameters: [Identifier], body: Expr, range: SourceRange) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.range = range
        self.size = body.nodeCount
      }
    }
  }

  /// What checking a function's body depends on besides the symbols: the function,
  /// the default rate, and each argument's type and value where known.
  struct ExpansionKey: Hashable {
    /// An argument's type, and its value when known before running.
    struct Argument: Hashable {
      let type: ValueType
      /// The bits of a known number (so that 0 and -0 differ).
      let number: UInt64?
      let string: String?

      init(_ typed: TypedExpr) {
        type = typed.type
        number = typed.constantValue?.bitPattern
        string = typed.stringValue
      }
    }
    let function: String
    let rate: Int
    let tempo: Double
    let meter: Int
    let arguments: [Argument]
  }

  /// A function's body checked for one ``ExpansionKey``.
  struct ExpandedBody {
    let body: TypedExpr
    /// How deep the body nests, through the calls inside it.
    let depth: Int
    /// The function calls inside it, and the size of their bodies.
    let expansions: Int
    let size: Int
  }

  struct Local {
    let index: Int
    let type: ValueType
    /// The argument's value when it is known now (a number or a string).
    var known: TypedExpr?

    /// A use of the parameter: its known value (placed at the argument, where a mistake
    /// in it would be mended), or a reference.
    func reference(name: String, at range: SourceRange) -> TypedExpr {
      known ?? .parameter(name: name, index: index, type, range)
    }
  }

  let source: Source
  let options: CheckOptions
  var diagnostics: [Diagnostic] = []
  var symbols: [String: Symbol] = [:] {
    didSet { if !expansionCache.isEmpty { expansionCache = [:] } }
  }
  /// Names bound anywhere in the script, with where, for "used before definition".
  let laterBindings: [String: SourceRange]
  /// The parameters of the function calls being checked, innermost last.
  var locals: [[String: Local]] = []
  /// The functions being expanded, innermost last, for recursion.
  var expanding: [String] = []
  var scriptRate: Int
  /// The tempo in force, in beats per minute: 120 until a `tempo` statement.
  var tempo: Double
  /// The beats per bar in force: 4 until a `meter` statement.
  var meter: Int
  /// The tempo before any `tempo` statement, and the one that stays when
  /// ``CheckOptions/tempo`` replaces the script's.
  public static let defaultTempo = 120.0
  /// The beats per bar before any `meter` statement.
  public static let defaultMeter = 4
  var reads: [(path: String, range: SourceRange)] = []
  var writes: [(path: String, range: SourceRange, type: ValueType)] = []
  /// What the paths of ``writes`` name (``FilePaths/identity(of:)``), to look one up
  /// without going through them all.
  var writtenPaths: Set<String> = []
  var expansions = 0
  /// The expression nodes of the function bodies expanded so far.
  var expandedSize = 0
  /// Whether the limit on expansions has been reported.
  var reportedExpansionLimit = false
  /// The names reported unknown, by place: a name in a function body is checked at
  /// every call, but reported (and its spelling compared with every name) once.
  var reportedUnknownNames: Set<SourceRange> = []
  /// How deep the expression being checked is, through function calls.
  var depth = 0
  /// The deepest ``depth`` reached since it was last reset (by a function call's check).
  var deepest = 0
  /// The bodies of function calls checked without a finding or a file named, by what
  /// their check depends on: a later call that matches reuses the body instead of
  /// holding a copy of its own (4,800 calls of one voice share a few dozen bodies).
  /// Emptied whenever a symbol changes.
  var expansionCache: [ExpansionKey: ExpandedBody] = [:]
  /// The deepest nesting checked, through function calls.
  static let maximumDepth = 400
  /// Whether the nesting limit has been reported for the current statement.
  var reportedDepth = false
  /// The statement being checked.
  var statementRange = SourceRange.zero
  /// The length in seconds of the signal bound to each name, where known before running.
  var knownDurations: [String: Double] = [:]
  /// The names bound or defined by the statements checked, in order.
  var defined: [String] = []
  /// The patterns bound to names, where their strings and options are known, so that a
  /// `voices` of a name checks its instrument against each note.
  var knownPatterns: [String: Pattern] = [:]
  /// The `seq` calls laid out so far, by their arguments (``layOut(_:of:)``).
  var laidOut: [[TypedExpr]: Result<Pattern, NotationError>] = [:]

  init(source: Source, options: CheckOptions, script: Script) {
    self.source = source
    self.options = options
    self.scriptRate = options.defaultSampleRate
    self.tempo = options.tempo ?? Self.defaultTempo
    self.meter = Self.defaultMeter
    var later: [String: SourceRange] = [:]
    for statement in script.statements {
      switch statement {
      case .binding(let name, _, _): later[name.name] = later[name.name] ?? name.range
      case .function(let name, _, _, _): later[name.name] = later[name.name] ?? name.range
      case .expression: break
      }
    }
    self.laterBindings = later
    for (name, type) in options.predefined {
      symbols[name] = .value(type, .zero, nil)
    }
  }

  mutating func error(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = []
  ) {
    diagnostics.append(.error(id, message, at: range, notes: notes))
  }

  // MARK: Statements

  mutating func checkScript(_ script: Script) -> TypedScript {
    let result = checkStatements(script.statements)
    checkReadWriteConflicts()
    checkChannelCycles(result.statements)
    // Most scripts read no source that can be read only once: nothing to analyse then.
    if result.statements.contains(where: \.readsOnceOnlySource) {
      reportReadOnceFindings(ReadOnceAnalysis.findings(in: result.statements))
    }
    return result
  }

  /// Checks statements in order against the symbols bound so far, binding theirs.
  mutating func checkStatements(_ statements: [Statement]) -> TypedScript {
    var result = TypedScript(statements: [], bindings: [], functions: [])
    for statement in statements {
      statementRange = statement.range
      reportedDepth = false
      switch statement {
      case .binding(let name, let value, let range):
        let accepted = checkNewName(name, what: "a binding")
        // Checked even when the name is refused, so its own mistakes are reported.
        let typed = checkValue(value)
        guard accepted else {
          if symbols[name.name] == nil {
            symbols[name.name] = .value(typed.type, name.range, typed.known)
          }
          continue
        }
        bind(name.name, at: name.range, to: typed)
        result.bindings.append((name.name, typed.type))
        result.statements.append(.binding(name: name.name, value: typed, range))
      case .function(let name, let parameters, let body, let range):
        guard checkNewName(name, what: "a function") else {
          if symbols[name.name] == nil {
            symbols[name.name] = .function(
              Symbol.Syntax(name: name.name, parameters: parameters, body: body, range: range))
          }
          continue
        }
        var seen: [String: SourceRange] = [:]
        for parameter in parameters {
          if let first = seen[parameter.name] {
            error(
              Self.IDs.duplicateParameter,
              "'\(name.name)' has two parameters named '\(parameter.name)'", at: parameter.range,
              notes: [DiagnosticNote("the first is here", at: first)])
          } else if BuiltinRegistry.builtin(named: parameter.name) != nil {
            error(
              Self.IDs.shadowsBuiltin,
              "the parameter '\(parameter.name)' has the name of a builtin; choose another name",
              at: parameter.range)
          }
          seen[parameter.name] = seen[parameter.name] ?? parameter.range
        }
        // Checked once with unknown parameter types, so names are resolved even in a
        // function that is never called; types are checked at each call. The function
        // is bound first, so a call of itself is reported as recursion.
        symbols[name.name] = .function(
          Symbol.Syntax(name: name.name, parameters: parameters, body: body, range: range))
        locals.append(
          Dictionary(
            parameters.enumerated().map { ($1.name, Local(index: $0, type: .unknown, known: nil)) },
            uniquingKeysWith: { first, _ in first }))
        expanding.append(name.name)
        // Only name mistakes count here: types, units, rates and ranges depend on each call
        // (and on the `rate` in force there).
        let before = diagnostics.count
        // The files it names are registered at each call, not here.
        let (readsBefore, writesBefore, writtenBefore) = (reads, writes, writtenPaths)
        _ = checkExpression(body)
        (reads, writes, writtenPaths) = (readsBefore, writesBefore, writtenBefore)
        let namesOnly: Set<DiagnosticID> = [
          Self.IDs.unknownName, Self.IDs.usedBeforeDefinition, Self.IDs.recursion,
        ]
        diagnostics =
          Array(diagnostics[..<before])
          + diagnostics[before...].filter { namesOnly.contains($0.id) }
        expanding.removeLast()
        locals.removeLast()
        defined.append(name.name)
        result.functions.append(
          FunctionSignature(name: name.name, parameters: parameters.map(\.name), range: range))
      case .expression(let expression, let range):
        if let setting = checkSetting(expression) {
          if let (setting, value) = setting {
            result.statements.append(.setting(setting, value, range))
          }
          continue
        }
        let typed = checkExpression(expression)
        result.statements.append(.expression(typed, range))
      }
    }
    return result
  }

  /// Whether `name` may be bound: not a builtin, not bound before (in a script).
  mutating func checkNewName(_ name: Identifier, what: String) -> Bool {
    if BuiltinRegistry.builtin(named: name.name) != nil {
      error(
        Self.IDs.shadowsBuiltin,
        "'\(name.name)' is the name of a builtin; choose another name for \(what)",
        at: name.range)
      return false
    }
    if !options.allowsRebinding, let existing = symbols[name.name] {
      let first: SourceRange
      switch existing {
      case .value(_, let range, _): first = range
      case .function(let syntax): first = syntax.range
      }
      error(
        Self.IDs.rebinding, "'\(name.name)' is already defined; a script binds each name once",
        at: name.range,
        notes: first == .zero
          ? [] : [DiagnosticNote("'\(name.name)' is first defined here", at: first)])
      return false
    }
    return true
  }

  /// A value to bind: anything but Unit.
  mutating func checkValue(_ expression: Expr) -> TypedExpr {
    let typed = checkExpression(expression)
    if typed.type == .unit {
      error(
        Self.IDs.noValue, "this produces no value to bind; it only acts", at: expression.range)
      return .invalid(expression.range)
    }
    return typed
  }

  /// A setting statement as it is written: `rate 48000`.
  static func example(of builtin: Builtin) -> String {
    builtin.effects.setting?.example ?? builtin.name
  }

  /// Handles a setting (`rate N`, `tempo BPM`, `meter BEATS`) as a statement: returns
  /// `nil` when the statement is something else, `.some(nil)` when it was a setting with
  /// an error, and the setting and its value otherwise.
  mutating func checkSetting(_ expression: Expr) -> (ScriptSetting, Double)?? {
    func setting(_ name: Identifier) -> Builtin? {
      guard symbols[name.name] == nil, locals.isEmpty,
        let builtin = BuiltinRegistry.builtin(named: name.name), builtin.effects.setting != nil
      else { return nil }
      return builtin
    }
    guard case .call(.identifier(let callee), _, _) = expression, let builtin = setting(callee),
      let kind = builtin.effects.setting
    else {
      if case .identifier(let callee) = expression, let builtin = setting(callee),
        let parameter = builtin.parameters.first
      {
        error(
          Self.IDs.missingArgument, "missing argument '\(parameter.name)' of '\(builtin.name)'",
          at: expression.range,
          notes: [DiagnosticNote("write it as '\(Self.example(of: builtin))'")])
        return .some(nil)
      }
      return nil
    }
    let typed = checkExpression(expression, allowSettings: true)
    guard case .builtin(_, let arguments, _, _, _) = typed, let argument = arguments.first else {
      return .some(nil)
    }
    guard let value = argument.constantValue else {
      if argument.type != .unknown {
        error(
          Self.IDs.notConstant,
          "the argument of '\(builtin.name)' must be a number known before running",
          at: argument.range)
      }
      return .some(nil)
    }
    switch kind {
    case .sampleRate:
      guard let rate = Self.wholeNumber(value) else { return .some(nil) }
      scriptRate = rate
      return .some((kind, Double(rate)))
    case .tempo:
      // A tempo given to the run replaces the script's.
      if options.tempo == nil { tempo = value }
      return .some((kind, tempo))
    case .meter:
      guard let beats = Self.wholeNumber(value) else { return .some(nil) }
      meter = beats
      return .some((kind, Double(beats)))
    }
  }
}
