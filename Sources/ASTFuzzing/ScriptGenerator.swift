import ASTEngine
import ASTSemantics
import ASTSyntax

/// Makes random inputs for the language's front end: soups of tokens, and scripts shaped
/// by the grammar that call the real builtins with arguments that mostly fit, so that
/// the checker's deeper rules (units, ranges, rates, channels, files) are reached.
public enum ScriptGenerator {
  /// Pieces of text that token soups and insertions are made of: every token kind,
  /// near misses of tokens, and bytes the lexer must reject.
  static let pieces: [String] = {
    var pieces = [
      "x", "y", "osc", "f", "g", "fn", "=", "|>", "|", ">", "+", "-", "*", "/", "(", ")", "[", "]",
      ",", ":", ";", "\n", "\n\n", "\r\n", "\r", "\t", " ", "  ", "440", "-6db", "1.2khz", "0.5",
      "1e-3", "1e", "1.", ".5", "1e+", "-", "--", "2s", "10ms", "3hz", "0db", "1e400", "-0",
      "99999999999999999999", "0.0000000001", "24000", "768001", "-1", "0", "1", "48000",
      "\"s\"", "\"open", "\"a\\qb\"", "\"\\", "\"\"", "\"voice.wav\"", "\"out.wav\"", "\"x.mp3\"",
      "\"bus\"", "\"..\"", "\"\\n\\t\\\"\"", "@", "$", "`", "~", "!", "?", "{", "}", "'",
      "# note\n", "#", "Hz", "KHZ", "5Hz", "1x", "q:", "mix:", "feedback:", "rate:", "amp:",
      "é", "ü", "\u{00A0}", "\u{FEFF}", "😀", "\u{0}", "\u{7F}", "_", "_1", "a_b",
    ]
    for builtin in BuiltinRegistry.all {
      pieces.append(builtin.name)
      if let parameter = builtin.parameters.last { pieces.append(parameter.name + ":") }
    }
    return pieces
  }()

  /// Raw bytes that are not valid UTF-8 or are control characters.
  static let oddBytes: [[UInt8]] = [
    [0xFF], [0xC3], [0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xEF, 0xBB, 0xBF], [0x00], [0x1B],
    [0xC0, 0x80], [0xED, 0xA0, 0x80],
  ]

  /// A random sequence of tokens, near-tokens and odd bytes, up to about 60 pieces.
  public static func tokenSoup(_ random: inout FuzzRandom) -> [UInt8] {
    var bytes: [UInt8] = []
    let count = random.below(60)
    for _ in 0..<count {
      if random.percent(4) {
        bytes += random.pick(oddBytes)
      } else {
        bytes += Array(random.pick(pieces).utf8)
      }
      if random.percent(50) { bytes.append(UInt8(ascii: " ")) }
    }
    return bytes
  }

  /// A random script shaped by the grammar: settings, bindings, functions and
  /// statements calling builtins, with mistakes mixed in now and then.
  public static func script(_ random: inout FuzzRandom) -> [UInt8] {
    var builder = ScriptBuilder(random: random)
    let text = builder.script()
    random = builder.random
    return Array(text.utf8)
  }
}

/// The state of one grammar-shaped script being written.
struct ScriptBuilder {
  var random: FuzzRandom
  /// Names bound so far: signals, numbers and streams.
  var signals: [String] = []
  var numbers: [String] = []
  var streams: [String] = []
  /// Functions defined so far, with their numbers of parameters.
  var functions: [(name: String, arity: Int)] = []
  /// The parameters of the function being written.
  var parameters: [String] = []
  var nextName = 0

  static let builtins = BuiltinRegistry.all
  static let generators = BuiltinRegistry.all.filter { $0.result == .generator }
  static let effects = BuiltinRegistry.all.filter {
    $0.parameters.first?.kind == .audio && $0.result != .unit
  }
  /// The builtins whose effects show outside their value: they write, print or publish.
  static let statements = BuiltinRegistry.all.filter { $0.effects.isObservable }
  /// Audio file names that exercise the checker's file rules.
  static let audioPaths = [
    "\"out.wav\"", "\"out.flac\"", "\"voice.wav\"", "\"tone.wav\"", "\"x.txt\"", "\"\"",
    "\"missing/out.wav\"", "\"../out.wav\"", "\"/tmp/out.wav\"",
  ]
  /// Picture file names, likewise.
  static let picturePaths = ["\"p.png\"", "\"../p.png\"", "\"/tmp/p.png\"", "\"\""]
  static let rates = [
    "8000", "22050", "44100", "48000", "96000", "768000", "768001", "0", "-1", "1.5", "1e9",
  ]

