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
    let (node, metadata) = try await build()
    let shared = SharedSignal(node, name: name, factory: factory)
    signals[key] = Entry(shared, metadata)
    return .audio(shared.makeReader(), metadata)
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
    case .constant(let value, _, _):
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
      guard case .audio = type else {
        return try await evaluate(recipe, in: Environment(shares: environment.shares))
      }
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

  /// Whether `expression`, or a binding it uses, reads standard input or a channel:
  /// something that can be read only once, so its graph cannot be built twice.
  func readsOnce(_ expression: TypedExpr) -> Bool {
    reaches(expression) { $0.effects.readsOnce != nil }
  }

  /// Whether evaluating `value` reads a channel, through the bindings it uses too.
  func readsChannel(_ value: TypedExpr) -> Bool {
    reaches(value) { $0.effects.readsOnce?.isChannel == true }
  }

  /// Whether `expression`, or a recipe of a binding it uses (followed without recursion,
  /// each once), calls a builtin that `matches`.
  func reaches(_ expression: TypedExpr, builtinWhere matches: (Builtin) -> Bool) -> Bool {
    let recipes = self.recipes
    var seen: Set<String> = []
    var work = [expression]
    while let next = work.popLast() {
      var found = false
      next.visit { node in
        switch node {
        case .builtin(let builtin, _, _, _, _) where matches(builtin):
          found = true
        case .binding(let name, _, _):
          if seen.insert(name).inserted, let recipe = recipes[name] { work.append(recipe) }
        default:
          break
        }
      }
      if found { return true }
    }
    return false
  }

  func number(_ expression: TypedExpr, in environment: Environment) async throws -> Double {
    guard case .number(let value) = try await evaluate(expression, in: environment) else {
      throw RuntimeError(message: "expected a number", range: expression.range)
    }
    return value
  }

  /// A number as a whole number, clamped to a range that cannot overflow; a number that
  /// is not finite is an error at `range`.
  func whole(_ value: Double, at range: SourceRange) throws -> Int {
    guard value.isFinite else {
      throw RuntimeError(message: "expected a finite number, got \(value)", range: range)
    }
    return Int(min(max(value, -Double(1 << 52)), Double(1 << 52)))
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

  /// `round(seconds * rate)` frames, at least 0.
  func frames(_ seconds: Double, _ rate: Int) -> Int {
    let value = (seconds * Double(rate)).rounded()
    guard value.isFinite, value > 0 else { return 0 }
    return Int(min(value, Double(Int.max / 4)))
  }

  /// Renders the stream `expression` and sends its chunks to the channel `name`.
  func publish(_ expression: TypedExpr, to name: String) async throws {
    let stream = try await self.stream(expression, in: Environment())
    let channels = processing.channels
    _ = try await Render.drain(stream) { chunk in try await channels.publish(chunk, to: name) }
  }
}
