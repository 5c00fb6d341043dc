import ASTCore
import ASTEngine
import ASTSyntax

extension Checker {
  // MARK: Instruments

  /// The instrument argument of `voices`: the name of a `fn` of at most two parameters
  /// (the note's frequency, then its length in seconds), whose body is checked once with
  /// those as Numbers computed while running, and must give Audio without writing,
  /// printing, publishing or reading a source that can be read only once (each voice is
  /// built afresh). The result is a call of the function without arguments, whose body
  /// refers to the two parameters the voices bind.
  mutating func checkInstrument(_ syntax: Expr) -> TypedExpr {
    let example = DiagnosticNote(
      "an instrument is a 'fn' of the note's frequency and length, e.g. "
        + "'fn pluck freq dur = saw freq dur |> adsr 5ms 100ms 0.5 200ms'")
    guard case .identifier(let name) = syntax else {
      let typed = checkExpression(syntax)
      if typed.type != .unknown {
        error(
          Self.IDs.invalidInstrument,
          "the instrument must be the name of a 'fn', got \(typed.type.article)",
          at: syntax.range, notes: [example])
      }
      return .invalid(syntax.range)
    }
    if lookUpLocal(name.name) != nil {
      error(
        Self.IDs.invalidInstrument,
        "'\(name.name)' is a parameter holding a value; the instrument must be the name of a 'fn'",
        at: name.range, notes: [example])
      return .invalid(syntax.range)
    }
    switch symbols[name.name] {
    case .function(let function):
      return checkInstrumentBody(function, name: name, example: example)
    case .value(let type, _, _):
      error(
        Self.IDs.invalidInstrument, "'\(name.name)' is \(type.article), not a 'fn'", at: name.range,
        notes: [example])
    case nil:
      if BuiltinRegistry.builtin(named: name.name) != nil {
        error(
          Self.IDs.invalidInstrument,
          "'\(name.name)' is a builtin; the instrument must be a 'fn' of your own", at: name.range,
          notes: [example])
      } else {
        reportUnknownName(name)
      }
    }
    return .invalid(syntax.range)
  }

  private mutating func checkInstrumentBody(
    _ function: Symbol.Syntax, name: Identifier, example: DiagnosticNote
  ) -> TypedExpr {
    let defined = DiagnosticNote("'\(function.name)' is defined here", at: function.range)
    if expanding.contains(function.name) {
      error(
        Self.IDs.recursion, "'\(function.name)' calls itself; recursion is not supported",
        at: name.range, notes: [defined])
      return .invalid(name.range)
    }
    let names = function.parameters.map(\.name)
    guard names.count <= 2 else {
      error(
        Self.IDs.invalidInstrument,
        "'\(function.name)' takes \(names.count) parameters (\(listing(names))); an instrument "
          + "takes at most two, the note's frequency and its length", at: name.range,
        notes: [defined, example])
      return .invalid(name.range)
    }
    let types: [ValueType] = [.number(.frequency), .number(.time)]
    expansions += 1
    expandedSize += function.size
    locals.append(
      Dictionary(
        names.enumerated().map { ($1, Local(index: $0, type: types[$0], known: nil)) },
        uniquingKeysWith: { first, _ in first }))
    expanding.append(function.name)
    let before = diagnostics.count
    let body = checkExpression(function.body)
    expanding.removeLast()
    locals.removeLast()
    // Its own mistakes are reported; the voices are not checked note by note then.
    if diagnostics[before...].contains(where: { $0.severity == .error }) {
      return .invalid(name.range)
    }
    switch body.type {
    case .audio, .unknown:
      break
    default:
      error(
        Self.IDs.invalidInstrument,
        "'\(function.name)' gives \(body.type.article); an instrument gives an Audio",
        at: name.range, notes: [defined])
      return .invalid(name.range)
    }
    var effect: String?
    body.visit { expression in
      guard effect == nil, let builtin = expression.calledBuiltin else { return }
      if builtin.effects.isObservable {
        effect = "'\(builtin.name)' (it writes, prints or publishes)"
      } else if builtin.effects.readsOnce != nil {
        effect = "'\(builtin.name)' (it reads a source that can be read only once)"
      }
    }
    if let effect {
      error(
        Self.IDs.invalidInstrument,
        "'\(function.name)' calls \(effect); an instrument is built afresh for each voice, so "
          + "it cannot", at: name.range, notes: [defined])
      return .invalid(name.range)
    }
    return .function(name: function.name, arguments: [], body: body, body.type, name.range)
  }
}

