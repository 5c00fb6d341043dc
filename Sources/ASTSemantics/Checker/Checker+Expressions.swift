import ASTCore
import ASTSyntax
import Foundation

extension Checker {
  // MARK: Expressions

  /// Checks an expression. `allowSettings` admits `rate`, which is only a statement.
  mutating func checkExpression(_ expression: Expr, allowSettings: Bool = false) -> TypedExpr {
    depth += 1
    defer { depth -= 1 }
    deepest = max(deepest, depth)
    if depth > Self.maximumDepth {
      if !reportedDepth {
        reportedDepth = true
        error(
          Parser.IDs.nestingTooDeep,
          "expressions nest too deeply through function calls (more than \(Self.maximumDepth) levels)",
          at: statementRange,
          notes: [DiagnosticNote("the functions this statement calls nest too deeply")])
      }
      return .invalid(expression.range)
    }
    switch expression {
    case .number(let literal, let range):
      return constant(literal, range: range)
    case .string(let value, let range):
      return .string(value, range)
    case .identifier(let identifier):
      return checkReference(identifier)
    case .list(let items, let range):
      return checkList(items, range: range)
    case .call(let callee, let arguments, let range):
      let prepared = arguments.map {
        PreparedArgument(label: $0.label, syntax: $0.value, typed: nil)
      }
      return checkCall(
        callee: callee, arguments: prepared, range: range, allowSettings: allowSettings)
    case .pipe(let left, let right, let range):
      let value = checkExpression(left)
      let first = PreparedArgument(label: nil, syntax: left, typed: value)
      // Mistakes of a stage are placed at the stage, not at the start of the pipe.
      switch right {
      case .call(let callee, let arguments, let stageRange):
        let rest = arguments.map { PreparedArgument(label: $0.label, syntax: $0.value, typed: nil) }
        return checkCall(callee: callee, arguments: [first] + rest, range: stageRange)
      case .identifier:
        return checkCall(callee: right, arguments: [first], range: right.range)
      default:
        // The parser reported the bad pipe target.
        return .invalid(range)
      }
    case .negate(let operand, let range):
      return checkNegate(operand, range: range)
    case .binary(let op, let left, let right, let range):
      return checkArithmetic(op, left, right, range: range)
    case .invalid(let range):
      return .invalid(range)
    }
  }

  /// A number literal in the canonical unit of its dimension: seconds (beats and bars at
  /// the tempo and meter in force), hertz, linear gain.
  func constant(_ literal: NumberLiteral, range: SourceRange) -> TypedExpr {
    let value: Double
    let dimension: Dimension?
    switch literal.unit {
    case nil: (value, dimension) = (literal.value, nil)
    case .milliseconds: (value, dimension) = (literal.value / 1000, .time)
    case .seconds: (value, dimension) = (literal.value, .time)
    case .hertz: (value, dimension) = (literal.value, .frequency)
    case .kilohertz: (value, dimension) = (literal.value * 1000, .frequency)
    case .decibels: (value, dimension) = (AudioSegment.linearGain(decibels: literal.value), .gain)
    case .beats: (value, dimension) = (literal.value * 60 / tempo, .time)
    case .bars: (value, dimension) = (literal.value * Double(meter) * 60 / tempo, .time)
    }
    return .constant(value, .number(dimension), range)
  }

  mutating func checkReference(_ identifier: Identifier) -> TypedExpr {
    if let local = lookUpLocal(identifier.name) {
      return local.reference(name: identifier.name, at: identifier.range)
    }
    switch symbols[identifier.name] {
    case .value(let type, _, let known):
      return known?.relocated(to: identifier.range)
        ?? .binding(name: identifier.name, type, identifier.range)
    case .function:
      // A function named alone is called with no arguments.
      return checkCall(callee: .identifier(identifier), arguments: [], range: identifier.range)
    case nil:
      if BuiltinRegistry.builtin(named: identifier.name) != nil {
        return checkCall(callee: .identifier(identifier), arguments: [], range: identifier.range)
      }
      reportUnknownName(identifier)
      return .invalid(identifier.range)
    }
  }

