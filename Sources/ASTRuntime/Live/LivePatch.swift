import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation

/// The constants of a binding's graph that a later version may glide, by the place of
/// each in its version's source, and the places of the constants read once.
final class LiveRegistry: @unchecked Sendable {
  // Unchecked: filled while the binding is built, then only read, on the control side.
  var glidable: [SourceRange: [(parameter: ParameterSignal, logarithmic: Bool)]] = [:]
  var fixed: Set<SourceRange> = []

  func add(_ parameter: ParameterSignal, at place: SourceRange, logarithmic: Bool) {
    glidable[place, default: []].append((parameter, logarithmic))
  }

  /// The registry with each place moved to its place in the next version's source.
  func moved(_ places: [SourceRange: SourceRange]) -> LiveRegistry {
    let moved = LiveRegistry()
    for (place, entries) in glidable {
      if let next = places[place] { moved.glidable[next] = entries }
    }
    moved.fixed = Set(fixed.compactMap { places[$0] })
    return moved
  }
}

/// What building one binding of a live patch's version reads: the slots of the bindings
/// it names (a reader of each, attached when the version lands), and the constants it
/// may glide.
final class LiveScope: @unchecked Sendable {
  // Unchecked: used by the one task that builds the version.
  let registry = LiveRegistry()
  private(set) var readers: [LiveSlotReader] = []
  private let slots: [String: (slot: LiveSlot, metadata: Metadata)]

  init(slots: [String: (slot: LiveSlot, metadata: Metadata)]) {
    self.slots = slots
  }

  /// A new reader of the slot of `name`, when the patch has one.
  func reader(of name: String) -> (reader: LiveSlotReader, metadata: Metadata)? {
    guard let found = slots[name] else { return nil }
    let reader = LiveSlotReader(found.slot)
    readers.append(reader)
    return (reader, found.metadata)
  }
}

/// How two versions of a binding's expression compare: the same shape (the same calls,
/// names and strings, in the same places), with the place of each constant in the new
/// source, and the constants whose values differ.
struct LiveDifference {
  var places: [SourceRange: SourceRange] = [:]
  var changes: [(place: SourceRange, value: Double)] = []

  /// The difference of `old` and `new`, or `nil` when their shapes differ.
  static func of(_ old: TypedExpr, _ new: TypedExpr) -> LiveDifference? {
    var difference = LiveDifference()
    return difference.compare(old, new) ? difference : nil
  }

  private mutating func compare(_ old: TypedExpr, _ new: TypedExpr) -> Bool {
    switch (old, new) {
    case (.constant(let a, let typeA, let placeA), .constant(let b, let typeB, let placeB)):
      guard typeA == typeB else { return false }
      places[placeA] = placeB
      if a.bitPattern != b.bitPattern { changes.append((placeA, b)) }
      return true
    case (.string(let a, _), .string(let b, _)):
      return a == b
    case (.binding(let a, let typeA, _), .binding(let b, let typeB, _)):
      return a == b && typeA == typeB
    case (.parameter(_, let a, let typeA, _), .parameter(_, let b, let typeB, _)):
      return a == b && typeA == typeB
    case (.list(let a, let typeA, _), .list(let b, let typeB, _)):
      return typeA == typeB && compare(a, b)
    case (
      .builtin(let f, let a, let liftedA, let typeA, _),
      .builtin(let g, let b, let liftedB, let typeB, _)
    ):
      return f.name == g.name && liftedA == liftedB && typeA == typeB && compare(a, b)
    case (
      .function(let f, let a, let bodyA, let typeA, _),
      .function(let g, let b, let bodyB, let typeB, _)
    ):
      return f == g && typeA == typeB && compare(a, b) && compare(bodyA, bodyB)
    case (
      .arithmetic(let opA, let a1, let a2, let typeA, _),
      .arithmetic(let opB, let b1, let b2, let typeB, _)
    ):
      return opA == opB && typeA == typeB && compare(a1, b1) && compare(a2, b2)
    case (.negate(let a, let typeA, _), .negate(let b, let typeB, _)):
      return typeA == typeB && compare(a, b)
    case (.absent, .absent):
      return true
    default:
      return false
    }
  }

  private mutating func compare(_ old: [TypedExpr], _ new: [TypedExpr]) -> Bool {
    guard old.count == new.count else { return false }
    for (a, b) in zip(old, new) where !compare(a, b) { return false }
    return true
  }
}

