import ASTCore
import ASTSyntax
import Foundation

/// Warnings about scripts that are valid but almost surely not what their author meant.
extension Checker {
  /// A bare number given as a linear gain that is negative or above 4: `gain x -6`
  /// multiplies by -6 (+15.6 dB, inverted), where `-6db` was meant.
  mutating func warnOfBareGain(_ syntax: Expr, for parameter: BuiltinParameter, of name: String) {
    let literal: NumberLiteral
    let negated: Bool
    switch syntax {
    case .number(let number, _) where number.unit == nil:
      (literal, negated) = (number, false)
    case .negate(.number(let number, _), _) where number.unit == nil:
      (literal, negated) = (number, true)
    default:
      return
    }
    let value = negated ? -literal.value : literal.value
    guard value < 0 || value > 4 else { return }
    let spelled = (negated ? "-" : "") + literal.text
    let decibels = String(format: "%+.1f", 20 * log10(abs(value)))
    let effect: String
    if value == -1 {
      effect = "inverts the signal"
    } else {
      effect =
        value < 0
        ? "inverts the signal and changes its level by \(decibels) dB" : "is \(decibels) dB"
    }
    diagnostics.append(
      .warning(
        Self.IDs.suspiciousGain,
        "'\(parameter.name)' of '\(name)' is a linear gain: \(spelled) \(effect)",
        at: syntax.range,
        notes: [
          DiagnosticNote("did you mean '\(spelled)db'? a number without a unit is a linear gain")
        ]))
  }

  /// The length in seconds of a signal known before running: a generator's constant
  /// duration, carried through effects that keep their input's length.
  func knownDuration(_ expression: TypedExpr) -> Double? {
    switch expression {
    case .binding(let name, _, _):
      return knownDurations[name]
    case .function(_, _, let body, _, _):
      return knownDuration(body)
    case .arithmetic(_, let left, let right, let type, _):
      guard case .audio = type else { return nil }
      switch (left.type, right.type) {
      case (.audio, .audio):
        guard let a = knownDuration(left), let b = knownDuration(right) else { return nil }
        return max(a, b)
      case (.audio, _): return knownDuration(left)
      case (_, .audio): return knownDuration(right)
      default: return nil
      }
    case .negate(let operand, _, _):
      return knownDuration(operand)
    case .builtin(let builtin, let arguments, let lifted, _, _):
      guard !lifted else { return nil }
      func constant(_ name: String) -> Double? {
        guard let index = builtin.index(of: name), index < arguments.count else { return nil }
        return arguments[index].constantValue
      }
      if builtin.result == .generator { return constant("dur") }
      guard builtin.result == .sameAsInput, !builtin.effects.changesLength,
        let input = arguments.first
      else { return nil }
      guard builtin.effects.hasTail else { return knownDuration(input) }
      // Until silent (not given) the length is not known; a given tail adds to it.
      guard let seconds = constant("tail"), seconds >= 0, let length = knownDuration(input)
      else { return nil }
      return length + seconds
    default:
      return nil
    }
  }

  /// An envelope or fade longer than the signal it shapes: `adsr x 10 100 0.5 200` on a
  /// one-second signal is silence.
  mutating func warnOfLongEnvelope(
    _ builtin: Builtin, arguments: [TypedExpr], syntax: [Expr], at range: SourceRange
  ) {
    guard builtin.effects.timesFitInput, let input = arguments.first,
      let length = knownDuration(input)
    else { return }
    let times = builtin.parameters.indices.filter { builtin.parameters[$0].unit == .seconds }
    var total = 0.0
    for index in times {
      guard index < arguments.count, let value = arguments[index].constantValue else { return }
      total += value
    }
    guard total > length + 1e-9 else { return }
    let several = times.count > 1
    let what = several ? "the envelope's times add up to" : "the fade lasts"
    var notes = [
      DiagnosticNote(
        several
          ? "the signal is then silent or cut short" : "the fade then never reaches its end")
    ]
    let bare = syntax.contains {
      if case .number(let literal, _) = $0, literal.unit == nil, literal.value >= 1 { return true }
      return false
    }
    if bare { notes.append(DiagnosticNote("bare numbers are seconds: did you mean 'ms'?")) }
    diagnostics.append(
      .warning(
        Self.IDs.longEnvelope,
        "\(what) \(Self.seconds(total)), longer than the signal (\(Self.seconds(length)))",
        at: range, notes: notes))
  }

  /// `1.5 s`, `310 s`, `0.25 s`.
  static func seconds(_ value: Double) -> String {
    NumberText.shortSeconds(value) + " s"
  }
}
