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
      build: .value { _ in .unit })
  ]
}
