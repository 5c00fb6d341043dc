import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation

extension Evaluator {
  // MARK: Builtins

  /// Builds a builtin call with the builder its declaration gives. What it builds is
  /// tagged with the call's place, where a refusal of memory while building it (or
  /// later, by what it built) is reported.
  func build(
    _ builtin: Builtin, _ values: [TypedExpr], lifted: Bool, in environment: Environment,
    range: SourceRange
  ) async throws -> RuntimeValue {
    let call = EvaluatorCall(
      evaluator: self, builtin: builtin, values: values, lifted: lifted,
      environment: environment, range: range)
    let tag = origin(range, holder: builtin.name)
    switch builtin.build {
    case .value(let build):
      let value = try await attributing(to: tag) { try await build(call) }
      switch value {
      case .audio(let node, _) where node.origin == nil: node.origin = tag
      case .stream(let source) where source.origin == nil: source.origin = tag
      default: break
      }
      return value
    case .effect(let build):
      let inputName = builtin.parameters.first?.name ?? "x"
      if lifted {
        let source = try await call.stream(inputName)
        let lifted = LiftedSource(source) { input in
          try call.checkInputRate(input.sampleRate)
          call.sampleRate = input.sampleRate
          let node = try await self.attributing(to: tag) { try await build(call, input) }
          node.origin = tag
          return node
        }
        lifted.origin = tag
        return .stream(lifted)
      }
      let (input, metadata) = try await call.audio(inputName)
      call.sampleRate = input.sampleRate
      let node = try await attributing(to: tag) { try await build(call, input) }
      node.origin = tag
      return .audio(node, metadata)
    }
  }

  /// A path as it is opened: within the sandbox when there is one (a refusal is an
  /// error at `range`), else relative paths against the base directory.
  func resolve(_ path: String, at range: SourceRange, writing: Bool = false) throws -> String {
    switch Sandbox.open(
      path, in: options.sandbox, base: options.baseDirectory, writing: writing)
    {
    case .success(let opened): return opened
    case .failure(let refusal): throw RuntimeError(message: refusal.message, range: range)
    }
  }
}

/// A builtin call being built by the evaluator: its arguments read by parameter name and
/// evaluated in the call's environment.
///
/// Every number read for a parameter is checked against the parameter's declaration
/// before a builder sees it, as the checker checks constants (see ``BuiltinCall``); a
/// bound at the Nyquist frequency refers to ``sampleRate``.
final class EvaluatorCall: BuiltinCall {
  let evaluator: Evaluator
  let builtin: Builtin
  let values: [TypedExpr]
  let isLifted: Bool
  let environment: Environment
  let range: SourceRange
  /// The rate that Nyquist bounds refer to, as the checker takes it: the input's, once
  /// read (an effect's is set before its builder runs), or a generator's `rate`.
  var sampleRate: Int?

  init(
    evaluator: Evaluator, builtin: Builtin, values: [TypedExpr], lifted: Bool,
    environment: Environment, range: SourceRange
  ) {
    self.evaluator = evaluator
    self.builtin = builtin
    self.values = values
    self.isLifted = lifted
    self.environment = environment
    self.range = range
  }

  var context: RenderContext { evaluator.context }
  var output: any RunOutput { evaluator.options.output }
  var inputDescriptor: Int32 { evaluator.options.inputDescriptor }

  /// The argument of the parameter called `name`; an expression the evaluator refuses
  /// (an internal error at the call) when the declaration has no such parameter.
  func argument(_ name: String) -> TypedExpr {
    guard let index = builtin.index(of: name), index < values.count else {
      return .invalid(range)
    }
    return values[index]
  }

  /// The argument `name` with a function's parameters replaced by what the call gave.
  private func resolved(_ name: String) -> TypedExpr {
    var expression = argument(name)
    var scope = environment
    while case .parameter(_, let index, _, _) = expression, index < scope.arguments.count {
      (expression, scope) = scope.arguments[index]
    }
    return expression
  }

  func value(_ name: String) async throws -> RuntimeValue {
    try await evaluator.evaluate(argument(name), in: environment)
  }

  func number(_ name: String) async throws -> Double {
    let value = try await evaluator.number(argument(name), in: environment)
    try await validate(value, for: name)
    if isGeneratorRate(name) { sampleRate = Int(exactly: value) }
    return value
  }

  func whole(_ name: String) async throws -> Int {
    // Its range makes it whole and at most 2^53 in size, which converts exactly.
    try evaluator.whole(try await number(name), at: argument(name).range)
  }

  /// Whether `name` is a generator's `rate`, the rate of what it makes.
  private func isGeneratorRate(_ name: String) -> Bool {
    builtin.result == .generator && name == "rate"
  }

  /// Refuses `value` for the parameter `name` when its declaration does not take it, at
  /// the argument. A generator's bounds that depend on the rate (the Nyquist frequency,
  /// the longest time a signal can last) read the `rate` first when the builder has not.
  private func validate(_ value: Double, for name: String, sampleRate rate: Int? = nil)
    async throws
  {
    guard let parameter = builtin.parameter(named: name) else { return }
    if parameter.range?.upper == .nyquist || parameter.unit == .seconds, sampleRate == nil,
      rate == nil, builtin.result == .generator, builtin.parameter(named: "rate") != nil,
      name != "rate"
    {
      _ = try await number("rate")
    }
    if let problem = parameter.validate(value, sampleRate: rate ?? sampleRate) {
      throw RuntimeError(problem, of: parameter, in: builtin, at: argument(name).range)
    }
  }

