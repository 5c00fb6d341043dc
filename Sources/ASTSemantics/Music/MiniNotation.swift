/// An exact time or length as a fraction of a cycle, in lowest terms with a positive
/// denominator.
public struct CycleFraction: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The numerator.
  public let numerator: Int
  /// The denominator, at least 1.
  public let denominator: Int

  /// The fraction `numerator / denominator` in lowest terms; `denominator` is not 0.
  public init(_ numerator: Int, _ denominator: Int = 1) {
    let divisor = Self.gcd(abs(numerator), abs(denominator))
    let sign = denominator < 0 ? -1 : 1
    self.numerator = sign * numerator / max(divisor, 1)
    self.denominator = sign * denominator / max(divisor, 1)
  }

  static func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
  }

  /// The sum, through the least common denominator (which the pattern's bound on its
  /// finest division keeps within range).
  static func + (a: CycleFraction, b: CycleFraction) -> CycleFraction {
    let divisor = gcd(a.denominator, b.denominator)
    let common = a.denominator / divisor * b.denominator
    return CycleFraction(
      a.numerator * (common / a.denominator) + b.numerator * (common / b.denominator), common)
  }

  /// The fraction times `count / parts`.
  func scaled(_ count: Int, _ parts: Int) -> CycleFraction {
    let first = CycleFraction(count, denominator)
    let second = CycleFraction(numerator, parts)
    return CycleFraction(first.numerator * second.numerator, first.denominator * second.denominator)
  }

  /// Orders by value.
  public static func < (a: CycleFraction, b: CycleFraction) -> Bool {
    // Denominators are positive and bounded, so cross products stay in range.
    a.numerator * b.denominator < b.numerator * a.denominator
  }

  /// The value as a floating-point number.
  public var value: Double { Double(numerator) / Double(denominator) }

  /// `3/4`, or `2` when whole.
  public var description: String {
    denominator == 1 ? String(numerator) : "\(numerator)/\(denominator)"
  }
}

/// One step of the mini-notation, parsed: what a pattern string says before it is laid
/// out over cycles.
indirect enum NotationStep: Sendable, Hashable {
  /// A note (a MIDI number, fractional allowed), with its text as written.
  case note(midi: Double, label: String)
  /// `~`: nothing sounds for the step.
  case rest
  /// Steps sharing the step's time equally (`a b c`, `[a b]`).
  case sequence([NotationStep])
  /// Steps sounding together for the step's time (`[a, b]`).
  case stack([NotationStep])
  /// One step per cycle, in turn (`<a b c>`).
  case alternation([NotationStep])
  /// The step repeated in its own place (`a*3`).
  case repeated(NotationStep, Int)
}

/// The mini-notation of patterns, a subset of Strudel's: steps separated by spaces share
/// the cycle; `~` is a rest; `[a b]` subdivides a step; `[a, b]` stacks steps into a
/// chord; `a*3` repeats a step in its place; `<a b>` takes one alternative per cycle;
/// notes are note names (`c#4`) or MIDI numbers (`61`).
public enum MiniNotation {
  /// The most events a pattern may hold over all its cycles.
  public static let maximumEvents = 1_000_000
  /// The finest division of a cycle a pattern may make.
  static let finestDivision = 1 << 40
  /// The deepest nesting of brackets.
  static let maximumNesting = 64

  /// The parsed form of `text`, or the first mistake in it.
  static func parse(_ text: String) -> Result<NotationStep, NotationError> {
    var parser = Parser(bytes: Array(text.utf8))
    do {
      let root = try parser.parseStack(closer: nil)
      return .success(root)
    } catch let error as NotationError {
      return .failure(error)
    } catch {
      return .failure(NotationError("cannot parse the pattern", at: 0..<0))
    }
  }

  private struct Parser {
    let bytes: [UInt8]
    var position = 0
    var nesting = 0

    static let hint =
      "the forms are 'a b' (steps), '~' (rest), '[a b]' (subdivide), '[a, b]' (chord), "
      + "'a*3' (repeat) and '<a b>' (one per cycle)"

    func isSpace(_ byte: UInt8) -> Bool {
      byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
    }

    func isWordByte(_ byte: UInt8) -> Bool {
      (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
        || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "-")
        || byte == UInt8(ascii: ".")
    }

    mutating func skipSpaces() {
      while position < bytes.count, isSpace(bytes[position]) { position += 1 }
    }

    func name(of closer: UInt8) -> String { closer == UInt8(ascii: "]") ? "[" : "<" }