/// A patch that plays while new versions of it are applied: each version checked,
/// planned and built away from the render, and handed to it in one exchange only when
/// all of that succeeded, so a version that fails changes nothing.
///
/// Each binding the played expression reaches is a ``ASTEngine/LiveSlot``, which the
/// nodes of every version that name it read. A binding whose expression and the slots
/// it reads are unchanged keeps its node, and its state; one whose constants alone
/// changed keeps its node and glides them (about 20 ms, frequencies in equal ratios),
/// where the node allows it; any other change builds the binding anew, and its slot
/// crossfades to the new node with an equal-power curve (``Options/fadeSeconds``). A
/// binding no longer reached stops with the node that read it, faded out. A version
/// lands at once, or on the next beat or bar of the tempo's clock, sample-exactly.
public final class LivePatch: @unchecked Sendable {
  // Unchecked: driven by one caller at a time (a session, `ast watch`, a rehearsal);
  // the render is reached only through the output's hand-offs.
  /// How a live patch plays and changes.
  public struct Options: Sendable {
    /// Frames per block (the device's period).
    public var blockSize = 256
    /// The length of a crossfade, in seconds.
    public var fadeSeconds = 0.03
    /// The length of a glide, in seconds.
    public var glideSeconds = 0.02
    /// Where a version lands on the clock.
    public var quantum = LiveQuantum.none
    /// Whether the output plays on, silent, after the versions' length (`ast watch`).
    public var endless = false
    /// Whether a sound device paces the render.
    public var isRealtime = false
    /// The most bytes the patch may hold.
    public var memoryLimit = RenderContext.defaultMemoryLimit
    /// The directory relative paths are resolved against.
    public var baseDirectory: String?
    /// Stops the patch when cancelled.
    public var cancellation = CancellationToken()

    /// Options with the defaults.
    public init() {}
  }

  /// One version of a patch: the bindings it makes, what it plays, and its tempo.
  public struct Version: @unchecked Sendable {
    // Unchecked: a checked script is a value read only.
    /// The checked source the version comes from (for the places of its errors).
    public var check: CheckResult
    /// Each binding's expression as checked, naming the bindings it uses.
    public var recipes: [String: TypedExpr]
    /// What plays.
    public var played: TypedExpr
    /// The tempo in force, in beats per minute.
    public var tempo: Double
    /// Beats per bar.
    public var meter: Int

    /// A version that plays `played` with the bindings `recipes`.
    public init(
      check: CheckResult, recipes: [String: TypedExpr], played: TypedExpr, tempo: Double,
      meter: Int
    ) {
      self.check = check
      self.recipes = recipes
      self.played = played
      self.tempo = tempo
      self.meter = meter
    }

    /// The version a checked script makes: it plays `out`.
    ///
    /// - Throws: ``RuntimeError`` when the script binds no `out`.
    public init(script check: CheckResult) throws {
      var recipes: [String: TypedExpr] = [:]
      var tempo = Checker.defaultTempo
      var meter = Checker.defaultMeter
      var out: TypedExpr?
      for statement in check.script.statements {
        switch statement {
        case .binding(let name, let value, let range):
          recipes[name] = value
          if name == "out" { out = .binding(name: name, value.type, range) }
        case .setting(.tempo, let value, _): tempo = value
        case .setting(.meter, let value, _): meter = Int(value)
        default: break
        }
      }
      guard let out else {
        throw RuntimeError(
          message: "the script binds no 'out', so a live patch has nothing to play",
          range: SourceRange(start: 0, end: 0))
      }
      self.init(check: check, recipes: recipes, played: out, tempo: tempo, meter: meter)
    }
  }

  /// A binding as the patch plays it.
  struct Binding {
    let slot: LiveSlot
    let recipe: TypedExpr
    let registry: LiveRegistry
    let metadata: Metadata
  }

  /// A version built and ready to hand to the render: the change, and what it does.
  public struct Plan: @unchecked Sendable {
    // Unchecked: made and used by the patch's one caller.
    let change: LiveChange
    let model: [String: Binding]
    let number: Int
    /// The bindings built anew (crossfaded), in the order built.
    public let rebuilt: [String]
    /// The bindings whose constants glide.
    public let glided: [String]
    /// The bindings no longer played.
    public let removed: [String]
  }

