import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation

/// The arguments of the function call being evaluated: each a recipe with the
/// environment it is evaluated in.
final class Environment {
  let arguments: [(TypedExpr, Environment)]
  /// The signals shared within the graph being built.
  let shares: ShareScope
  /// Tells this environment's parameters apart in ``shares``.
  let identifier: Int

  /// An environment at the top of a new graph (a statement), sharing nothing yet.
  init(arguments: [(TypedExpr, Environment)] = [], shares: ShareScope = ShareScope()) {
    self.arguments = arguments
    self.shares = shares
    identifier = shares.nextIdentifier()
  }
}

/// What evaluating an expression reaches, through the bindings it uses: a source that
/// can be read only once (standard input or a channel), and a channel among them.
struct Reach: OptionSet {
  let rawValue: UInt8

  static let readsOnce = Reach(rawValue: 1)
  static let readsChannel = Reach(rawValue: 2)

  init(rawValue: UInt8) { self.rawValue = rawValue }

  /// What `expression` reaches, taking what each binding it names reaches from
  /// `bindings` (a binding not there reaches nothing).
  init(of expression: TypedExpr, bindings: [String: Reach]) {
    var reach: Reach = []
    expression.visit { node in
      switch node {
      case .builtin(let builtin, _, _, _, _):
        if let source = builtin.effects.readsOnce {
          reach.insert(.readsOnce)
          if source.isChannel { reach.insert(.readsChannel) }
        }
      case .binding(let name, _, _):
        reach.formUnion(bindings[name] ?? [])
      default:
        break
      }
    }
    self = reach
  }
}

extension TypedExpr {
  /// Calls `body` with the name and type of every binding that evaluating this expression
  /// evaluates: an argument of a function call only when the function's body uses it.
  func evaluatedBindings(_ body: (String, ValueType) -> Void) {
    switch self {
    case .binding(let name, let type, _):
      body(name, type)
    case .function(_, let arguments, let functionBody, _, _):
      functionBody.evaluatedBindings(body)
      for index in functionBody.usedParameters.sorted() where index < arguments.count {
        arguments[index].evaluatedBindings(body)
      }
    case .list(let items, _, _):
      items.forEach { $0.evaluatedBindings(body) }
    case .builtin(_, let arguments, _, _, _):
      arguments.forEach { $0.evaluatedBindings(body) }
    case .arithmetic(_, let left, let right, _, _):
      left.evaluatedBindings(body)
      right.evaluatedBindings(body)
    case .negate(let operand, _, _):
      operand.evaluatedBindings(body)
    case .constant, .string, .parameter, .invalid, .absent:
      break
    }
  }

  /// The indices of the parameters of the enclosing function call that evaluating this
  /// expression evaluates: those it names, and through a call inside it, those named by
  /// the arguments that call's body uses.
  var usedParameters: Set<Int> {
    switch self {
    case .parameter(_, let index, _, _):
      return [index]
    case .function(_, let arguments, let body, _, _):
      var used: Set<Int> = []
      for index in body.usedParameters where index < arguments.count {
        used.formUnion(arguments[index].usedParameters)
      }
      return used
    case .list(let items, _, _):
      return items.reduce(into: []) { $0.formUnion($1.usedParameters) }
    case .builtin(_, let arguments, _, _, _):
      return arguments.reduce(into: []) { $0.formUnion($1.usedParameters) }
    case .arithmetic(_, let left, let right, _, _):
      return left.usedParameters.union(right.usedParameters)
    case .negate(let operand, _, _):
      return operand.usedParameters
    case .constant, .string, .binding, .invalid, .absent:
      return []
    }
  }
}

/// The signals of one graph that are read in more than one place: a named signal, or a
/// function's signal argument, is built once per graph and each use reads it.
///
/// Signals are held weakly: their readers keep them alive, and a signal whose readers
/// are gone (a finished repetition of `repeat`) is released with its files and buffers.
final class ShareScope {
  enum Key: Hashable {
    case binding(String)
    case parameter(environment: Int, index: Int)
  }

  private final class Entry {
    weak var shared: SharedSignal?
    let metadata: Metadata

    init(_ shared: SharedSignal, _ metadata: Metadata) {
      self.shared = shared
      self.metadata = metadata
    }
  }

  private var signals: [Key: Entry] = [:]
  private var identifiers = 0
  /// The bindings of a live patch, when this graph is a version's: a binding's signal is
  /// then read from its slot rather than built.
  let live: LiveScope?

  /// A scope for a new graph; `live` for a graph of a live patch's version.
  init(live: LiveScope? = nil) {
    self.live = live
  }

  /// A new identifier for an environment.
  func nextIdentifier() -> Int {
    identifiers += 1
    return identifiers
  }

