import ASTCore
import ASTSyntax
import Foundation

/// An argument on its way to being checked: its syntax, and for the value on the left
/// of a pipe, its already checked form.
struct PreparedArgument {
  let label: Identifier?
  let syntax: Expr
  let typed: TypedExpr?
}

extension Checker {
  /// The most function calls expanded in one check, so that functions calling each
  /// other many times cannot make checking take forever.
  static let maximumExpansions = 20_000
  /// The most expression nodes of function bodies expanded in one check, so that large
  /// bodies called many times cannot make checking take forever either.
  static let maximumExpandedSize = 200_000

  /// A constant as a whole number, or `nil` when it is not finite or too large.
  static func wholeNumber(_ value: Double) -> Int? {
    guard value.isFinite, abs(value) < 1e15 else { return nil }
    return Int(value)
  }

  // MARK: Calls

  mutating func checkCall(
    callee: Expr, arguments: [PreparedArgument], range: SourceRange, allowSettings: Bool = false
  ) -> TypedExpr {
    guard case .identifier(let name) = callee else {
      let typedCallee = checkExpression(callee)
      checkIgnored(arguments)
      if typedCallee.type != .unknown {
        error(
          Self.IDs.notAFunction,
          "\(typedCallee.type.article) is not a function; it cannot take arguments",
          at: callee.range)
      }
      return .invalid(range)
    }
    if let local = lookUpLocal(name.name) {
      if arguments.isEmpty {
        return local.reference(name: name.name, at: name.range)
      }
      checkIgnored(arguments)
      error(
        Self.IDs.notAFunction,
        "'\(name.name)' is a parameter holding a value, not a function; it takes no arguments",
        at: name.range)
      return .invalid(range)
    }
    switch symbols[name.name] {
    case .value(let type, _, let known):
      if arguments.isEmpty {
        return known?.relocated(to: name.range) ?? .binding(name: name.name, type, name.range)
      }
      checkIgnored(arguments)
      var notes = [
        DiagnosticNote(
          "to pass '\(name.name)' to a function, write the function first: 'gain \(name.name) 0.5'")
      ]
      if case .number(let literal, _)? = arguments.first?.syntax, literal.text.hasPrefix("-") {
        notes = [
          DiagnosticNote(
            "'\(literal.spelling)' right after a name is a negative number; to subtract, write "
              + "'\(name.name) - \(literal.spelling.dropFirst())'")
        ]
      }
      error(
        Self.IDs.notAFunction,
        "'\(name.name)' is \(type.article), not a function; it takes no arguments",
        at: name.range, notes: notes)
      return .invalid(range)
    case .function(let syntax):
      return checkFunctionCall(syntax, name: name, arguments: arguments, range: range)
    case nil:
      guard let builtin = BuiltinRegistry.builtin(named: name.name) else {
        reportUnknownName(name)
        checkIgnored(arguments)
        return .invalid(range)
      }
      if builtin.effects.setting != nil, !allowSettings {
        checkIgnored(arguments)
        error(
          Self.IDs.misplacedSetting,
          "'\(builtin.name)' is a setting and must stand alone as a statement", at: name.range,
          notes: [DiagnosticNote("write it on a line of its own: '\(Self.example(of: builtin))'")])
        return .invalid(range)
      }
      return checkBuiltinCall(builtin, name: name, arguments: arguments, range: range)
    }
  }

  /// Checks arguments that will not be used, so their own mistakes are still reported.
  mutating func checkIgnored(_ arguments: [PreparedArgument]) {
    for argument in arguments where argument.typed == nil {
      _ = checkExpression(argument.syntax)
    }
  }

  /// Lists parameter names: `freq, dur and phase`.
  func listing(_ names: [String]) -> String {
    let quoted = names.map { "'\($0)'" }
    switch quoted.count {
    case 0: return "no arguments"
    case 1: return quoted[0]
    default: return quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
    }
  }

  // MARK: Arguments

  /// What a call's arguments are matched against: the callee's parameter names, which of
  /// them can be given by position, and the builtin when it is one.
  struct CallShape {
    let callee: String
    let names: [String]
    let positional: [Int]
    let builtin: Builtin?
  }

