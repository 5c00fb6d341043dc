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
    let body = checkExpression(function.body)
    expanding.removeLast()
    locals.removeLast()
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