  /// A reader of the signal under `key`, building it with `build` on first use.
  /// `factory` rebuilds it for a reader left behind; `nil` when it cannot be built
  /// twice (it reads standard input or a channel), with `name` for the error then.
  func reader(
    _ key: Key, name: String, build: () async throws -> (AudioNode, Metadata),
    factory: NodeFactory?
  ) async throws -> RuntimeValue {
    if let entry = signals[key], let shared = entry.shared {
      return .audio(shared.makeReader(), entry.metadata)
    }
    let (shared, metadata) = try await make(key, name: name, build: build, factory: factory)
    return .audio(shared.makeReader(), metadata)
  }

  /// Whether the signal under `key` is built and still read.
  func holds(_ key: Key) -> Bool {
    signals[key]?.shared != nil
  }

  /// Builds the signal under `key` before anything reads it, for ``reader(_:name:build:factory:)``
  /// to find; the caller holds what this returns until a reader is made, since the scope
  /// holds its signals weakly.
  func prepare(
    _ key: Key, name: String, build: () async throws -> (AudioNode, Metadata),
    factory: NodeFactory?
  ) async throws -> SharedSignal {
    if let shared = signals[key]?.shared { return shared }
    return try await make(key, name: name, build: build, factory: factory).shared
  }

  private func make(
    _ key: Key, name: String, build: () async throws -> (AudioNode, Metadata),
    factory: NodeFactory?
  ) async throws -> (shared: SharedSignal, metadata: Metadata) {
    let (node, metadata) = try await build()
    let shared = SharedSignal(node, name: name, factory: factory)
    signals[key] = Entry(shared, metadata)
    return (shared, metadata)
  }
}

extension Evaluator {
  // MARK: Values

  /// Builds the value of an expression: numbers are computed, signals are fresh graphs.
  func evaluate(_ expression: TypedExpr, in environment: Environment) async throws -> RuntimeValue {
    try context.cancellation.check()
    let built = state.withLock { state in
      state.nodesBuilt += 1
      return state.nodesBuilt
    }
    if built > Self.maximumNodes {
      throw RuntimeError(
        message: "the patch builds more than \(Self.maximumNodes) nodes; use fewer layers "
          + "or fewer repetitions", range: expression.range)
    }
    switch expression {
    case .constant(let value, _, let range):
      environment.shares.live?.registry.fixed.insert(range)
      return .number(value)
    case .string(let value, _):
      return .string(value)
    case .binding(let name, let type, let range):
      guard let recipe = recipes[name] else {
        throw RuntimeError(message: "'\(name)' has no value", range: range)
      }
      if case .number = type {
        if let cached = state.withLock({ $0.numberCache[name] }) { return .number(cached) }
        let value = try await number(recipe, in: Environment())
        state.withLock { $0.numberCache[name] = value }
        return .number(value)
      }
      if case .audio = type, let live = environment.shares.live,
        let read = live.reader(of: name)
      {
        return .audio(read.reader, read.metadata)
      }
      guard case .audio = type else {
        let value = try await evaluate(recipe, in: Environment(shares: environment.shares))
        // A stream made afresh at each use: a joint of a chain of streams.
        if case .stream(let source) = value { return .stream(ReleasedInTurnSource(source)) }
        return value
      }
      let prepared = try await prepareSignals(under: name, in: environment.shares)
      defer { withExtendedLifetime(prepared) {} }
      return try await environment.shares.reader(
        .binding(name), name: "'\(name)'",
        build: { try await self.audio(recipe, in: Environment(shares: environment.shares)) },
        factory: readsOnce(recipe) ? nil : { try await self.audio(recipe, in: Environment()).0 })
    case .parameter(_, let index, let type, let range):
      guard index < environment.arguments.count else {
        throw RuntimeError(message: "internal error: a parameter out of place", range: range)
      }
      let (argument, scope) = environment.arguments[index]
      guard case .audio = type else { return try await evaluate(argument, in: scope) }
      let arguments = scope.arguments
      return try await environment.shares.reader(
        .parameter(environment: environment.identifier, index: index),
        name: "this argument", build: { try await self.audio(argument, in: scope) },
        factory: readsOnce(argument)
          ? nil : { try await self.audio(argument, in: Environment(arguments: arguments)).0 })
    case .list(let items, _, _):
      var values: [RuntimeValue] = []
      for item in items { values.append(try await evaluate(item, in: environment)) }
      return .list(values)
    case .function(_, let arguments, let body, _, _):
      let scope = Environment(
        arguments: arguments.map { ($0, environment) }, shares: environment.shares)
      return try await evaluate(body, in: scope)
    case .arithmetic(let op, let left, let right, _, let range):
      return try await arithmetic(op, left, right, in: environment, range: range)
    case .negate(let operand, _, let range):
      switch try await evaluate(operand, in: environment) {
      case .number(let value): return .number(-value)
      case .audio(let node, let metadata):
        let negated = NegateNode(node)
        try await guarded(range) {
          try context.memory.requireWithinLimit(origin: origin(range, holder: "-"))
        }
        return .audio(negated, metadata)
      default: throw RuntimeError(message: "cannot negate this value", range: operand.range)
      }
    case .builtin(let builtin, let arguments, let lifted, _, let range):
      return try await guarded(range) {
        try await self.build(builtin, arguments, lifted: lifted, in: environment, range: range)
      }
    case .invalid(let range):
      throw RuntimeError(message: "internal error: an expression with an error", range: range)
    case .absent:
      return .unit
    }
  }

