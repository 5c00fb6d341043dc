import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation
import Synchronization

/// Options of a run.
public struct RunOptions: Sendable {
  /// Frames pulled per block.
  public var blockSize: Int
  /// Stops the run when cancelled.
  public var cancellation: CancellationToken
  /// The directory relative paths are resolved against; `nil` for the current one.
  public var baseDirectory: String?
  /// Where `print` and the summary of `out` go.
  public var output: any RunOutput
  /// Where `out` goes: a summary line on ``output`` by default.
  public var out: OutDestination
  /// Called while `out` renders with the fraction done (0 to 1), when its length is known.
  public var progress: (@Sendable (Double) -> Void)?
  /// Keep the samples of `out` in the report (for tests and golden files; only for short
  /// renders, since it holds the whole signal).
  public var keepsOut = false
  /// The file descriptor `input` reads raw PCM from (standard input by default).
  public var inputDescriptor: Int32 = 0
  /// Also draw `out`'s waveform into this PNG file, as the caller gave the path; its
  /// failures are ``OutputError``s.
  public var picturePath: String?
  /// The directory every file the script reads or writes must lie in, if any; relative
  /// paths are then taken against it, and ``baseDirectory`` is not used.
  public var sandbox: Sandbox?
  /// Times the render of each block of `out` when set, to see how near the slowest come
  /// to the time of the audio they make.
  public var blockTimer: BlockTimer?
  /// The most bytes the run may hold at once, everything it holds counted together
  /// (``ASTEngine/RenderContext/memoryLimit``).
  public var memoryLimit = RenderContext.defaultMemoryLimit
  /// When set, each signal or stream is rendered for at most this many seconds (see
  /// ``ASTEngine/RenderContext/previewSeconds``).
  public var previewSeconds: Double?
  /// When set, `out` is also played on a sound device, at the pace of the device.
  public var play: PlaybackRequest?
  /// Whether `out` without a file to go to is summarised in a line on ``output``
  /// (`ast play` only plays it).
  public var summarisesOut = true

  /// Creates options.
  public init(
    blockSize: Int = 1024, cancellation: CancellationToken = CancellationToken(),
    baseDirectory: String? = nil, output: any RunOutput = StandardRunOutput(),
    out: OutDestination = .summary,
    progress: (@Sendable (Double) -> Void)? = nil
  ) {
    self.blockSize = blockSize
    self.cancellation = cancellation
    self.baseDirectory = baseDirectory
    self.output = output
    self.out = out
    self.progress = progress
  }
}

/// Where and how a run plays `out` (``RunOptions/play``).
public struct PlaybackRequest: Sendable {
  /// The ALSA PCM name: `default`, `hw:0,0`, `pulse`, `null`, `file:FILE=x.raw,FORMAT=raw`.
  public var device: String
  /// Frames the device moves at a time, and the render's block.
  public var periodFrames: Int
  /// Periods the device's buffer holds.
  public var periods: Int
  /// Whether the look-ahead limiter keeps peaks under full scale (else they are clipped).
  public var limiter: Bool
  /// Called with the player once the device is open, before the first block plays: to
  /// watch its counts while it plays and report them after.
  public var started: (@Sendable (DevicePlayer) -> Void)?

  /// A request to play on `device`.
  public init(
    device: String = "default", periodFrames: Int = 256, periods: Int = 3, limiter: Bool = false,
    started: (@Sendable (DevicePlayer) -> Void)? = nil
  ) {
    self.device = device
    self.periodFrames = periodFrames
    self.periods = periods
    self.limiter = limiter
    self.started = started
  }
}

/// What a run produced.
public struct RunReport: Sendable {
  /// The summary of `out`, when the script binds it.
  public var out: SignalSummary?
  /// The samples of `out`, when ``RunOptions/keepsOut`` asked for them.
  public var outAudio: RenderedAudio?
  /// Warnings about numeric trouble (clipping, NaN), at their source.
  public var warnings: [Diagnostic]
}