  /// The name the played expression goes by among the bindings.
  static let playedName = "(played)"

  /// The output, which the render pulls.
  public let output: LiveOutput
  /// The render's settings, shared by every version's nodes.
  public let context: RenderContext
  /// How the patch plays and changes.
  public let options: Options
  /// The number of the version applied last.
  public private(set) var version = 1
  /// The first change (version 1), landed when the output is made.
  public let first: LiveChange
  private var model: [String: Binding]
  private let retired: HandOff

  private init(
    output: LiveOutput, first: LiveChange, context: RenderContext, options: Options,
    model: [String: Binding], retired: HandOff
  ) {
    self.output = output
    self.first = first
    self.context = context
    self.options = options
    self.model = model
    self.retired = retired
  }

  /// A patch that plays `version` from its first frame.
  ///
  /// - Throws: ``RuntimeError`` when the version cannot be built or played live.
  public static func start(_ version: Version, options: Options) async throws -> LivePatch {
    let context = RenderContext(
      blockSize: options.blockSize, cancellation: options.cancellation,
      memoryLimit: options.memoryLimit, isRealtime: options.isRealtime)
    let retired = HandOff(capacity: 4096)
    let builder = Builder(
      version: version, number: 1, old: [:], out: nil, context: context, options: options,
      retired: retired)
    let plan = try await builder.build()
    guard let out = plan.model[playedName]?.slot else {
      throw RuntimeError(message: "internal error: no output", range: version.played.range)
    }
    let clock = LiveClock(
      sampleRate: out.sampleRate, tempo: version.tempo, meter: version.meter)
    let output = LiveOutput(
      out: out, first: plan.change, clock: clock, endless: options.endless, retired: retired)
    return LivePatch(
      output: output, first: plan.change, context: context, options: options,
      model: plan.model, retired: retired)
  }

  /// Builds `version` against what plays now, without changing what plays.
  ///
  /// - Throws: ``RuntimeError`` when the version cannot be built or played live; the
  ///   patch is then as it was.
  public func prepare(_ version: Version, quantum: LiveQuantum? = nil, frame: Int? = nil)
    async throws -> Plan
  {
    var builder = Builder(
      version: version, number: self.version + 1, old: model, out: output.out,
      context: context, options: options, retired: retired)
    builder.quantum = quantum ?? options.quantum
    builder.frame = frame
    return try await builder.build()
  }

  /// Hands `plan` to the render, where it lands at its frame or on the clock; what it
  /// builds on is then what plays.
  ///
  /// - Throws: ``RuntimeError`` when too many versions wait to land already.
  public func apply(_ plan: Plan) throws {
    guard output.publish(plan.change) else {
      throw RuntimeError(
        message: "too many versions are waiting to land; wait for the next beat",
        range: SourceRange(start: 0, end: 0))
    }
    model = plan.model
    version = plan.number
  }

  /// Settles and frees what the render no longer plays.
  public func collectRetired() async { await output.collectRetired() }

  /// Settles every node that plays (the render has ended).
  public func finish() async {
    await collectRetired()
    for binding in model.values {
      for node in binding.slot.nodes { try? await node.finish() }
    }
  }
}

extension LivePatch {
  /// Builds one version against the bindings that play.
  struct Builder {
    let version: Version
    let number: Int
    let old: [String: Binding]
    let out: LiveSlot?
    let context: RenderContext
    let options: Options
    let retired: HandOff
    var quantum = LiveQuantum.none
    var frame: Int?

    init(
      version: Version, number: Int, old: [String: Binding], out: LiveSlot?,
      context: RenderContext, options: Options, retired: HandOff
    ) {
      self.version = version
      self.number = number
      self.old = old
      self.out = out
      self.context = context
      self.options = options
      self.retired = retired
    }

