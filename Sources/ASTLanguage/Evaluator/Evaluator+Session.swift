import ASTCore
import ASTEngine
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
    case .builtin(let operation, let arguments, let lifted, let type, let range):
      return .builtin(
        operation, arguments: arguments.map { $0.substitutingBindings(recipes) }, lifted: lifted,
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
    state.withLock { $0.recipes.merge(bindings) { _, new in new } }
  }

  /// Runs one statement of a session and renders its value to show it: a binding's
  /// value, or an expression statement's.
  public func perform(_ statement: TypedStatement) async throws -> StatementResult {
    switch statement {
    case .setRate:
      return .nothing
    case .binding(let name, let value, let range):
      let resolved = value.substitutingBindings(recipes)
      state.withLock {
        $0.recipes[name] = resolved
        $0.numberCache[name] = nil
      }
      return try await show(resolved, range: range)
    case .expression(let value, let range):
      if case .builtin(.publish, let arguments, _, _, _) = value {
        let resolved = value.substitutingBindings(recipes)
        _ = arguments
        try await guarded(range) {
          guard case .builtin(_, let resolvedArguments, _, _, _) = resolved else { return }
          let name = try await self.string(resolvedArguments[0], in: Environment())
          let stream = try await self.stream(resolvedArguments[1], in: Environment())
          _ = try await Render.drain(stream) { chunk in
            try await self.processing.channels.publish(chunk, to: name)
          }
        }
        return .nothing
      }
      return try await show(value.substitutingBindings(recipes), range: range)
    }
  }

  /// Renders a value to its summary and a 32-column envelope.
  func show(_ value: TypedExpr, range: SourceRange) async throws -> StatementResult {
    try await guarded(range) {
      switch try await self.evaluate(value, in: Environment()) {
      case .number(let number): return .number(number)
      case .string(let text): return .string(text)
      case .list(let items): return .list(count: items.count)
      case .unit: return .nothing
      case .audio(let node, _):
        let envelope = EnvelopeCollector()
        let summary = try await Render.drain(node) { buffer, count in
          envelope.add(buffer, frames: count)
        }
        return .signal(summary, envelope: envelope.columns(32))
      case .stream(let source):
        let envelope = EnvelopeCollector()
        let summary = try await Render.drain(source) { chunk in
          envelope.add(chunk: chunk)
        }
        guard let summary else { return .nothing }
        return .signal(summary, envelope: envelope.columns(32))
      }
    }
  }
}

/// Peaks of a signal in small buckets, gathered as it renders, for a sparkline.
final class EnvelopeCollector {
  private var peaks: [Float] = []
  private var current: Float = 0
  private var filled = 0
  private let bucket = 512

  func add(_ buffer: AudioBuffer, frames: Int) {
    for frame in 0..<frames {
      var level: Float = 0
      for channel in 0..<buffer.channelCount {
        level = max(level, abs(buffer.channel(channel)[frame]))
      }
      push(level)
    }
  }

  func add(chunk: AudioStream) {
    guard let samples = try? ProcessingContext().samples(from: chunk, as: Float.self) else {
      return
    }
    let channels = max(chunk.channelCount, 1)
    for frame in 0..<(samples.count / channels) {
      var level: Float = 0
      for channel in 0..<channels { level = max(level, abs(samples[frame * channels + channel])) }
      push(level)
    }
  }

  private func push(_ level: Float) {
    current = max(current, level)
    filled += 1
    if filled == bucket {
      peaks.append(current)
      current = 0
      filled = 0
    }
  }

  /// The peaks gathered into `count` columns (fewer for short signals).
  func columns(_ count: Int) -> [Float] {
    var all = peaks
    if filled > 0 { all.append(current) }
    guard !all.isEmpty else { return [] }
    let columns = min(count, all.count)
    return (0..<columns).map { column in
      let start = column * all.count / columns
      let end = max(start + 1, (column + 1) * all.count / columns)
      return all[start..<end].max() ?? 0
    }
  }
}