  func lookUpLocal(_ name: String) -> Local? {
    locals.last?[name]
  }

  mutating func reportUnknownName(_ identifier: Identifier) {
    guard reportedUnknownNames.insert(identifier.range).inserted else { return }
    if let later = laterBindings[identifier.name], later.start > identifier.range.start {
      error(
        Self.IDs.usedBeforeDefinition, "'\(identifier.name)' is used before it is defined",
        at: identifier.range,
        notes: [DiagnosticNote("'\(identifier.name)' is defined here", at: later)])
      return
    }
    var candidates = Array(symbols.keys) + BuiltinRegistry.all.map(\.name)
    if let scope = locals.last { candidates += scope.keys }
    var notes: [DiagnosticNote] = []
    if let suggestion = Spelling.nearest(to: identifier.name, among: candidates) {
      notes.append(DiagnosticNote("did you mean '\(suggestion)'?"))
    }
    error(
      Self.IDs.unknownName, "unknown name '\(identifier.name)'", at: identifier.range, notes: notes)
  }

  mutating func checkList(_ items: [Expr], range: SourceRange) -> TypedExpr {
    let typed = items.map { checkExpression($0) }
    var element: ValueType = .unknown
    for item in typed where item.type != .unknown {
      if item.type == .unit {
        error(Self.IDs.noValue, "this produces no value to put in a list", at: item.range)
        continue
      }
      if element == .unknown {
        element = item.type
        continue
      }
      switch (element, item.type) {
      case (.audio(let a), .audio(let b)):
        // Signals of one list must share a rate; channel counts may differ (mono spreads).
        guard let facts = combine(a, b, at: item.range, what: "one list") else {
          return .invalid(range)
        }
        element = .audio(facts)
      case (.number(let a), .number(let b)):
        element = .number(a == b ? a : nil)
      default:
        if element.kindName != item.type.kindName {
          error(
            Self.IDs.typeMismatch,
            "a list holds values of one type: this is \(item.type.article), the first is "
              + element.article, at: item.range)
        }
      }
    }
    return .list(typed, .list(element), range)
  }

  // MARK: Arithmetic

  mutating func checkNegate(_ operand: Expr, range: SourceRange) -> TypedExpr {
    let typed = checkExpression(operand)
    switch typed.type {
    case .number:
      if let value = typed.constantValue { return .constant(-value, typed.type, range) }
      return .negate(typed, typed.type, range)
    case .audio, .unknown:
      return .negate(typed, typed.type, range)
    default:
      error(
        Self.IDs.typeMismatch, "cannot negate \(typed.type.article)", at: operand.range,
        notes: typed.type.arithmeticHint.map { [DiagnosticNote($0)] } ?? [])
      return .invalid(range)
    }
  }

  mutating func checkArithmetic(
    _ op: BinaryOperator, _ left: Expr, _ right: Expr, range: SourceRange
  )
    -> TypedExpr
  {
    let a = checkExpression(left)
    let b = checkExpression(right)
    for operand in [a, b] {
      switch operand.type {
      case .number, .audio, .unknown:
        continue
      default:
        error(
          Self.IDs.typeMismatch, "cannot use '\(op.rawValue)' on \(operand.type.article)",
          at: operand.range,
          notes: operand.type.arithmeticHint.map { [DiagnosticNote($0)] } ?? [])
        return .invalid(range)
      }
    }
    switch (a.type, b.type) {
    case (.number(let da), .number(let db)):
      guard let dimension = combinedDimension(op, da, db, a, b) else { return .invalid(range) }
      if let x = a.constantValue, let y = b.constantValue {
        return .constant(fold(op, x, y), .number(dimension), range)
      }
      return .arithmetic(op, a, b, .number(dimension), range)
    case (.audio(let facts), .number), (.number, .audio(let facts)):
      return .arithmetic(op, a, b, .audio(facts), range)
    case (.audio(let fa), .audio(let fb)):
      guard let facts = combine(fa, fb, at: range, what: "'\(op.rawValue)'") else {
        return .invalid(range)
      }
      return .arithmetic(op, a, b, .audio(facts), range)
    default:
      return .arithmetic(op, a, b, .unknown, range)
    }
  }