    func build() async throws -> Plan {
      var runOptions = RunOptions(
        blockSize: context.blockSize, cancellation: context.cancellation,
        baseDirectory: options.baseDirectory, output: SilentOutput())
      runOptions.memoryLimit = options.memoryLimit
      let evaluator = Evaluator(check: version.check, options: runOptions, context: context)
      for (name, recipe) in version.recipes { evaluator.record(name, recipe) }
      let recipes = normalized()
      let order = try playedBindings(recipes)
      var model: [String: Binding] = [:]
      var begins: [LiveSlot] = []
      var readers: [LiveSlotReader] = []
      var installs: [(slot: LiveSlot, node: AudioNode)] = []
      var glides: [(parameter: ParameterSignal, target: Double, logarithmic: Bool)] = []
      var rebuilt: [String] = []
      var glided: [String] = []
      for name in order {
        guard let recipe = recipes[name] else { continue }
        if let before = old[name], let kept = keep(before, as: recipe, in: model) {
          model[name] = kept.binding
          if !kept.glides.isEmpty {
            glides += kept.glides
            glided.append(name)
          }
          continue
        }
        let scope = LiveScope(slots: model.mapValues { ($0.slot, $0.metadata) })
        var (node, metadata) = try await node(of: recipe, in: scope, evaluator: evaluator)
        var slot: LiveSlot
        if name == LivePatch.playedName, let out {
          guard node.sampleRate == out.sampleRate else {
            throw RuntimeError(
              message: "this version plays at \(node.sampleRate) Hz, and the patch at "
                + "\(out.sampleRate) Hz",
              range: version.played.range,
              notes: [DiagnosticNote("resample it, or keep the 'rate' it started with")])
          }
          if node.channelCount != out.channelCount {
            node = ChannelMatchNode(node, channels: out.channelCount)
          }
          slot = out
        } else if let before = old[name], before.slot.sampleRate == node.sampleRate,
          before.slot.channelCount == node.channelCount
        {
          slot = before.slot
        } else {
          slot = LiveSlot(
            name: name, sampleRate: node.sampleRate, channelCount: node.channelCount,
            context: context, retired: retired)
          begins.append(slot)
        }
        try await node.prepare()
        if scope.readers.isEmpty {
          // Nothing in it reads another slot: it can be made ready here, off the render.
          try await node.ready(frames: context.blockSize)
        }
        readers += scope.readers
        installs.append((slot, node))
        rebuilt.append(name)
        model[name] = Binding(
          slot: slot, recipe: recipe, registry: scope.registry, metadata: metadata)
      }
      let removed = old.keys.filter { model[$0] == nil }.sorted()
      let rate = model[LivePatch.playedName]?.slot.sampleRate ?? 48000
      let change = LiveChange(
        version: number, frame: frame, quantum: quantum, begins: begins, readers: readers,
        installs: installs, glides: glides,
        fadeFrames: Int((options.fadeSeconds * Double(rate)).rounded()),
        glideFrames: max(1, Int((options.glideSeconds * Double(rate)).rounded())),
        tempo: version.tempo, meter: version.meter,
        length: options.endless ? nil : try await length(evaluator: evaluator))
      return Plan(
        change: change, model: model, number: number,
        rebuilt: rebuilt, glided: glided, removed: removed)
    }

    /// `before` kept for `recipe`, when the shapes agree, the slots it reads are the
    /// same, and every constant that changed can glide; with the glides.
    private func keep(_ before: Binding, as recipe: TypedExpr, in model: [String: Binding])
      -> (
        binding: Binding, glides: [(parameter: ParameterSignal, target: Double, logarithmic: Bool)]
      )?
    {
      var sameSlots = true
      recipe.evaluatedBindings { name, type in
        guard case .audio = type else { return }
        if model[name]?.slot !== old[name]?.slot { sameSlots = false }
      }
      guard sameSlots, let difference = LiveDifference.of(before.recipe, recipe) else {
        return nil
      }
      var glides: [(parameter: ParameterSignal, target: Double, logarithmic: Bool)] = []
      for change in difference.changes {
        guard let entries = before.registry.glidable[change.place],
          !before.registry.fixed.contains(change.place),
          entries.allSatisfy({ $0.parameter.acceptsGlide })
        else { return nil }
        for entry in entries {
          glides.append((entry.parameter, change.value, entry.logarithmic))
        }
      }
      let binding = Binding(
        slot: before.slot, recipe: recipe, registry: before.registry.moved(difference.places),
        metadata: before.metadata)
      return (binding, glides)
    }

