import ASTCore
import ASTEngine
import ASTSyntax

/// The builtins of script-wide settings.
extension BuiltinRegistry {
  static let settings: [Builtin] = [
    Builtin(
      "rate", group: .settings, "Sets the default sample rate of the generators below it.",
      parameters: [
        BuiltinParameter(
          "hz", .number, unit: .sampleRate,
          range: .sampleRates,
          "the sample rate")
      ], result: .unit, effects: BuiltinEffects(setting: .sampleRate),
      build: .value { _ in .unit }),
    Builtin(
      "tempo", group: .settings,
      "Sets the tempo in beats a minute of the beats, bars and patterns below it (120 before).",
      parameters: [
        BuiltinParameter(
          "bpm", .number, range: BuiltinRegistry.tempoRange, "beats a minute")
      ], result: .unit, effects: BuiltinEffects(setting: .tempo),
      build: .value { _ in .unit }),
    Builtin(
      "meter", group: .settings,
      "Sets the beats a bar of the bars and patterns below it (4 before).",
      parameters: [
        BuiltinParameter(
          "beats", .number, unit: .count, range: BuiltinRegistry.meterRange, "beats a bar")
      ], result: .unit, effects: BuiltinEffects(setting: .meter),
      build: .value { _ in .unit }),
  ]

  /// The tempos a script may set, in beats a minute.
  static let tempoRange = ParameterRange(lower: .inclusive(1), upper: .inclusive(1000))
  /// The beats a bar a script may set.
  static let meterRange = ParameterRange(
    lower: .inclusive(1), upper: .inclusive(64), isInteger: true)
}