/// Runs a checked script: turns the typed tree into engine graphs and pulls them.
///
/// Bindings are recipes, built when a statement uses them. Within one statement's
/// graph a signal used more than once (a named signal, a function's signal argument) is
/// built and rendered once and read by each use (``ASTEngine/SharedSignal``); separate
/// statements build their own graphs, so nothing is held in memory. Statements run in order: an
/// expression statement is rendered to its end when it is reached (its `write` and
/// `print` happen then); a binding that nothing uses but that writes or prints is run
/// the same way. `out` is rendered last: written to the output path, or summarised.
/// `publish` runs concurrently with everything after it; the subscriptions of the
/// script are registered before anything runs, so no chunk is missed.
public final class Evaluator: @unchecked Sendable {
  /// Diagnostic identifiers of running.
  public enum IDs {
    /// A failure while running (a file that cannot be written, a channel error).
    public static let runtimeError = RuntimeError.id
    /// A number computed while running that its parameter does not take.
    public static let computedOutOfRange = RuntimeError.outOfRangeID
    /// Samples beyond full scale clipped when writing an integer format.
    public static let clippedSamples: DiagnosticID = "clipped-samples"
    /// NaN or infinite samples produced by a node.
    public static let nonFiniteSamples: DiagnosticID = "non-finite-samples"
    /// Raw input that ended inside a frame.
    public static let partialFrame: DiagnosticID = "partial-frame"
    /// Memory that would take the run past its limit (`--memory-limit`).
    public static let memoryLimit: DiagnosticID = "memory-limit"
    /// A `write` given up because what reads its signal stopped before the end.
    public static let unfinishedWrite: DiagnosticID = "unfinished-write"

    /// Every identifier above.
    public static let all: [DiagnosticID] = [
      runtimeError, computedOutOfRange, clippedSamples, nonFiniteSamples, partialFrame,
      memoryLimit, unfinishedWrite,
    ]
  }

  // Statements that read channels run in tasks of their own, so the state below is
  // shared: every access goes through `state`'s lock. Graphs themselves are built and
  // rendered within one task and never shared.
  let script: TypedScript
  let options: RunOptions
  let source: Source
  let context: RenderContext
  let processing = ProcessingContext()

  struct State {
    var recipes: [String: TypedExpr] = [:]
    /// What each recipe reaches through the bindings it uses (``Reach``), worked out
    /// once when the binding is recorded.
    var reach: [String: Reach] = [:]
    var numberCache: [String: Double] = [:]
    /// Subscriptions made before the run, by the source position of their `subscribe`.
    var presubscribed: [Int: [Subscription]] = [:]
    /// Builder invocations in the graph being built, to refuse patches that would build
    /// absurdly many nodes.
    var nodesBuilt = 0
    var origins: [SourceRange] = []
    /// The builtin (or operator) at each origin that has one, for errors that name it.
    var holders: [Int: String] = [:]
    /// The first error of a task running beside the statements (a publisher).
    var firstFailure: (any Error)?
  }

  let state = Mutex(State())
  static let maximumNodes = 200_000

  var recipes: [String: TypedExpr] { state.withLock { $0.recipes } }

  /// Prepares a run of a checked script (without errors).
  public convenience init(check: CheckResult, options: RunOptions = RunOptions()) {
    self.init(
      check: check, options: options,
      context: RenderContext(
        blockSize: options.blockSize, cancellation: options.cancellation,
        memoryLimit: options.memoryLimit, previewSeconds: options.previewSeconds,
        isRealtime: options.play != nil))
  }

  /// Prepares a run that builds its graphs in `context`, shared with other runs (the
  /// versions of a live patch, whose nodes play in one render).
  init(check: CheckResult, options: RunOptions, context: RenderContext) {
    self.script = check.script
    self.source = check.parse.source
    self.options = options
    self.context = context
  }

  /// An origin tag for a source range, for reports; `holder` is the builtin (or
  /// operator) there, which an error about memory names.
  func origin(_ range: SourceRange, holder: String? = nil) -> Int {
    state.withLock { state in
      state.origins.append(range)
      if let holder { state.holders[state.origins.count - 1] = holder }
      return state.origins.count - 1
    }
  }