    /// The signal of `recipe` built for the patch: the bindings it names read from
    /// their slots, a stream joined into a signal.
    private func node(of recipe: TypedExpr, in scope: LiveScope, evaluator: Evaluator)
      async throws -> (AudioNode, Metadata)
    {
      let value = try await evaluator.guarded(recipe.range) {
        try await evaluator.evaluate(
          recipe, in: Environment(shares: ShareScope(live: scope)))
      }
      switch value {
      case .audio(let node, let metadata): return (node, metadata)
      case .stream(let stream): return (try await JoinNode.make(stream), [:])
      default:
        throw RuntimeError(
          message: "a live patch plays a signal or a stream, not \(recipe.type.article)",
          range: recipe.range)
      }
    }

    /// The length of the played expression alone, when it is known before rendering.
    private func length(evaluator: Evaluator) async throws -> Int? {
      let value = try await evaluator.guarded(version.played.range) {
        try await evaluator.evaluateGraph(version.played)
      }
      switch value {
      case .audio(let node, _): return node.frameCount
      default: return nil
      }
    }

    /// Each binding's expression with the bindings it names that are not signals (numbers,
    /// strings, streams, patterns, lists) replaced by their own, so that a change of one
    /// shows in every binding that uses it; the played expression under its own name.
    private func normalized() -> [String: TypedExpr] {
      var others: [String: TypedExpr] = [:]
      for (name, recipe) in version.recipes {
        if case .audio = recipe.type { continue }
        others[name] = recipe
      }
      func substituted(_ expression: TypedExpr) -> TypedExpr {
        var result = expression
        for _ in 0...others.count {
          var names = false
          result.evaluatedBindings { name, _ in if others[name] != nil { names = true } }
          guard names else { break }
          result = result.substitutingBindings(others)
        }
        return result
      }
      var recipes: [String: TypedExpr] = [:]
      for (name, recipe) in version.recipes {
        if case .audio = recipe.type { recipes[name] = substituted(recipe) }
      }
      recipes[LivePatch.playedName] = substituted(version.played)
      return recipes
    }

    /// The signal bindings the played expression reaches, each after those it names,
    /// the played expression last; refuses what a live patch cannot play.
    private func playedBindings(_ recipes: [String: TypedExpr]) throws -> [String] {
      var order: [String] = []
      var seen: Set<String> = [LivePatch.playedName]
      func uses(_ name: String) -> [String] {
        var found: [String] = []
        recipes[name]?.evaluatedBindings { used, type in
          if case .audio = type, recipes[used] != nil { found.append(used) }
        }
        return found
      }
      var stack = [(name: LivePatch.playedName, uses: uses(LivePatch.playedName), next: 0)]
      while let top = stack.indices.last {
        guard stack[top].next < stack[top].uses.count else {
          order.append(stack.removeLast().name)
          continue
        }
        let used = stack[top].uses[stack[top].next]
        stack[top].next += 1
        guard seen.insert(used).inserted else { continue }
        stack.append((used, uses(used), 0))
      }
      for name in order {
        if let recipe = recipes[name] { try refuseWhatCannotPlay(recipe) }
      }
      return order
    }

    /// Refuses a call that acts beside the sound (writes a file, prints, publishes),
    /// reads a source that can be read only once, or holds the whole of a binding's
    /// signal, which plays on in a live patch.
    private func refuseWhatCannotPlay(_ recipe: TypedExpr) throws {
      var refusal: RuntimeError?
      recipe.visit { expression in
        guard refusal == nil,
          case .builtin(let builtin, let arguments, _, _, let range) = expression
        else { return }
        let effects = builtin.effects
        var why: String?
        if effects.writesFile != nil {
          why = "it writes a file"
        } else if effects.prints {
          why = "it prints"
        } else if effects.publishes != nil {
          why = "it publishes to a channel"
        } else if effects.readsOnce != nil {
          why = "what it reads can be read only once, and a version may build it again"
        } else if effects.holdsWholeSignal {
          var namesSignal = false
          for argument in arguments {
            argument.evaluatedBindings { _, type in
              if case .audio = type { namesSignal = true }
            }
          }
          if namesSignal {
            why = "it holds the whole of its input, and a binding's signal plays on"
          }
        }
        if let why {
          refusal = RuntimeError(
            message: "'\(builtin.name)' cannot be part of a live patch: \(why)", range: range,
            notes: [DiagnosticNote("render it with 'ast run' instead")])
        }
      }
      if let refusal { throw refusal }
    }
  }
}
