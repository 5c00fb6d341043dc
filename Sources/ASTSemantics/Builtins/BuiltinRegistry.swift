import ASTCore
import ASTEngine
import ASTSyntax

/// The builtin vocabulary: every builtin declared once, read by the checker, the
/// evaluator, completion, `ast help` and the generated reference.
public enum BuiltinRegistry {
  /// Every builtin, in reference order.
  public static let all: [Builtin] =
    generators + level + filters + envelopes + effects
    + structure + streams + files + inspection + music + settings

  /// The builtins by name.
  public static let byName: [String: Builtin] = Dictionary(
    uniqueKeysWithValues: all.map { ($0.name, $0) })

  /// The builtin called `name`, if there is one.
  public static func builtin(named name: String) -> Builtin? {
    byName[name]
  }

  // MARK: Shared parameters

  static let input = BuiltinParameter("x", .audio, "the input signal")
  static let duration = BuiltinParameter(GeneratorParameters.duration, .number, name: "dur")
  static let frequency = BuiltinParameter(
    OscillatorNode.frequency, .signal, name: "freq",
    summary: "the frequency; an Audio modulates it")
  static let generatorRate = BuiltinParameter(
    GeneratorParameters.sampleRate, .number, name: "rate", default: .scriptRate,
    namedOnly: true)
  static let amplitude = BuiltinParameter(
    GeneratorParameters.amplitude, .signal, name: "amp", spelling: "1.0", namedOnly: true,
    summary: "the peak level; an Audio modulates it")

  /// A biquad's Q, with the filter's own default when it differs from the node's.
  static func qualityFactor(_ value: Double? = nil, spelling: String? = nil) -> BuiltinParameter {
    BuiltinParameter(
      value.map { BiquadNode.q.withDefault($0) } ?? BiquadNode.q, .number, spelling: spelling)
  }
}

extension BuiltinRegistry {
  /// The builtin name nearest to `name`, for "did you mean".
  public static func suggestion(for name: String) -> String? {
    Spelling.nearest(to: name, among: all.map(\.name))
  }
}