  init(random: FuzzRandom) {
    self.random = random
  }

  mutating func freshName(_ prefix: String) -> String {
    nextName += 1
    return "\(prefix)\(nextName)"
  }

  // MARK: Statements

  mutating func script() -> String {
    var text = ""
    if random.percent(10) { text += "# a generated script\n" }
    let count = random.within(1...12)
    for _ in 0..<count {
      text += statement()
      text += separator()
    }
    return text
  }

  mutating func separator() -> String {
    switch random.below(12) {
    case 0: return "; "
    case 1: return "\n\n# comment\n"
    case 2: return "\r\n"
    case 3: return "  # trailing\n"
    default: return "\n"
    }
  }

  mutating func statement() -> String {
    // Stress is rare: it is slow to check, by design of the limits it tests.
    if random.percent(1) { return stressing() }
    switch random.below(22) {
    case 20, 21:
      return instrumentAndVoices()
    case 0:
      switch random.below(4) {
      case 0: return "tempo " + random.pick(["96", "120", "140.5", "0", "1001", "60", "x"])
      case 1: return "meter " + random.pick(["3", "4", "7", "0", "1.5", "65"])
      default: return "rate " + random.pick(Self.rates)
      }
    case 1, 2, 3:
      return function()
    case 4, 5, 6:
      return effectStatement()
    case 7:
      // A mistake: a name bound again, a builtin's name bound, or a typo.
      let name = random.pick(signals + numbers + ["sine", "gain", "out", "rate"])
      return "\(name) = \(expression(depth: 2))"
    default:
      return binding()
    }
  }

  /// An instrument and a pattern played by it: a `fn` of a frequency and a length (now
  /// and then of more parameters, or of none), and `voices` of a pattern.
  mutating func instrumentAndVoices() -> String {
    let instrument = freshName("i")
    let parameters =
      random.percent(90) ? ["freq", "dur"] : random.pick([[], ["f"], ["a", "b", "c"]])
    let frequency = parameters.first ?? "220"
    let length = parameters.count > 1 ? parameters[1] : "100ms"
    var body = random.pick([
      "saw \(frequency) (\(length) + 20ms) amp:0.2 |> adsr 2ms 20ms 0.5 10ms",
      "sine \(frequency) \(length)",
      "square \(frequency) \(length) width:0.3 |> lowpass (\(frequency) * 4) q:2",
      "noise 30ms seed:2 |> highpass 2khz",
      "triangle \(frequency) \(length) |> gain 0.5",
      "sine \(frequency) \(length) |> write \"voice.wav\"",
      "\(frequency) * 2",
    ])
    if random.percent(30) { body += " |> " + effectStage(depth: 1) }
    let definition = (["fn", instrument] + parameters).joined(separator: " ") + " = " + body
    functions.append((instrument, parameters.count))
    let name = freshName("a")
    var call = "\(name) = voices (seq \"\(patternText(depth: 3))\""
    if random.percent(40) { call += " cycles:" + random.pick(["1", "2", "3", "8"]) }
    if random.percent(20) { call += " bars:" + random.pick(["0.5", "1", "2"]) }
    if random.percent(20) { call += " transpose:" + random.pick(["12", "-24", "0.5"]) }
    call += ") " + instrument
    if random.percent(20) { call += " max:" + random.pick(["1", "2", "8", "0"]) }
    if random.percent(20) { call += " gain:" + random.pick(["0.5", "-6db", "2"]) }
    signals.append(name)
    return definition + "\n" + call
  }