  /// Matches arguments to parameters, positional ones in order and named ones by name;
  /// reports unknown names, extra arguments and parameters given twice (checking the
  /// expressions of arguments left out, so their own mistakes are reported too).
  mutating func bind(_ arguments: [PreparedArgument], to shape: CallShape)
    -> (slots: [PreparedArgument?], failed: Bool)
  {
    var slots = [PreparedArgument?](repeating: nil, count: shape.names.count)
    var failed = false
    var nextPositional = 0
    for argument in arguments {
      let index: Int
      if let label = argument.label {
        guard let found = shape.names.firstIndex(of: label.name) else {
          failed = true
          let suggestion = Spelling.nearest(to: label.name, among: shape.names)
          error(
            Self.IDs.unknownParameter, "'\(shape.callee)' has no parameter '\(label.name)'",
            at: label.range,
            notes: [
              DiagnosticNote(
                suggestion.map { "did you mean '\($0)'?" }
                  ?? "its parameters are \(listing(shape.names))")
            ])
          if argument.typed == nil { _ = checkExpression(argument.syntax) }
          continue
        }
        index = found
      } else {
        guard nextPositional < shape.positional.count else {
          failed = true
          let names = shape.positional.map { shape.names[$0] }
          if let builtin = shape.builtin {
            error(
              Self.IDs.tooManyArguments,
              "too many arguments to '\(shape.callee)': it takes at most \(names.count) "
                + "(\(listing(names)))", at: argument.syntax.range,
              notes: [DiagnosticNote("'\(builtin.signature)'")])
          } else {
            error(
              Self.IDs.tooManyArguments,
              "too many arguments to '\(shape.callee)': it takes \(names.count) "
                + "(\(listing(names)))", at: argument.syntax.range)
          }
          if argument.typed == nil { _ = checkExpression(argument.syntax) }
          continue
        }
        index = shape.positional[nextPositional]
        nextPositional += 1
      }
      if slots[index] != nil {
        failed = true
        let subject =
          shape.builtin == nil
          ? "'\(shape.names[index])'" : "'\(shape.names[index])' of '\(shape.callee)'"
        error(
          Self.IDs.duplicateArgument, "\(subject) is given twice",
          at: argument.label?.range ?? argument.syntax.range)
        continue
      }
      slots[index] = argument
    }
    return (slots, failed)
  }

  // MARK: Functions

  mutating func checkFunctionCall(
    _ syntax: Symbol.Syntax, name: Identifier, arguments: [PreparedArgument], range: SourceRange
  ) -> TypedExpr {
    if expanding.contains(syntax.name) {
      checkIgnored(arguments)
      error(
        Self.IDs.recursion, "'\(syntax.name)' calls itself; recursion is not supported",
        at: name.range,
        notes: [DiagnosticNote("'\(syntax.name)' is defined here", at: syntax.range)])
      return .invalid(range)
    }
    let parameterNames = syntax.parameters.map(\.name)
    var (slots, failed) = bind(
      arguments,
      to: CallShape(
        callee: syntax.name, names: parameterNames, positional: Array(parameterNames.indices),
        builtin: nil))
    var typedArguments: [TypedExpr] = []
    for (index, slot) in slots.enumerated() {
      guard let slot else {
        failed = true
        error(
          Self.IDs.missingArgument,
          "missing argument '\(parameterNames[index])' of '\(syntax.name)'", at: range,
          notes: [
            DiagnosticNote(
              "'\(syntax.name)' is defined as 'fn \(([syntax.name] + parameterNames).joined(separator: " ")) = ...'",
              at: syntax.range)
          ])
        continue
      }
      let typed = slot.typed ?? checkExpression(slot.syntax)
      if typed.type == .unit {
        failed = true
        error(
          Self.IDs.noValue, "this produces no value to pass to '\(syntax.name)'", at: typed.range)
      }
      typedArguments.append(typed)
    }
    if failed { return .invalid(range) }
    expansions += 1
    expandedSize += syntax.size
    guard expansions <= Self.maximumExpansions, expandedSize <= Self.maximumExpandedSize else {
      if !reportedExpansionLimit {
        reportedExpansionLimit = true
        error(
          Self.IDs.recursion,
          expansions > Self.maximumExpansions
            ? "functions call each other too many times to check (more than "
              + "\(Self.maximumExpansions) calls)"
            : "functions call each other too many times to check (their bodies expand to more "
              + "than \(Self.maximumExpandedSize) expressions)", at: range)
      }
      return .invalid(range)
    }
    let key = ExpansionKey(
      function: syntax.name, rate: scriptRate, tempo: tempo, meter: meter,
      arguments: typedArguments.map(ExpansionKey.Argument.init))
    if let cached = expansionCache[key], depth + cached.depth <= Self.maximumDepth,
      expansions + cached.expansions <= Self.maximumExpansions,
      expandedSize + cached.size <= Self.maximumExpandedSize
    {
      // The calls inside count as if checked again: the run expands each of them.
      expansions += cached.expansions
      expandedSize += cached.size
      return .function(
        name: syntax.name, arguments: typedArguments, body: cached.body, cached.body.type, range)
    }
    locals.append(
      Dictionary(
        parameterNames.enumerated().map {
          ($1, Local(index: $0, type: typedArguments[$0].type, known: typedArguments[$0].known))
        }, uniquingKeysWith: { first, _ in first }))
    expanding.append(syntax.name)
    let before = (diagnostics.count, reads.count, writes.count, reportedUnknownNames.count)
    let outerDeepest = deepest
    let (expansionsBefore, sizeBefore) = (expansions, expandedSize)
    deepest = depth
    let body = checkExpression(syntax.body)
    let bodyDepth = deepest - depth
    deepest = max(outerDeepest, deepest)
    expanding.removeLast()
    locals.removeLast()
    // A body whose check reported something or named a file is checked again at every
    // call, so each call reports and registers its own.
    if (diagnostics.count, reads.count, writes.count, reportedUnknownNames.count) == before {
      expansionCache[key] = ExpandedBody(
        body: body, depth: bodyDepth, expansions: expansions - expansionsBefore,
        size: expandedSize - sizeBefore)
    }
    return .function(
      name: syntax.name, arguments: typedArguments, body: body, body.type, range)
  }