  /// Runs the script.
  ///
  /// - Throws: ``RuntimeError`` at the failing statement, or ``ASTEngine/RenderError/cancelled``.
  public func run() async throws -> RunReport {
    let (liveValues, executed) = liveness()
    let publishCounts = countPublishers()
    try await presubscribe(in: liveValues)
    // A channel nobody in the script publishes to ends at once, rather than never.
    for name in await processing.channels.channelNames where publishCounts[name] == nil {
      await processing.channels.closeChannel(name)
    }
    // Ctrl-C may come while a render waits on a channel: closing the channels wakes it.
    // The token calls this when it is cancelled (at once if it already is).
    let channels = processing.channels
    let closing = context.cancellation.onCancel {
      Task { await channels.closeAll() }
    }
    defer { closing.remove() }
    var publishers: [Task<Void, any Error>] = []
    var consumers: [Task<Void, any Error>] = []
    var remaining = publishCounts
    do {
      for statement in script.statements {
        try context.cancellation.check()
        switch statement {
        case .setting:
          continue
        case .binding(let name, let value, let range):
          record(name, value)
          if executed.contains(name) {
            try await execute(value, range: range, consumers: &consumers)
          }
        case .expression(let value, let range):
          if let (channel, streamExpression) = value.publication {
            let name = try await string(channel, in: Environment())
            remaining[name, default: 1] -= 1
            let last = remaining[name] == 0
            let channels = processing.channels
            let evaluator = self
            publishers.append(
              Task {
                defer { if last { Task { await channels.closeChannel(name) } } }
                do {
                  try await evaluator.guarded(range) {
                    try await evaluator.publish(streamExpression, to: name)
                  }
                } catch {
                  // A failed publisher stops the whole run before its subscribers see
                  // the channel close, so no output is finished from partial input.
                  evaluator.state.withLock { $0.firstFailure = $0.firstFailure ?? error }
                  evaluator.context.cancellation.cancel()
                  throw error
                }
              })
            continue
          }
          try await execute(value, range: range, consumers: &consumers)
        }
      }
      var report = RunReport(out: nil, warnings: [])
      if let out = recipes["out"] {
        let kept = KeptAudio()
        report.out = try await renderOut(out, keeping: options.keepsOut ? kept : nil)
        report.outAudio = kept.audio
      }
      for consumer in consumers { try await consumer.value }
      state.withLock { $0.presubscribed.removeAll() }
      for publisher in publishers { try await publisher.value }
      report.warnings = warnings()
      return report
    } catch {
      context.cancellation.cancel()
      for task in consumers + publishers { task.cancel() }
      await processing.close()
      // A publisher's failure is the cause; the cancellation it made is its effect.
      if case RenderError.cancelled = error, let cause = state.withLock({ $0.firstFailure }) {
        throw cause
      }
      throw error
    }
  }

  /// Renders a statement's value to its end; one that reads a channel runs concurrently.
  func execute(_ value: TypedExpr, range: SourceRange, consumers: inout [Task<Void, any Error>])
    async throws
  {
    if readsChannel(value) {
      let evaluator = self
      consumers.append(Task { try await evaluator.drainStatement(value, range: range) })
    } else {
      try await drainStatement(value, range: range)
    }
  }

  func drainStatement(_ value: TypedExpr, range: SourceRange) async throws {
    try await guarded(range) {
      switch try await self.evaluateGraph(value) {
      case .audio(let node, _): _ = try await Render.drain(node)
      case .stream(let stream): _ = try await Render.drain(stream)
      case .list(let items):
        for item in items {
          if case .audio(let node, _) = item { _ = try await Render.drain(node) }
          if case .stream(let stream) = item { _ = try await Render.drain(stream) }
        }
      case .number, .string, .pattern, .unit: break
      }
    }
  }

  /// Runs `body`, turning failures into runtime errors at `range`.
  func guarded<T>(_ range: SourceRange, _ body: () async throws -> T) async throws -> T {
    do {
      return try await body()
    } catch let error as RuntimeError {
      throw error
    } catch let error as OutputError {
      throw error
    } catch RenderError.cancelled {
      throw RenderError.cancelled
    } catch let error as MemoryLimitError {
      throw runtimeError(error, at: range)
    } catch let error as AudioFileError {
      throw RuntimeError(
        message: error.description, range: range,
        isClosedByReader: error.kind == .closedByReader)
    } catch let error as RenderError {
      throw RuntimeError(message: error.description, range: range)
    } catch let error as ChannelError {
      throw RuntimeError(message: error.description, range: range)
    } catch {
      throw RuntimeError(message: String(describing: error), range: range)
    }
  }

  /// A refusal of memory as an error at the place that asked (its origin), naming the
  /// builtin there; at `range` when the place is not known.
  func runtimeError(_ error: MemoryLimitError, at range: SourceRange) -> RuntimeError {
    var error = error
    let place = state.withLock { state -> (SourceRange, String?)? in
      guard let origin = error.origin, origin < state.origins.count else { return nil }
      return (state.origins[origin], state.holders[origin])
    }
    error.holder = error.holder ?? place?.1
    return RuntimeError(
      message: error.description, range: place?.0 ?? range, id: Self.IDs.memoryLimit)
  }

  /// Runs `body`, which builds what is at origin `tag`, then refuses the blocks it
  /// counted if they took the run past its memory limit; a refusal of memory that does
  /// not say where it was asked for is then at `tag`.
  func attributing<T>(to tag: Int, _ body: () async throws -> T) async throws -> T {
    do {
      let value = try await body()
      try context.memory.requireWithinLimit(origin: tag)
      return value
    } catch var error as MemoryLimitError where error.origin == nil {
      error.origin = tag
      throw error
    }
  }