  mutating func binding() -> String {
    switch random.below(4) {
    case 0:
      let name = freshName("n")
      let value = number(unit: random.pick([ParameterUnit.none, .seconds, .hertz, .gain]))
      let text = "\(name) = \(value)" + (random.percent(30) ? " * \(numberAtom())" : "")
      numbers.append(name)
      return text
    case 1:
      let name = freshName("s")
      let text = "\(name) = \(stream(depth: 2))"
      streams.append(name)
      return text
    default:
      let name = freshName("a")
      var text = "\(name) = \(signal(depth: 3))"
      // A chain of pipe stages, some on lines of their own.
      for _ in 0..<random.below(4) {
        text += (random.percent(50) ? "\n  |> " : " |> ") + effectStage(depth: 2)
      }
      signals.append(name)
      return text
    }
  }

  mutating func function() -> String {
    let name = freshName("f")
    let arity = random.below(4)
    parameters = (0..<arity).map { "p\($0)" }
    if random.percent(5), let first = parameters.first { parameters.append(first) }
    let head = (["fn", name] + parameters).joined(separator: " ")
    var body = random.percent(70) ? signal(depth: 3) : expression(depth: 3)
    if random.percent(5) {
      // Recursion, which the checker refuses.
      body = "\(name) " + parameters.joined(separator: " ")
    }
    parameters = []
    functions.append((name, arity))
    return head + " = " + body
  }

  /// Inputs that push the limits: deep nesting, long pipes, many expansions.
  mutating func stressing() -> String {
    let depth = random.pick([50, 99, 100, 101, 150, 400])
    let name = freshName("d")
    switch random.below(6) {
    case 0:
      return "\(name) = " + String(repeating: "(", count: depth) + "1"
        + String(repeating: ")", count: depth)
    case 1:
      return "\(name) = sine 440 1" + String(repeating: " |> gain 0.9", count: depth)
    case 2:
      return "\(name) = " + String(repeating: "-", count: depth) + "1"
    case 3:
      return "\(name) = " + Array(repeating: "1", count: depth).joined(separator: " + ")
    case 4:
      // Functions that call each other twice per level: 2^levels expansions.
      var text = "fn e0 x = x + 1\n"
      let levels = random.percent(80) ? random.within(2...12) : random.within(13...24)
      for level in 1...levels {
        text += "fn e\(level) x = e\(level - 1) (e\(level - 1) x)\n"
      }
      return text + "\(name) = e\(levels) 1"
    default:
      return "\(name) = " + String(repeating: "[", count: depth) + "sine 1 1"
        + String(repeating: "]", count: depth)
    }
  }

  mutating func effectStatement() -> String {
    let builtin = random.pick(Self.statements)
    var overrides: [String: String] = [:]
    if let file = builtin.effects.writesFile {
      overrides[file.parameter] = random.pick(
        file.kind == .audio ? Self.audioPaths : Self.picturePaths)
    }
    if let publication = builtin.effects.publishes { overrides[publication.channel] = "\"bus\"" }
    return call(builtin, depth: 2, overrides: overrides)
  }

  // MARK: Expressions

  /// Wraps an expression in parentheses unless it is already a primary.
  func primary(_ text: String) -> String {
    let isSimple = text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
    if isSimple || (text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2) {
      return text
    }
    if text.hasPrefix("["), text.hasSuffix("]") { return text }
    return "(" + text + ")"
  }

  mutating func expression(depth: Int) -> String {
    switch random.below(8) {
    case 0: return numberExpression(depth: depth)
    case 1: return stream(depth: depth)
    case 2: return random.pick(["\"bus\"", "\"voice.wav\"", "\"exp\"", "\"\""])
    case 3: return call(random.pick(Self.builtins), depth: depth)
    default: return signal(depth: depth)
    }
  }