  // MARK: Builtins

  mutating func checkBuiltinCall(
    _ builtin: Builtin, name: Identifier, arguments: [PreparedArgument], range: SourceRange
  ) -> TypedExpr {
    let parameters = builtin.parameters
    var (slots, failed) = bind(
      arguments,
      to: CallShape(
        callee: builtin.name, names: parameters.map(\.name),
        positional: parameters.indices.filter { !parameters[$0].isNamedOnly }, builtin: builtin))

    // Check each given argument's expression, with the parameter's literal units.
    var typed = [TypedExpr?](repeating: nil, count: parameters.count)
    for (index, slot) in slots.enumerated() {
      guard let slot else { continue }
      typed[index] = slot.typed ?? checkArgument(slot.syntax, for: parameters[index])
      if parameters[index].unit == .gain {
        warnOfBareGain(slot.syntax, for: parameters[index], of: builtin.name)
      }
    }
    for (index, parameter) in parameters.enumerated()
    where slots[index] == nil && parameter.isRequired {
      failed = true
      error(
        Self.IDs.missingArgument, "missing argument '\(parameter.name)' of '\(builtin.name)'",
        at: range, notes: [DiagnosticNote("'\(builtin.signature)'")])
    }
    if failed || typed.contains(where: { $0?.type == .unit }) {
      for value in typed.compactMap({ $0 }) where value.type == .unit {
        error(
          Self.IDs.noValue, "this produces no value to pass to '\(builtin.name)'", at: value.range)
      }
      return .invalid(range)
    }

    // The main input decides whether the call lifts to a stream and the rate context.
    let inputIndex = builtin.inputIndex
    let input = inputIndex.flatMap { typed[$0] }
    let lifted = builtin.liftsToStreams && inputIndex == 0 && (input?.type.isStream ?? false)
    for (index, parameter) in parameters.enumerated() {
      guard let value = typed[index] else { continue }
      if !checkKind(
        value, parameter: parameter, builtin: builtin, isInput: index == inputIndex, lifted: lifted)
      {
        failed = true
      }
    }
    if failed { return .invalid(range) }
    if let lowest = builtin.effects.lowestInputRate, let rate = input?.type.audioFacts?.sampleRate,
      rate < lowest.rate
    {
      error(
        Self.IDs.unsupportedRate, lowest.message(for: builtin.name, actual: rate), at: range,
        notes: [
          DiagnosticNote(lowest.reason),
          DiagnosticNote("resample it first, e.g. 'resample x \(lowest.rate)'"),
        ])
      return .invalid(range)
    }

    // Defaults, then the rate that Nyquist limits and modulators refer to.
    let complete = parameters.enumerated().map { index, parameter in
      typed[index] ?? defaultArgument(parameter, at: range)
    }
    // Ranges without the rate first, so the rate itself is valid when used; then the
    // Nyquist limits, and the longest time a signal can last at the rate.
    func needsRate(_ parameter: BuiltinParameter) -> Bool {
      parameter.range?.upper == .nyquist || parameter.unit == .seconds
    }
    for (index, parameter) in parameters.enumerated() where parameter.range?.upper != .nyquist {
      if let value = complete[index].constantValue,
        !checkRange(
          value, parameter: parameter, builtin: builtin, rate: nil, at: complete[index].range)
      {
        failed = true
      }
    }
    if failed { return .invalid(range) }
    let rateContext: Int?
    if builtin.result == .generator,
      let rate = builtin.parameters.firstIndex(where: { $0.name == "rate" })
    {
      rateContext = complete[rate].constantValue.flatMap(Self.wholeNumber)
    } else {
      rateContext = input?.type.audioFacts?.sampleRate
    }
    for (index, parameter) in parameters.enumerated() where needsRate(parameter) {
      if let value = complete[index].constantValue,
        !checkRange(
          value, parameter: parameter, builtin: builtin, rate: rateContext,
          at: complete[index].range)
      {
        failed = true
      }
    }
    if failed { return .invalid(range) }
    guard
      let type = resultType(
        of: builtin, arguments: complete, input: input, lifted: lifted, range: range)
    else {
      return .invalid(range)
    }
    if let file = builtin.effects.writesFile, let index = builtin.index(of: file.parameter) {
      switch file.kind {
      case .audio:
        noteWrite(complete[index], type: type)
        checkEncoderSettings(complete, of: builtin, type: type)
        if let text = complete[index].stringValue, let format = AudioFileFormat(path: text),
          let rate = type.audioFacts?.sampleRate, let problem = format.rateProblem(sampleRate: rate)
        {
          error(
            Self.IDs.unsupportedRate, "cannot write '\(text)' at \(rate) Hz: \(problem)", at: range,
            notes: [DiagnosticNote("resample it first, or write another format")])
          return .invalid(range)
        }
      case .picture:
        // Only the sandbox's refusal matters here; a picture is not audio to read back.
        if let text = complete[index].stringValue {
          _ = resolve(text, at: complete[index].range, writing: true)
        }
      }
    }
    warnOfLongEnvelope(
      builtin, arguments: complete, syntax: slots.compactMap { $0?.syntax }, at: range)
    if builtin.result == .voices {
      checkInstrument(complete[builtin.index(of: "instrument") ?? 1], playing: complete[0])
    }
    if let fold = builtin.fold, case .number = type, let value = fold(complete) {
      return .constant(value, type, range)
    }
    return .builtin(builtin, arguments: complete, lifted: lifted, type, range)
  }