extension Checker {
  /// The most different notes (frequency and length) of a pattern whose voices are
  /// checked one by one against their instrument.
  static let maximumCheckedNotes = 64

  /// The pattern `value` is, when its string and options are known: a `seq` call, a
  /// name bound to one, or a `fn` call giving one.
  mutating func knownPattern(_ value: TypedExpr) -> Pattern? {
    switch value {
    case .binding(let name, _, _):
      return knownPatterns[name]
    case .function(_, _, let body, _, _):
      return knownPattern(body)
    case .builtin(let builtin, let arguments, _, _, _) where builtin.result == .pattern:
      guard case .success(let pattern)? = layOut(arguments, of: builtin) else { return nil }
      return pattern
    default:
      return nil
    }
  }

  /// The pattern of a `seq` call's arguments, or the first mistake in its string, when
  /// the string and every option are known; `nil` otherwise. Each different call is laid
  /// out once, however often its type and its pattern are asked for.
  mutating func layOut(_ arguments: [TypedExpr], of builtin: Builtin) -> Result<
    Pattern, NotationError
  >? {
    if let known = laidOut[arguments] { return known }
    func argument(_ name: String) -> TypedExpr? {
      builtin.index(of: name).map { arguments[$0] }
    }
    guard let text = argument("pattern")?.stringValue,
      let cycles = argument("cycles")?.constantValue.flatMap(Self.wholeNumber),
      let bars = argument("bars")?.constantValue,
      let transpose = argument("transpose")?.constantValue,
      let tempo = argument("tempo")?.constantValue,
      let meter = argument("meter")?.constantValue.flatMap(Self.wholeNumber)
    else { return nil }
    let made = Pattern.make(
      text, cycles: cycles, bars: bars, transpose: transpose, tempo: tempo, beatsPerBar: meter)
    laidOut[arguments] = made
    return made
  }

  /// Checks the instrument of a `voices` call for each different note of the pattern it
  /// plays (up to ``maximumCheckedNotes``), with the note's frequency and length known,
  /// so that a note the instrument cannot play (a frequency above the Nyquist frequency
  /// of its rate) is an error before running, placed where the instrument goes wrong,
  /// with the note named. Only the first such error is reported.
  mutating func checkInstrument(_ instrument: TypedExpr, playing pattern: TypedExpr) {
    guard case .function(let name, let arguments, _, _, let range) = instrument,
      arguments.isEmpty, case .function(let function)? = symbols[name],
      let pattern = knownPattern(pattern)
    else { return }
    var seen: Set<VoicesNode.Sound> = []
    let names = function.parameters.map(\.name)
    for event in pattern.events {
      let duration = pattern.seconds(at: event.length)
      let sound = VoicesNode.Sound(frequency: event.frequency, duration: duration)
      guard seen.insert(sound).inserted else { continue }
      if seen.count > Self.maximumCheckedNotes { return }
      let values: [TypedExpr] = [
        .constant(event.frequency, .number(.frequency), range),
        .constant(duration, .number(.time), range),
      ]
      let before = (diagnostics.count, reads, writes, writtenPaths)
      locals.append(
        Dictionary(
          names.enumerated().map {
            ($1, Local(index: $0, type: values[$0].type, known: values[$0]))
          }, uniquingKeysWith: { first, _ in first }))
      expanding.append(function.name)
      _ = checkExpression(function.body)
      expanding.removeLast()
      locals.removeLast()
      let found = diagnostics[before.0...].first { $0.severity == .error }
      diagnostics.removeSubrange(before.0...)
      (reads, writes, writtenPaths) = (before.1, before.2, before.3)
      if var found {
        found.notes.append(DiagnosticNote("for \(pattern.describe(event)) of the pattern"))
        diagnostics.append(found)
        return
      }
    }
  }
}