  /// An expression that is probably an Audio.
  mutating func signal(depth: Int) -> String {
    let names = signals + parameters
    if depth <= 0 || random.percent(15) {
      if !names.isEmpty, random.percent(70) { return random.pick(names) }
      return call(random.pick(Self.generators), depth: 0)
    }
    switch random.below(10) {
    case 0, 1, 2:
      return call(random.pick(Self.generators), depth: depth - 1)
    case 3, 4:
      return call(random.pick(Self.effects), depth: depth - 1)
    case 5:
      return primary(signal(depth: depth - 1)) + " |> " + effectStage(depth: depth - 1)
    case 6:
      let op = random.pick([" + ", " - ", " * ", " / "])
      return signal(depth: depth - 1) + op
        + (random.percent(50) ? numberAtom() : primary(signal(depth: depth - 1)))
    case 7:
      return "-" + primary(signal(depth: depth - 1))
    case 8 where !functions.isEmpty:
      let function = random.pick(functions)
      var text = function.name
      for _ in 0..<(random.percent(90) ? function.arity : random.below(5)) {
        text += " " + primary(random.percent(50) ? signal(depth: depth - 1) : numberAtom())
      }
      return text
    default:
      return "join " + primary(stream(depth: depth - 1))
    }
  }

  /// An expression that is probably a Stream.
  mutating func stream(depth: Int) -> String {
    if !streams.isEmpty, random.percent(40) { return random.pick(streams) }
    switch random.below(4) {
    case 0: return "subscribe \"bus\""
    case 1: return "input" + (random.percent(50) ? " rate:48000" : "")
    default:
      var text = "chunk " + primary(signal(depth: depth - 1)) + " " + number(unit: .seconds)
      if random.percent(30) { text += " |> " + effectStage(depth: depth - 1) }
      return text
    }
  }

  mutating func numberExpression(depth: Int) -> String {
    if depth <= 0 || random.percent(50) { return numberAtom() }
    switch random.below(4) {
    case 0: return numberAtom() + random.pick([" + ", " - ", " * ", " / "]) + numberAtom()
    case 1: return "-" + primary(numberExpression(depth: depth - 1))
    case 2:
      return random.pick(["peak", "rms", "duration"]) + " " + primary(signal(depth: depth - 1))
    default: return "(" + numberExpression(depth: depth - 1) + ")"
    }
  }

  mutating func numberAtom() -> String {
    if !numbers.isEmpty, random.percent(30) { return random.pick(numbers) }
    return number(unit: random.pick([.none, .seconds, .hertz, .gain, .decibels]))
  }

  /// A pipe stage: an effect call without its first argument.
  mutating func effectStage(depth: Int) -> String {
    let effect = random.pick(Self.effects)
    let text = call(effect, depth: depth, skippingFirst: true)
    return text
  }

  /// A call of a builtin with arguments that mostly fit its parameters.
  /// A call of `builtin` with generated arguments; `overrides` gives some by name.
  mutating func call(
    _ builtin: Builtin, depth: Int, skippingFirst: Bool = false, overrides: [String: String] = [:]
  ) -> String {
    var text = builtin.name
    var named: [String] = []
    for (index, parameter) in builtin.parameters.enumerated() {
      if index == 0, skippingFirst { continue }
      let override = overrides[parameter.name]
      let given =
        override != nil || (parameter.isRequired ? random.percent(97) : random.percent(30))
      guard given else { continue }
      let value = override ?? primary(argument(for: parameter, depth: depth))
      if parameter.isNamedOnly || (!parameter.isRequired && random.percent(40)) {
        named.append("\(parameter.name):\(value)")
      } else if random.percent(3) {
        named.append("\(parameter.name): \(value)")
      } else {
        text += " " + value
      }
    }
    if random.percent(3) { named.append(random.pick(["qq:1", "rate:1", "x:1"])) }
    if random.percent(3) { text += " " + numberAtom() }
    for argument in named { text += " " + argument }
    return text
  }

