import ASTCore
import ASTEngine
import ASTSemantics
import ASTSyntax
import Foundation

/// What one statement produced, for an interactive session.
public enum StatementResult: Sendable {
  /// A rendered signal or stream: its summary and a coarse envelope (peaks per column).
  case signal(SignalSummary, envelope: [Float])
  /// A number.
  case number(Double)
  /// A string.
  case string(String)
  /// A list of so many values.
  case list(count: Int)
  /// A pattern: the first line of its listing (its cycles, events, bars and tempo).
  case pattern(String)
  /// Nothing to show.
  case nothing
}

extension TypedExpr {
  /// The expression with every reference to a binding replaced by the binding's
  /// expression, so that it no longer depends on names (which a session may rebind).
  public func substitutingBindings(_ recipes: [String: TypedExpr]) -> TypedExpr {
    switch self {
    case .binding(let name, _, _):
      return recipes[name] ?? self
    case .list(let items, let type, let range):
      return .list(items.map { $0.substitutingBindings(recipes) }, type, range)
    case .builtin(let builtin, let arguments, let lifted, let type, let range):
      return .builtin(
        builtin, arguments: arguments.map { $0.substitutingBindings(recipes) }, lifted: lifted,
        type, range)
    case .function(let name, let arguments, let body, let type, let range):
      return .function(
        name: name, arguments: arguments.map { $0.substitutingBindings(recipes) },
        body: body.substitutingBindings(recipes), type, range)
    case .arithmetic(let op, let a, let b, let type, let range):
      return .arithmetic(
        op, a.substitutingBindings(recipes), b.substitutingBindings(recipes), type, range)
    case .negate(let a, let type, let range):
      return .negate(a.substitutingBindings(recipes), type, range)
    case .constant, .string, .parameter, .invalid, .absent:
      return self
    }
  }
}

extension Evaluator {
  /// The bindings known to this evaluator, each free of references to other bindings.
  public var bindings: [String: TypedExpr] { recipes }

  /// Adds bindings from earlier statements of a session (free of references).
  public func seed(_ bindings: [String: TypedExpr]) {
    for (name, recipe) in bindings { record(name, recipe) }
  }

  /// Runs one statement of a session and renders its value to show it: a binding's
  /// value, or an expression statement's.
  public func perform(_ statement: TypedStatement) async throws -> StatementResult {
    switch statement {
    case .setting:
      return .nothing
    case .binding(let name, let value, let range):
      let resolved = value.substitutingBindings(recipes)
      record(name, resolved)
      return try await show(resolved, range: range)
    case .expression(let value, let range):
      if let (channel, streamExpression) = value.substitutingBindings(recipes).publication {
        try await guarded(range) {
          try await self.publish(
            streamExpression, to: try await self.string(channel, in: Environment()))
        }
        return .nothing
      }
      return try await show(value.substitutingBindings(recipes), range: range)
    }
  }

  /// Renders a value to its summary and a 32-column envelope.
  func show(_ value: TypedExpr, range: SourceRange) async throws -> StatementResult {
    try await guarded(range) {
      switch try await self.evaluateGraph(value) {
      case .number(let number): return .number(number)
      case .string(let text): return .string(text)
      case .list(let items): return .list(count: items.count)
      case .pattern(let pattern): return .pattern(pattern.listing[0])
      case .unit: return .nothing
      case .audio(let node, _):
        let envelope = EnvelopeCollector(frames: node.frameCount, memory: self.context.memory)
        let summary = try await Render.drain(node) { buffer, count in
          try envelope.add(buffer, frames: count)
        }
        return .signal(summary, envelope: envelope.columns())
      case .stream(let source):
        let envelope = EnvelopeCollector(memory: self.context.memory)
        let summary = try await Render.drain(source) { chunk in
          try envelope.add(chunk: chunk)
        }
        guard let summary else { return .nothing }
        return .signal(summary, envelope: envelope.columns())
      }
    }
  }
}

/// The peaks of a signal in columns, gathered as it renders, for a sparkline: each
/// column summarises exactly its share of the signal.
///
/// When the length is known before rendering, column `c` of `C` holds the peak of frames
/// `c N / C ..< (c + 1) N / C`. Otherwise each frame's sparkline level (one of eight) is
/// kept, a byte a frame, so the columns can be cut exactly at the end; past
/// ``maximumExactFrames`` the levels go into buckets that double in size as the signal
/// grows, and a column holds the buckets whose middle falls in its share.
final class EnvelopeCollector {
  /// The most frames of unknown length kept a byte each (16 MB).
  static let maximumExactFrames = 1 << 24
  /// The most buckets kept beyond that.
  static let maximumBuckets = 8192
  /// The levels of a sparkline.
  static let levelCount = 8