  /// The dimension of `a op b`, or `nil` after reporting a mismatch (`2s + 440hz`).
  /// Returns `.some(nil)` for a plain number.
  mutating func combinedDimension(
    _ op: BinaryOperator, _ da: Dimension?, _ db: Dimension?, _ a: TypedExpr, _ b: TypedExpr
  ) -> Dimension?? {
    switch op {
    case .add, .subtract:
      // The difference of two levels is a plain number of decibels.
      if op == .subtract, da == .level, db == .level { return .some(nil) }
      if let da, let db, da != db {
        error(
          Self.IDs.unitMismatch,
          "cannot \(op == .add ? "add" : "subtract") \(db.noun) \(op == .add ? "to" : "from") "
            + da.noun, at: b.range)
        return nil
      }
      return .some(da ?? db)
    case .multiply:
      if da != nil, db != nil { return .some(nil) }
      return .some(da ?? db)
    case .divide:
      if db != nil { return .some(nil) }
      return .some(da)
    }
  }

  func fold(_ op: BinaryOperator, _ x: Double, _ y: Double) -> Double {
    switch op {
    case .add: x + y
    case .subtract: x - y
    case .multiply: x * y
    case .divide: x / y
    }
  }

  /// The facts of two signals combined sample by sample: one rate, and channel counts
  /// that are equal or mono. Reports and returns `nil` otherwise.
  mutating func combine(_ a: AudioFacts, _ b: AudioFacts, at range: SourceRange, what: String)
    -> AudioFacts?
  {
    if let ra = a.sampleRate, let rb = b.sampleRate, ra != rb {
      error(
        Self.IDs.rateMismatch,
        "cannot combine audio at \(ra) Hz with audio at \(rb) Hz in \(what)", at: range,
        notes: [DiagnosticNote("resample one of them first, e.g. 'resample x \(max(ra, rb))'")])
      return nil
    }
    var channels: Int?
    switch (a.channelCount, b.channelCount) {
    case (let ca?, let cb?):
      if ca != cb, ca != 1, cb != 1 {
        error(
          Self.IDs.channelMismatch,
          "cannot combine \(AudioFacts.describe(channelCount: ca)) audio with "
            + "\(AudioFacts.describe(channelCount: cb)) audio in \(what)", at: range,
          notes: [DiagnosticNote("make them match with 'mono' or 'pan'")])
        return nil
      }
      channels = max(ca, cb)
    case (let ca?, nil): channels = ca == 1 ? nil : ca
    case (nil, let cb?): channels = cb == 1 ? nil : cb
    case (nil, nil): channels = nil
    }
    return AudioFacts(sampleRate: a.sampleRate ?? b.sampleRate, channelCount: channels)
  }
}

extension ValueType {
  /// `a Number`, `an Audio`, `a String`, `a Stream`, `a List`, `nothing`.
  public var article: String {
    switch self {
    case .number: "a Number"
    case .string: "a String"
    case .audio: "an Audio"
    case .stream: "a Stream"
    case .list: "a List"
    case .pattern: "a Pattern"
    case .unit: "nothing (Unit)"
    case .unknown: "an unknown value"
    }
  }

  /// The type's name without its facts.
  var kindName: String {
    switch self {
    case .number: "Number"
    case .string: "String"
    case .audio: "Audio"
    case .stream: "Stream"
    case .list: "List"
    case .pattern: "Pattern"
    case .unit: "Unit"
    case .unknown: "unknown"
    }
  }

  /// Advice for arithmetic on a type that does not take it.
  var arithmeticHint: String? {
    switch self {
    case .stream: "'join' the stream into an Audio first"
    case .list: "use 'mix' to add signals of a list"
    case .string: "arithmetic works on numbers and signals"
    case .pattern: "play a pattern with 'voices PATTERN INSTRUMENT'"
    default: nil
    }
  }
}