  mutating func argument(for parameter: BuiltinParameter, depth: Int) -> String {
    if random.percent(4) { return expression(depth: max(0, depth - 1)) }
    switch parameter.kind {
    case .number:
      return number(unit: parameter.unit)
    case .signal:
      return random.percent(75) ? number(unit: parameter.unit) : signal(depth: depth - 1)
    case .audio:
      return signal(depth: depth - 1)
    case .audioOrStream:
      return random.percent(50) ? signal(depth: depth - 1) : stream(depth: depth - 1)
    case .stream:
      return stream(depth: depth - 1)
    case .audioList:
      let count = random.below(4)
      return "["
        + (0..<count).map { _ in signal(depth: depth - 1) }.joined(
          separator: random.percent(80) ? ", " : ",\n  ") + "]"
    case .string:
      return random.pick(["\"bus\"", "\"voice.wav\"", "\"tone.wav\"", "\"out.wav\"", "\"label\""])
    case .choice(let options):
      return "\"" + (random.percent(90) ? random.pick(options) : "other") + "\""
    case .anyValue:
      return expression(depth: depth - 1)
    case .notation(.note):
      return "\""
        + (random.percent(85) ? note() : random.pick(["h4", "c10", "c", "c##4", "", "C4"]))
        + "\""
    case .notation(.pattern):
      return "\"" + patternText(depth: 3) + "\""
    case .pattern:
      var text = "(seq \"\(patternText(depth: 3))\""
      if random.percent(40) { text += " cycles:" + random.pick(["1", "2", "4", "0", "1.5"]) }
      if random.percent(20) { text += " bars:" + random.pick(["1", "0.5", "2", "0"]) }
      if random.percent(20) { text += " transpose:" + random.pick(["12", "-7", "0.5", "200"]) }
      return text + ")"
    case .instrument:
      let fitting = functions.filter { $0.arity <= 2 }
      if !fitting.isEmpty, random.percent(90) { return random.pick(fitting).name }
      return random.pick(functions.map(\.name) + ["sine", "voice", "(sine 440 1)"])
    }
  }

  /// A note name, now and then at the ends of the octaves.
  mutating func note() -> String {
    random.pick(["c", "d", "e", "f", "g", "a", "b"]) + random.pick(["", "", "#", "b"])
      + random.pick(["4", "3", "2", "5", "-1", "9", "0"])
  }

  /// A string in the mini-notation, now and then with a mistake in it.
  mutating func patternText(depth: Int) -> String {
    if random.percent(5) {
      return random.pick(["", "[c4 e4", "c4]", "c4*0", "<>", "c4 @2", "h4", "c4*", "[[[[c4]]]]"])
    }
    let count = random.within(1...5)
    return (0..<count).map { _ in patternStep(depth: depth) }.joined(separator: " ")
  }

  mutating func patternStep(depth: Int) -> String {
    var step: String
    switch depth > 0 ? random.below(8) : random.below(3) {
    case 0: step = "~"
    case 1: step = random.pick(["60", "48", "72.5", "0", "127"])
    case 3: step = "[" + patternText(depth: depth - 1) + "]"
    case 4:
      let count = random.within(2...3)
      step = "[" + (0..<count).map { _ in note() }.joined(separator: ",") + "]"
    case 5: step = "<" + patternText(depth: depth - 1) + ">"
    default: step = note()
    }
    if random.percent(15) { step += "*" + random.pick(["2", "3", "4", "16"]) }
    return step
  }

  /// A number literal in `unit`, now and then in another unit or out of range.
  mutating func number(unit: ParameterUnit) -> String {
    let unit =
      random.percent(8) ? random.pick([ParameterUnit.none, .seconds, .hertz, .gain]) : unit
    let plain = random.pick([
      "0", "1", "2", "0.5", "0.25", "3", "10", "100", "0.001", "-1", "-0.5", "1e-3", "1e9",
      "1e308", "-0", "20000", "24000", "22050", "44100", "0.9999",
    ])
    switch unit {
    case .none, .count:
      return plain
    case .seconds:
      return random.pick([
        "0.5s", "1s", "2s", "10ms", "250ms", "0s", "0.1", "1", "-1s", "0ms", "1e-9s", "3600s",
        "1b", "0.5b", "2bar", "0.25bar",
      ])
    case .hertz:
      return random.pick([
        "440hz", "220hz", "5hz", "1.2khz", "8khz", "20khz", "30khz", "0hz", "-5hz", "440", "1e5hz",
        "24khz", "0.1hz",
      ])
    case .gain:
      return random.pick(["0.5", "1", "2", "-6db", "0db", "-120db", "6db", "0", "-1"])
    case .decibels:
      return random.pick(["-6db", "3db", "0", "-12", "12db", "0.5", "1e3db"])
    case .sampleRate:
      return random.pick(Self.rates)
    case .kilobitsPerSecond:
      return random.pick(["192", "128", "320", "8", "200", "0", "-1", "1e9"])
    }
  }
}