    /// Sequences separated by `,` up to `closer` (or the end), as one step.
    mutating func parseStack(closer: UInt8?) throws -> NotationStep {
      var layers: [NotationStep] = [try parseSequence(closer: closer)]
      while position < bytes.count, bytes[position] == UInt8(ascii: ",") {
        position += 1
        layers.append(try parseSequence(closer: closer))
      }
      if position < bytes.count, let closer, bytes[position] != closer {
        throw stray(at: position)
      }
      if position < bytes.count, closer == nil { throw stray(at: position) }
      return layers.count == 1 ? layers[0] : .stack(layers)
    }

    /// An error for the closing bracket or other character at `index` that closes nothing.
    func stray(at index: Int) -> NotationError {
      let byte = bytes[index]
      let shown = Pitch.shown(bytes, index)
      if byte == UInt8(ascii: "]") || byte == UInt8(ascii: ">") {
        return NotationError(
          "'\(shown)' closes nothing", at: index..<(index + 1),
          hint: "remove it, or open it with '\(byte == UInt8(ascii: "]") ? "[" : "<")'")
      }
      return NotationError(
        "'\(shown)' is not part of the mini-notation",
        at: index..<(index + Pitch.width(bytes, index)),
        hint: Self.hint)
    }

    /// Steps separated by spaces, up to `,`, `closer` or the end.
    mutating func parseSequence(closer: UInt8?) throws -> NotationStep {
      var steps: [NotationStep] = []
      while true {
        skipSpaces()
        guard position < bytes.count else { break }
        let byte = bytes[position]
        if byte == UInt8(ascii: ",") || byte == closer { break }
        if byte == UInt8(ascii: "]") || byte == UInt8(ascii: ">") { break }
        steps.append(try parseStep())
      }
      guard !steps.isEmpty else {
        let at = min(position, bytes.count)
        if bytes.allSatisfy(isSpace) {
          throw NotationError(
            "the pattern is empty", at: 0..<bytes.count, hint: "write a rest '~' for a silent step")
        }
        let what = at < bytes.count && bytes[at] == UInt8(ascii: ",") ? "before ','" : "here"
        throw NotationError(
          "expected a step \(what)", at: at..<min(at + 1, bytes.count),
          hint: "write a note, a MIDI number or a rest '~'")
      }
      return steps.count == 1 ? steps[0] : .sequence(steps)
    }

    /// A step and its repetitions: `a`, `a*3`.
    mutating func parseStep() throws -> NotationStep {
      var step = try parseAtom()
      while position < bytes.count, bytes[position] == UInt8(ascii: "*") {
        let star = position
        position += 1
        let digits = position
        while position < bytes.count, (0x30...0x39).contains(bytes[position]) { position += 1 }
        let text = String(decoding: bytes[digits..<position], as: UTF8.self)
        if position < bytes.count,
          isWordByte(bytes[position]) || bytes[position] == UInt8(ascii: "/")
        {
          var end = position
          while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
          throw NotationError(
            "'*' takes a whole number of times", at: star..<max(end, position + 1),
            hint: "write a whole number, e.g. 'a*3'")
        }
        guard !text.isEmpty else {
          throw NotationError(
            "expected a number after '*'", at: star..<(star + 1),
            hint: "write how many times, e.g. 'a*3'")
        }
        guard let count = Int(text), count <= finestDivision else {
          throw NotationError(
            "'*\(text)' repeats the step too many times", at: star..<position,
            hint: "repeat a step at most \(finestDivision) times")
        }
        guard count > 0 else {
          throw NotationError(
            "'*\(text)' repeats the step no time", at: star..<position,
            hint: "repeat a step 1 or more times; write '~' for silence")
        }
        step = .repeated(step, count)
      }
      return step
    }