  /// Builds, in `shares`, the named signals that the signal bound to `name` is made of
  /// (through other bindings, to any depth) and that are not built there yet, each after
  /// the ones it is made of; returns them, for the caller to hold until it has built
  /// `name` itself.
  ///
  /// Built when first used instead, a chain of bindings (`b = a |> gain 1`, `c = b |>
  /// gain 1`, ...) would nest the building of each binding inside the next one's, as
  /// deep as the chain; built here, deepest first, each finds the signals it uses built,
  /// so no building nests deeper than one binding. The bindings are found without
  /// recursion, each once, so this costs time in proportion to the bindings reached.
  func prepareSignals(under name: String, in shares: ShareScope) async throws -> [SharedSignal] {
    guard !shares.holds(.binding(name)) else { return [] }
    let recipes = self.recipes
    /// The bindings evaluating the recipe of `binding` reaches in this graph: signals
    /// (shared) and streams and lists (evaluated in place, reaching what their recipes
    /// use); numbers are computed apart, in graphs of their own.
    func uses(_ binding: String) -> [(name: String, isSignal: Bool)] {
      var found: [(name: String, isSignal: Bool)] = []
      recipes[binding]?.evaluatedBindings { used, type in
        switch type {
        case .number: break
        case .audio: found.append((used, true))
        default: found.append((used, false))
        }
      }
      return found
    }
    // Depth first, with a stack of its own: each binding goes after those it uses.
    var order: [String] = []
    var seen: Set<String> = [name]
    var stack = [(uses: uses(name), next: 0)]
    var names = [(name: name, isSignal: true)]
    while let top = stack.indices.last {
      guard stack[top].next < stack[top].uses.count else {
        stack.removeLast()
        let done = names.removeLast()
        if done.isSignal, done.name != name { order.append(done.name) }
        continue
      }
      let used = stack[top].uses[stack[top].next]
      stack[top].next += 1
      guard seen.insert(used.name).inserted, !(used.isSignal && shares.holds(.binding(used.name)))
      else { continue }
      stack.append((uses(used.name), 0))
      names.append(used)
    }
    var prepared: [SharedSignal] = []
    for binding in order {
      guard let recipe = recipes[binding] else { continue }
      prepared.append(
        try await shares.prepare(
          .binding(binding), name: "'\(binding)'",
          build: { try await self.audio(recipe, in: Environment(shares: shares)) },
          factory: readsOnce(recipe) ? nil : { try await self.audio(recipe, in: Environment()).0 }))
    }
    return prepared
  }

  /// Whether `expression`, or a binding it uses, reads standard input or a channel:
  /// something that can be read only once, so its graph cannot be built twice.
  func readsOnce(_ expression: TypedExpr) -> Bool {
    reach(of: expression).contains(.readsOnce)
  }

  /// Whether evaluating `value` reads a channel, through the bindings it uses too.
  func readsChannel(_ value: TypedExpr) -> Bool {
    reach(of: value).contains(.readsChannel)
  }

  /// What `expression` reaches: its own builtin calls, and for each binding it refers
  /// to, what that binding's recipe reaches as recorded with it. Only `expression` is
  /// walked, never the recipes of the bindings it uses, so asking this of every binding
  /// of a chain costs time in proportion to the chain, not to its square.
  func reach(of expression: TypedExpr) -> Reach {
    let known = state.withLock { $0.reach }
    return Reach(of: expression, bindings: known)
  }

  /// Binds `name` to `recipe` for the statements that follow, with what it reaches.
  /// The bindings `recipe` refers to are recorded before it (a script binds a name
  /// above its uses; a session's recipes refer to no binding).
  func record(_ name: String, _ recipe: TypedExpr) {
    state.withLock { state in
      state.reach[name] = Reach(of: recipe, bindings: state.reach)
      state.recipes[name] = recipe
      state.numberCache[name] = nil
    }
  }