  private let columnCount: Int
  private let expectedFrames: Int?
  private let exactLimit: Int
  private var exact: [Float]
  private var levels: [UInt8] = []
  private var buckets: [UInt8] = []
  private var bucket = 0
  private var current: UInt8 = 0
  private var filled = 0
  private var frames = 0
  /// The levels' memory in the run's budget, when counted.
  private let memory: MemoryReservation?

  /// A collector of `columnCount` columns; `frames` is the signal's length when known;
  /// `exactLimit` frames of unknown length are kept a byte each, counted in `memory`
  /// when given.
  init(
    columns columnCount: Int = 32, frames expectedFrames: Int? = nil,
    exactLimit: Int = EnvelopeCollector.maximumExactFrames, memory: MemoryBudget? = nil
  ) {
    self.columnCount = columnCount
    self.exactLimit = max(1, exactLimit)
    self.expectedFrames = expectedFrames.flatMap { $0 > 0 ? $0 : nil }
    self.memory = memory?.reservation(for: .named("the sparkline's levels"))
    exact = [Float](repeating: 0, count: columnCount)
  }

  /// Makes room for the levels of `count` more frames, while they are kept a byte each.
  private func makeRoom(for count: Int) throws {
    guard expectedFrames == nil, bucket == 0, let memory else { return }
    let wanted = min(levels.count + count, exactLimit)
    if let capacity = try memory.room(for: wanted, capacity: levels.capacity, width: 1) {
      levels.reserveCapacity(capacity)
    }
  }

  func add(_ buffer: AudioBuffer, frames count: Int) throws {
    try makeRoom(for: count)
    for frame in 0..<count {
      var level: Float = 0
      for channel in 0..<buffer.channelCount {
        level = max(level, abs(buffer.channel(channel)[frame]))
      }
      push(level)
    }
  }

  func add(chunk: AudioStream) throws {
    guard let samples = try? ProcessingContext().samples(from: chunk, as: Float.self) else {
      return
    }
    let channels = max(chunk.channelCount, 1)
    try makeRoom(for: samples.count / channels)
    for frame in 0..<(samples.count / channels) {
      var level: Float = 0
      for channel in 0..<channels { level = max(level, abs(samples[frame * channels + channel])) }
      push(level)
    }
  }

  /// The sparkline level of a peak, 0 to 7 (as ``Session/sparkline(_:)`` draws it).
  static func level(of peak: Float) -> UInt8 {
    let scaled = (min(peak, 1) * Float(levelCount)).rounded(.down)
    return UInt8(min(Float(levelCount - 1), max(0, scaled.isNaN ? 0 : scaled)))
  }

  private func push(_ peak: Float) {
    defer { frames += 1 }
    if let expectedFrames {
      if frames < expectedFrames {
        let column = frames * columnCount / expectedFrames
        exact[column] = max(exact[column], peak)
      }
      return
    }
    let level = Self.level(of: peak)
    if bucket == 0 {
      levels.append(level)
      if levels.count == exactLimit {
        // From here on, buckets: the frames so far in buckets of half the most allowed.
        bucket = max(1, exactLimit / Self.maximumBuckets * 2)
        buckets = stride(from: 0, to: levels.count, by: bucket).map {
          levels[$0..<min($0 + bucket, levels.count)].max() ?? 0
        }
        levels = []
      }
      return
    }
    current = max(current, level)
    filled += 1
    if filled == bucket {
      buckets.append(current)
      current = 0
      filled = 0
      if buckets.count == Self.maximumBuckets {
        buckets = stride(from: 0, to: buckets.count, by: 2).map {
          max(buckets[$0], buckets[$0 + 1])
        }
        bucket *= 2
      }
    }
  }

  /// The peaks in the columns (one a frame for signals shorter than the columns). For a
  /// signal of unknown length a column's value is its level's lower edge, which the
  /// sparkline draws as that level.
  func columns() -> [Float] {
    guard frames > 0 else { return [] }
    if expectedFrames != nil { return Array(exact.prefix(min(columnCount, frames))) }
    let columns = min(columnCount, frames)
    var result = [UInt8](repeating: 0, count: columns)
    if bucket == 0 {
      for (frame, level) in levels.enumerated() {
        let column = frame * columns / frames
        result[column] = max(result[column], level)
      }
    } else {
      var all = buckets
      if filled > 0 { all.append(current) }
      for (index, level) in all.enumerated() {
        let middle = index * bucket + (min(bucket, frames - index * bucket) - 1) / 2
        let column = min(columns - 1, middle * columns / frames)
        result[column] = max(result[column], level)
      }
    }
    return result.map { Float($0) / Float(Self.levelCount) }
  }
}
