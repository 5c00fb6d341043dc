import ASTCore
import ASTEngine
import ASTSyntax

/// The builtin vocabulary: every builtin declared once, read by the checker, the
/// evaluator, completion, `ast help` and the generated reference.
public enum BuiltinRegistry {
  /// Every builtin, in reference order.
  public static let all: [Builtin] =
    generators + level + filters + envelopes + effects
    + structure + streams + files + inspection + settings

  /// The builtins by name.
  public static let byName: [String: Builtin] = Dictionary(
    uniqueKeysWithValues: all.map { ($0.name, $0) })

  /// The builtin called `name`, if there is one.
  public static func builtin(named name: String) -> Builtin? {
    byName[name]
  }

  // MARK: Shared parameters

  static let input = BuiltinParameter("x", .audio, "the input signal")
  static let duration = BuiltinParameter(
    "dur", .number, unit: .seconds, range: .nonNegative, "the length")
  static let frequency = BuiltinParameter(
    "freq", .signal, unit: .hertz, range: .audible, "the frequency; an Audio modulates it")
  static let generatorRate = BuiltinParameter(
    "rate", .number, unit: .sampleRate, default: .scriptRate,
    range: .sampleRates,
    namedOnly: true, "the sample rate")
  static let amplitude = BuiltinParameter(
    "amp", .signal, unit: .gain, default: .number(1, spelling: "1.0"), namedOnly: true,
    "the peak level; an Audio modulates it")

  static func qualityFactor(_ value: Double, _ spelling: String) -> BuiltinParameter {
    BuiltinParameter(
      "q", .number, default: .number(value, spelling: spelling), range: .positive,
      "the filter's Q (RBJ cookbook)")
  }

  static func time(_ name: String, _ summary: String) -> BuiltinParameter {
    BuiltinParameter(name, .number, unit: .seconds, range: .nonNegative, summary)
  }
}

extension BuiltinRegistry {
  /// The builtin name nearest to `name`, for "did you mean".
  public static func suggestion(for name: String) -> String? {
    Spelling.nearest(to: name, among: all.map(\.name))
  }
}