  /// The warnings gathered while rendering, at their origins (also after a failed run).
  public func warnings() -> [Diagnostic] {
    var result: [Diagnostic] = []
    for (key, count) in context.trouble.entries {
      let origins = state.withLock { $0.origins }
      let range = key.origin.flatMap { $0 < origins.count ? origins[$0] : nil } ?? .zero
      switch key.kind {
      case .clipped(let target):
        result.append(
          .warning(
            Self.IDs.clippedSamples,
            "\(count) sample\(count == 1 ? "" : "s") clipped when writing '\(target)'", at: range,
            notes: [DiagnosticNote("lower the level, e.g. with 'gain' or 'normalize'")]))
      case .nonFinite:
        result.append(
          .warning(
            Self.IDs.nonFiniteSamples,
            "\(count) sample\(count == 1 ? " was" : "s were") NaN or infinite and became 0",
            at: range))
      case .partialFrame:
        result.append(
          .warning(
            Self.IDs.partialFrame,
            "standard input ended inside a frame: the last "
              + (count == 1 ? "byte was" : "\(count) bytes were")
              + " dropped and the whole frames before them kept", at: range))
      case .unfinishedWrite(let target):
        result.append(
          .warning(
            Self.IDs.unfinishedWrite,
            "'\(target)' was not written: what reads this signal stopped before its end",
            at: range,
            notes: [
              DiagnosticNote(
                "a signal is rendered only as far as it is read, and what reads this one "
                  + "(a 'slice', say) stopped early; write what is read instead, e.g. "
                  + "'slice x 0 1 |> write \"\(target)\"'")
            ]))
      }
    }
    return result.sortedUnique()
  }

  // MARK: Set-up

  /// Registers the subscriptions of every `subscribe` with a constant name in the
  /// expressions that will run, so none misses a chunk and none that never runs holds a
  /// publisher up.
  func presubscribe(in values: [TypedExpr]) async throws {
    var sites: [(String, SourceRange)] = []
    for value in values {
      value.visit { expression in
        if let name = expression.subscribedChannel?.stringValue {
          sites.append((name, expression.range))
        }
      }
    }
    for (name, range) in sites {
      let subscription = try await processing.channels.subscribe(to: name)
      state.withLock { $0.presubscribed[range.start, default: []].append(subscription) }
    }
  }

  /// The number of `publish` statements per channel name.
  func countPublishers() -> [String: Int] {
    var counts: [String: Int] = [:]
    for statement in script.statements {
      if case .expression(let value, _) = statement,
        let name = value.publication?.channel.stringValue
      {
        counts[name, default: 0] += 1
      }
    }
    return counts
  }

  /// What the run will evaluate: the expression statements, `out`, the bindings they
  /// use, and the bindings with effects (write, print, plot, publish) that nothing else
  /// uses, which run as statements of their own (their names are returned too).
  func liveness() -> (values: [TypedExpr], executed: Set<String>) {
    let plan = RunPlan(script)
    var bindings: [String: TypedExpr] = [:]
    for case .binding(let name, let value, _) in script.statements { bindings[name] = value }
    var live: Set<String> = []
    var values: [TypedExpr] = []
    var work = plan.roots.map(\.value)
    while let value = work.popLast() {
      values.append(value)
      for name in value.referencedBindings where live.insert(name).inserted {
        if let recipe = bindings[name] { work.append(recipe) }
      }
    }
    return (values, plan.executed)
  }

}

/// A rendered signal: its rate and its samples, one array per channel.
public struct RenderedAudio: Sendable, Equatable {
  /// Frames per second.
  public var sampleRate: Int
  /// The samples, one array per channel.
  public var channels: [[Float]]

  /// The number of frames.
  public var frameCount: Int { channels.first?.count ?? 0 }
}

extension Evaluator {
  /// Renders the Audio (or joined Stream) bound to `name` into memory, after ``run()``
  /// has bound it; for tests and for Swift code that wants the samples.
  public func render(binding name: String) async throws -> RenderedAudio {
    guard let recipe = recipes[name] else {
      throw RuntimeError(message: "'\(name)' is not bound", range: .zero)
    }
    let node: AudioNode
    switch try await evaluateGraph(recipe) {
    case .audio(let audio, _): node = audio
    case .stream(let stream): node = try await JoinNode.make(stream)
    default: throw RuntimeError(message: "'\(name)' is not a signal", range: recipe.range)
    }
    let held = try HeldSignal(
      channelCount: node.channelCount, frameCount: node.frameCount, in: context.memory,
      for: .named("the samples of '\(name)' kept"))
    _ = try await Render.drain(node) { buffer, count in try held.append(buffer, frames: count) }
    return RenderedAudio(sampleRate: node.sampleRate, channels: held.channels)
  }
}

/// The samples of `out`, filled while it renders.
final class KeptAudio: @unchecked Sendable {
  var sampleRate = 0
  var held: HeldSignal?

  /// The samples kept so far.
  var audio: RenderedAudio? {
    held.map { RenderedAudio(sampleRate: sampleRate, channels: $0.channels) }
  }
}