  /// An argument's expression; a `db` literal given to a decibel parameter keeps its
  /// number of decibels instead of becoming a gain.
  mutating func checkArgument(_ syntax: Expr, for parameter: BuiltinParameter) -> TypedExpr {
    if parameter.kind == .instrument { return checkInstrument(syntax) }
    if parameter.unit == .decibels {
      switch syntax {
      case .number(let literal, let range) where literal.unit == .decibels:
        return .constant(literal.value, .number(.gain), range)
      case .negate(.number(let literal, _), let range) where literal.unit == .decibels:
        return .constant(-literal.value, .number(.gain), range)
      default:
        break
      }
      let typed = checkExpression(syntax)
      if case .number(.gain) = typed.type {
        // A gain known now converts back to its decibels.
        if let gain = typed.constantValue, gain > 0 {
          return .constant(20 * log10(gain), .number(.gain), typed.range)
        }
        error(
          Self.IDs.unitMismatch,
          "'\(parameter.name)' takes a number of decibels, but this is a linear gain computed "
            + "while running", at: syntax.range,
          notes: [DiagnosticNote("write the decibels here directly, e.g. '-6db' or '-6'")])
        return .invalid(syntax.range)
      }
      return typed
    }
    return checkExpression(syntax)
  }

  /// A parameter's default as a typed constant.
  func defaultArgument(_ parameter: BuiltinParameter, at range: SourceRange) -> TypedExpr {
    let place = SourceRange(start: range.end, end: range.end)
    switch parameter.defaultValue {
    case .number(let value, _)?:
      return .constant(value, .number(parameter.unit.dimension), place)
    case .string(let value)?:
      return .string(value, place)
    case .scriptRate?:
      return .constant(Double(scriptRate), .number(.frequency), place)
    case .scriptTempo?:
      return .constant(tempo, .number(nil), place)
    case .scriptMeter?:
      return .constant(Double(meter), .number(nil), place)
    case .absent?:
      return .absent(place)
    case nil:
      return .invalid(place)
    }
  }
}

extension Expr {
  /// The number of expression nodes in the tree.
  var nodeCount: Int {
    switch self {
    case .number, .string, .identifier, .invalid:
      1
    case .list(let items, _):
      items.reduce(1) { $0 + $1.nodeCount }
    case .call(let callee, let arguments, _):
      arguments.reduce(1 + callee.nodeCount) { $0 + $1.value.nodeCount }
    case .negate(let operand, _):
      1 + operand.nodeCount
    case .binary(_, let left, let right, _), .pipe(let left, let right, _):
      1 + left.nodeCount + right.nodeCount
    }
  }
}