  /// Builds the value of an expression at the top of a new graph (a statement, `out`, a
  /// value shown): the graph's nodes are counted from none, so the limit on nodes
  /// applies to each graph, not to a script's statements together.
  func evaluateGraph(_ expression: TypedExpr) async throws -> RuntimeValue {
    state.withLock { $0.nodesBuilt = 0 }
    return try await evaluate(expression, in: Environment())
  }

  func number(_ expression: TypedExpr, in environment: Environment) async throws -> Double {
    guard case .number(let value) = try await evaluate(expression, in: environment) else {
      throw RuntimeError(message: "expected a number", range: expression.range)
    }
    return value
  }

  /// A number as a whole number, clamped to 2^53 in size (the largest whole number a
  /// parameter takes, so a checked one is never clamped); a number that is not finite is
  /// an error at `range`.
  func whole(_ value: Double, at range: SourceRange) throws -> Int {
    guard value.isFinite else {
      throw RuntimeError(message: "expected a finite number, got \(value)", range: range)
    }
    return Int(min(max(value, -ParameterError.largestWhole), ParameterError.largestWhole))
  }

  func string(_ expression: TypedExpr, in environment: Environment) async throws -> String {
    guard case .string(let value) = try await evaluate(expression, in: environment) else {
      throw RuntimeError(message: "expected a string", range: expression.range)
    }
    return value
  }

  func audio(_ expression: TypedExpr, in environment: Environment) async throws -> (
    AudioNode, Metadata
  ) {
    guard case .audio(let node, let metadata) = try await evaluate(expression, in: environment)
    else {
      throw RuntimeError(message: "expected a signal", range: expression.range)
    }
    return (node, metadata)
  }

  func stream(_ expression: TypedExpr, in environment: Environment) async throws -> ChunkSource {
    guard case .stream(let source) = try await evaluate(expression, in: environment) else {
      throw RuntimeError(message: "expected a stream", range: expression.range)
    }
    return source
  }

  /// A parameter that is a constant or a modulating signal.
  func parameter(_ expression: TypedExpr, in environment: Environment) async throws
    -> ParameterSignal
  {
    switch try await evaluate(expression, in: environment) {
    case .number(let value): return ParameterSignal(constant: value)
    case .audio(let node, _): return ParameterSignal(signal: node)
    default: throw RuntimeError(message: "expected a number or a signal", range: expression.range)
    }
  }

  func arithmetic(
    _ op: BinaryOperator, _ left: TypedExpr, _ right: TypedExpr, in environment: Environment,
    range: SourceRange
  ) async throws -> RuntimeValue {
    let a = try await evaluate(left, in: environment)
    let b = try await evaluate(right, in: environment)
    let operation: SignalOperation
    switch op {
    case .add: operation = .add
    case .subtract: operation = .subtract
    case .multiply: operation = .multiply
    case .divide: operation = .divide
    }
    let node: ArithmeticNode
    // The node's blocks are refused here when they take the run past its memory limit.
    func checked(_ node: ArithmeticNode, _ metadata: Metadata) async throws -> RuntimeValue {
      let tag = origin(range, holder: op.rawValue)
      node.origin = tag
      try await guarded(range) { try context.memory.requireWithinLimit(origin: tag) }
      return .audio(node, metadata)
    }
    switch (a, b) {
    case (.number(let x), .number(let y)):
      switch op {
      case .add: return .number(x + y)
      case .subtract: return .number(x - y)
      case .multiply: return .number(x * y)
      case .divide: return .number(x / y)
      }
    case (.audio(let x, let metadata), .number(let y)):
      node = ArithmeticNode(operation, signal: x, number: y, numberFirst: false)
      return try await checked(node, metadata)
    case (.number(let x), .audio(let y, let metadata)):
      node = ArithmeticNode(operation, signal: y, number: x, numberFirst: true)
      return try await checked(node, metadata)
    case (.audio(let x, let metadata), .audio(let y, _)):
      try RuntimeError.requireSameRate(x, y, at: range)
      node = ArithmeticNode(operation, x, y)
      return try await checked(node, metadata)
    default:
      throw RuntimeError(message: "cannot use '\(op.rawValue)' on these values", range: range)
    }
  }

  /// Renders the stream `expression` and sends its chunks to the channel `name`.
  func publish(_ expression: TypedExpr, to name: String) async throws {
    guard case .stream(let stream) = try await evaluateGraph(expression) else {
      throw RuntimeError(message: "expected a stream", range: expression.range)
    }
    let channels = processing.channels
    _ = try await Render.drain(stream) { chunk in try await channels.publish(chunk, to: name) }
  }
}