  /// Refuses an input at a sample rate lower than the builtin works at, at the call.
  func checkInputRate(_ rate: Int) throws {
    guard let lowest = builtin.effects.lowestInputRate, rate < lowest.rate else { return }
    throw RuntimeError(
      message: lowest.message(for: builtin.name, actual: rate), range: range,
      notes: [
        DiagnosticNote(lowest.reason),
        DiagnosticNote("resample it first, e.g. 'resample x \(lowest.rate)'"),
      ], id: Checker.IDs.unsupportedRate)
  }

  func string(_ name: String) async throws -> String {
    try await evaluator.string(argument(name), in: environment)
  }

  func audio(_ name: String) async throws -> (AudioNode, Metadata) {
    let (node, metadata) = try await evaluator.audio(argument(name), in: environment)
    if let input = builtin.inputIndex, builtin.parameters[input].name == name {
      try checkInputRate(node.sampleRate)
      sampleRate = node.sampleRate
    }
    return (node, metadata)
  }

  func stream(_ name: String) async throws -> ChunkSource {
    try await evaluator.stream(argument(name), in: environment)
  }

  func modulation(_ name: String) async throws -> ParameterSignal {
    if let live = environment.shares.live, case .constant(let value, _, let place) = resolved(name)
    {
      // In a live patch a constant may glide to the value of a later version.
      let parameter = ParameterSignal(
        constant: value, glideCapacity: evaluator.context.blockSize)
      try await validate(value, for: name)
      live.registry.add(
        parameter, at: place, logarithmic: builtin.parameter(named: name)?.unit == .hertz)
      return parameter
    }
    let parameter = try await evaluator.parameter(argument(name), in: environment)
    if !parameter.isModulated { try await validate(parameter.value, for: name) }
    return parameter
  }

  func signals(_ name: String) async throws -> [AudioNode] {
    let list = argument(name)
    guard case .list(let items) = try await evaluator.evaluate(list, in: environment) else {
      throw RuntimeError(message: "expected a list of signals", range: list.range)
    }
    let nodes = try items.map { item -> AudioNode in
      guard case .audio(let node, _) = item else {
        throw RuntimeError(message: "expected a list of signals", range: list.range)
      }
      return node
    }
    guard let first = nodes.first, nodes.allSatisfy({ $0.sampleRate == first.sampleRate }) else {
      throw failure(
        "the signals of '\(builtin.name)' have different sample rates; resample them")
    }
    return nodes
  }

  func frames(_ name: String, rate: Int) async throws -> Int {
    let seconds = try await evaluator.number(argument(name), in: environment)
    try await validate(seconds, for: name, sampleRate: rate)
    guard let frames = SignalLength.frames(seconds: seconds, sampleRate: rate) else {
      throw RuntimeError(
        message:
          "'\(name)' of '\(builtin.name)' is more frames at \(rate) Hz than a signal can have "
          + "(\(SignalLength.maximumText))", range: argument(name).range,
        id: RuntimeError.outOfRangeID)
    }
    return frames
  }

  func path(_ name: String, writing: Bool) async throws -> (written: String, opened: String) {
    let written = try await string(name)
    return (written, try evaluator.resolve(written, at: argument(name).range, writing: writing))
  }

  func rebuilding(_ name: String) -> NodeFactory {
    let recipe = argument(name)
    let evaluator = self.evaluator
    let environment = self.environment
    return {
      // Each repetition is a fresh build; it does not count toward the node limit.
      evaluator.state.withLock { $0.nodesBuilt = 0 }
      return try await evaluator.audio(recipe, in: environment).0
    }
  }

  func pattern(_ name: String) async throws -> Pattern {
    guard case .pattern(let pattern) = try await value(name) else {
      throw RuntimeError(message: "expected a pattern", range: argument(name).range)
    }
    return pattern
  }

  func instrument(_ name: String) throws -> VoiceFactory {
    guard case .function(_, _, let body, _, let range) = argument(name) else {
      throw RuntimeError(message: "internal error: an instrument that is not a fn", range: range)
    }
    if evaluator.readsOnce(body) {
      throw RuntimeError(
        message: "the instrument reads standard input or a channel, which can be read only "
          + "once; each voice is built afresh", range: range)
    }
    let evaluator = self.evaluator
    return { frequency, duration in
      // Each voice is a fresh build; it does not count toward the node limit.
      evaluator.state.withLock { $0.nodesBuilt = 0 }
      let top = Environment()
      let arguments: [(TypedExpr, Environment)] = [
        (.constant(frequency, .number(.frequency), range), top),
        (.constant(duration, .number(.time), range), top),
      ]
      return try await evaluator.audio(body, in: Environment(arguments: arguments)).0
    }
  }

  func subscription(to name: String) async throws -> Subscription {
    let start = range.start
    let waiting = evaluator.state.withLock { state -> Subscription? in
      guard var queue = state.presubscribed[start], !queue.isEmpty else { return nil }
      let first = queue.removeFirst()
      state.presubscribed[start] = queue
      return first
    }
    if let waiting { return waiting }
    return try await evaluator.processing.channels.subscribe(to: name)
  }

  func origin() -> Int {
    evaluator.origin(range, holder: builtin.name)
  }
}