    mutating func parseAtom() throws -> NotationStep {
      let start = position
      let byte = bytes[position]
      switch byte {
      case UInt8(ascii: "~"):
        position += 1
        return .rest
      case UInt8(ascii: "["), UInt8(ascii: "<"):
        let closer = byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ">")
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= maximumNesting else {
          throw NotationError(
            "brackets nest too deeply (more than \(maximumNesting) levels)",
            at: start..<(start + 1))
        }
        position += 1
        skipSpaces()
        if position < bytes.count, bytes[position] == closer {
          throw NotationError(
            "'\(Pitch.shown(bytes, start))\(Pitch.shown(bytes, position))' holds no step",
            at: start..<(position + 1), hint: "write a rest '~' for a silent step")
        }
        let inner = try parseStack(closer: closer)
        guard position < bytes.count, bytes[position] == closer else {
          throw NotationError(
            "'\(Pitch.shown(bytes, start))' is never closed", at: start..<(start + 1),
            hint: "close it with '\(Pitch.shown([closer], 0))'")
        }
        position += 1
        guard byte == UInt8(ascii: "<") else { return inner }
        // Each step of the sequence inside is an alternative; a stack alternates each of
        // its layers.
        func alternation(_ step: NotationStep) -> NotationStep {
          if case .sequence(let steps) = step { return .alternation(steps) }
          return .alternation([step])
        }
        if case .stack(let layers) = inner { return .stack(layers.map(alternation)) }
        return alternation(inner)
      case UInt8(ascii: "*"):
        throw NotationError(
          "'*' follows no step", at: start..<(start + 1),
          hint: "write it right after the step it repeats, e.g. 'a*3'")
      case UInt8(ascii: "."):
        throw stray(at: position)
      case _ where isWordByte(byte):
        while position < bytes.count, isWordByte(bytes[position]) { position += 1 }
        let word = bytes[start..<position]
        let text = String(decoding: word, as: UTF8.self)
        if let first = word.first, (0x30...0x39).contains(first) {
          guard let midi = Double(text), midi.isFinite, midi <= 127 else {
            throw NotationError(
              "'\(text)' is not a MIDI number", at: start..<position,
              hint: "a MIDI number is a number from 0 to 127, such as 60 or 60.5")
          }
          return .note(midi: midi, label: text)
        }
        if text == "-" {
          throw NotationError(
            "'-' is not a step here", at: start..<position, hint: "write a rest as '~'")
        }
        switch Pitch.midi(note: word) {
        case .success(let midi): return .note(midi: Double(midi), label: text)
        case .failure(let error): throw error.shifted(by: start)
        }
      default:
        throw stray(at: position)
      }
    }
  }

  /// The most events one cycle of `step` can hold (saturating), and how many steps
  /// laying it out visits, and its finest division of a cycle.
  static func bounds(_ step: NotationStep) -> (events: Int, visits: Int, division: Int) {
    func product(_ a: Int, _ b: Int) -> Int {
      let (value, overflow) = a.multipliedReportingOverflow(by: b)
      return overflow ? Int.max : value
    }
    func sum(_ a: Int, _ b: Int) -> Int {
      let (value, overflow) = a.addingReportingOverflow(b)
      return overflow ? Int.max : value
    }
    switch step {
    case .note: return (1, 1, 1)
    case .rest: return (0, 1, 1)
    case .sequence(let steps), .stack(let steps), .alternation(let steps):
      var result = (events: 0, visits: 1, division: 1)
      for inner in steps {
        let bound = bounds(inner)
        if case .alternation = step {
          result.events = max(result.events, bound.events)
        } else {
          result.events = sum(result.events, bound.events)
        }
        result.visits = sum(result.visits, bound.visits)
        result.division = max(result.division, bound.division)
      }
      if case .sequence = step { result.division = product(result.division, steps.count) }
      return result
    case .repeated(let inner, let count):
      let bound = bounds(inner)
      return (
        product(bound.events, count), sum(1, product(bound.visits, count)),
        product(bound.division, count)
      )
    }
  }

  /// The note events of `step` over `cycles` cycles, by start time (events that start
  /// together in the order written).
  static func events(of step: NotationStep, cycles: Int) -> [PatternEvent] {
    var events: [PatternEvent] = []
    func lay(_ step: NotationStep, cycle: Int, start: CycleFraction, length: CycleFraction) {
      switch step {
      case .note(let midi, let label):
        events.append(PatternEvent(start: start, length: length, midi: midi, label: label))
      case .rest:
        break
      case .sequence(let steps):
        for (index, inner) in steps.enumerated() {
          lay(
            inner, cycle: cycle, start: start + length.scaled(index, steps.count),
            length: length.scaled(1, steps.count))
        }
      case .stack(let layers):
        for layer in layers { lay(layer, cycle: cycle, start: start, length: length) }
      case .alternation(let choices):
        let count = choices.count
        let (turn, index) = (floorDivide(cycle, count), ((cycle % count) + count) % count)
        lay(choices[index], cycle: turn, start: start, length: length)
      case .repeated(let inner, let count):
        for index in 0..<count {
          lay(
            inner, cycle: cycle * count + index, start: start + length.scaled(index, count),
            length: length.scaled(1, count))
        }
      }
    }
    for cycle in 0..<cycles {
      lay(step, cycle: cycle, start: CycleFraction(cycle), length: CycleFraction(1))
    }
    // Stable: events that start together keep the order they are written in.
    return events.enumerated().sorted { a, b in
      a.element.start == b.element.start ? a.offset < b.offset : a.element.start < b.element.start
    }.map(\.element)
  }

  static func floorDivide(_ a: Int, _ b: Int) -> Int {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
  }
}
