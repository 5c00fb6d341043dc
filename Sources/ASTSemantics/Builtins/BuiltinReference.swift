import ASTSyntax

/// Text about the builtins, made from the registry: `ast help` and `docs/builtins.md`.
public enum BuiltinReference {
  /// How a parameter's kind and unit read in the reference: `Number (s)`, `Number or Audio (Hz)`.
  static func describeType(_ parameter: BuiltinParameter) -> String {
    let base: String
    switch parameter.kind {
    case .number: base = "Number"
    case .signal: base = "Number or Audio"
    case .audio: base = "Audio"
    case .audioOrStream: base = "Audio or Stream"
    case .stream: base = "Stream"
    case .audioList: base = "List[Audio]"
    case .string: base = "String"
    case .choice(let options):
      base = options.map { SourcePrinter.quote($0) }.joined(separator: " | ")
    case .anyValue: base = "any value"
    case .notation(.note): base = "String (a note name)"
    case .notation(.pattern): base = "String (mini-notation)"
    case .pattern: base = "Pattern"
    case .instrument: base = "fn freq dur"
    }
    let unit = parameter.unit.symbol
    return unit.isEmpty ? base : "\(base) (\(unit))"
  }

  static func describeRange(_ parameter: BuiltinParameter) -> String {
    guard let range = parameter.range else { return "" }
    return range.description
  }

  static func describeResult(_ builtin: Builtin) -> String {
    let lift = builtin.liftsToStreams ? "; on a Stream, a Stream" : ""
    switch builtin.result {
    case .generator: return "Audio, mono"
    case .sameAsInput: return "the type of its first argument" + lift
    case .widestOf(let names):
      return "an Audio at the rate of its first argument, with the channels of the widest of "
        + names.map { "'\($0)'" }.joined(separator: " and ") + lift
    case .stereoOfInput: return "Audio, stereo" + lift
    case .monoOfInput: return "Audio, mono" + lift
    case .stereoPair: return "Audio, stereo"
    case .fromList: return "Audio"
    case .resampled: return "Audio at the new rate" + lift
    case .chunked: return "Stream"
    case .joined: return "Audio"
    case .unit: return "Unit"
    case .subscribed, .input: return "Stream"
    case .fileRead: return "Audio"
    case .number(let dimension):
      switch dimension {
      case .time?: return "Number (s)"
      case .frequency?: return "Number (Hz)"
      default: return "Number (dBFS)"
      }
    case .elementwise(let dimension):
      let unit = dimension == .frequency ? " (Hz)" : ""
      return "a Number\(unit) for a Number; for an Audio, an Audio of one value a sample"
    case .pattern: return "Pattern"
    case .voices: return "Audio with the rate and channels of the instrument's voices"
    }
  }

  /// The help text of one builtin, for a terminal: wrapped to 80 columns.
  public static func help(for builtin: Builtin) -> String {
    var lines = TextWrap.wrap(builtin.signature, lead: "", indent: 4) + [""]
    lines += TextWrap.wrap(builtin.summary, lead: "  ", indent: 2) + [""]
    let width = builtin.parameters.map(\.name.count).max() ?? 0
    for parameter in builtin.parameters {
      let lead = "  " + parameter.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
      var text = describeType(parameter)
      if let defaultValue = parameter.defaultValue { text += ", default \(defaultValue.spelling)" }
      let range = describeRange(parameter)
      if !range.isEmpty { text += ", \(range)" }
      if parameter.isNamedOnly { text += ", by name only" }
      text += ": " + parameter.summary
      // Continued lines line up under the description, past the names' column.
      lines += TextWrap.wrap(text, lead: lead, indent: lead.count)
    }
    lines.append("")
    lines += TextWrap.wrap("result: " + describeResult(builtin), lead: "  ", indent: 4)
    return lines.joined(separator: "\n") + "\n"
  }

  /// Every builtin by group, one entry each (wrapped to 80 columns), for `ast help`.
  public static func overview() -> String {
    var lines: [String] = []
    for group in BuiltinGroup.allCases {
      let members = BuiltinRegistry.all.filter { $0.group == group }
      guard !members.isEmpty else { continue }
      lines.append(group.rawValue + ":")
      let width = members.map(\.name.count).max() ?? 0
      for builtin in members {
        let lead = "  " + builtin.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
        lines += TextWrap.wrap(builtin.summary, lead: lead, indent: lead.count)
      }
    }
    lines.append("")
    lines.append("'ast help NAME' shows a builtin's parameters.")
    return lines.joined(separator: "\n") + "\n"
  }

  /// The Markdown reference, `docs/builtins.md`.
  public static func markdown() -> String {
    var text = """
      # Builtin reference

      Generated from the builtin registry by `swift run ast help --markdown`; do not edit by
      hand (a test checks that this file is up to date).

      Parameters are listed in positional order; parameters with a default are optional, and
      those marked *by name* can only be given as `name:value`. Units: `s` takes `ms` and `s`
      literals or a bare number of seconds, `Hz` takes `hz` and `khz` literals or a bare
      number, `linear` is a gain factor that also takes `db` literals (`-6db` is 0.501), `dB`
      is a number of decibels (`-6db` and `-6` both mean minus six decibels). A `Number or
      Audio` parameter takes a constant or a signal that modulates it at audio rate.

      """
    for group in BuiltinGroup.allCases {
      let members = BuiltinRegistry.all.filter { $0.group == group }
      guard !members.isEmpty else { continue }
      text += "\n## \(group.rawValue.prefix(1).uppercased() + group.rawValue.dropFirst())\n"
      for builtin in members {
        text += "\n### `\(builtin.name)`\n\n\(builtin.summary)\n\n"
        text += "```\n\(builtin.signature)\n```\n\n"
        if !builtin.parameters.isEmpty {
          text += "| parameter | type | default | valid | meaning |\n|---|---|---|---|---|\n"
          for parameter in builtin.parameters {
            let name = "`\(parameter.name)`" + (parameter.isNamedOnly ? " (by name)" : "")
            let type = describeType(parameter).replacingOccurrences(of: "|", with: "\\|")
            let defaultValue = parameter.defaultValue.map { "`\($0.spelling)`" } ?? "required"
            text +=
              "| \(name) | \(type) | \(defaultValue) | \(describeRange(parameter)) | \(parameter.summary) |\n"
          }
          text += "\n"
        }
        text += "Result: \(describeResult(builtin)).\n"
      }
    }
    return text
  }
}
