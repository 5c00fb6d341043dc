import ASTCore
import ASTEngine
import Foundation

/// One note event of a pattern: when it starts and how long its step lasts, as exact
/// fractions of a cycle from the pattern's start, and its pitch.
public struct PatternEvent: Sendable, Hashable {
  /// The start, in cycles from the pattern's start.
  public let start: CycleFraction
  /// The length of its step, in cycles.
  public let length: CycleFraction
  /// The MIDI number (transposed).
  public let midi: Double
  /// The note as written in the pattern string (`eb3`, `60`).
  public let label: String

  /// Creates an event.
  public init(start: CycleFraction, length: CycleFraction, midi: Double, label: String) {
    self.start = start
    self.length = length
    self.midi = midi
    self.label = label
  }

  /// The frequency in hertz.
  public var frequency: Double { Pitch.frequency(midi: midi) }
}

/// What the checker knows of a pattern: its cycles and events.
public struct PatternFacts: Sendable, Hashable, CustomStringConvertible {
  /// How many cycles it lasts.
  public let cycles: Int
  /// How many note events it holds.
  public let events: Int

  /// Creates facts.
  public init(cycles: Int, events: Int) {
    self.cycles = cycles
    self.events = events
  }

  /// `2 cycles, 14 events`.
  public var description: String {
    "\(cycles) \(cycles == 1 ? "cycle" : "cycles"), \(events) \(events == 1 ? "event" : "events")"
  }
}

/// A pattern of note events laid out in musical time: what `seq` makes from a string in
/// the mini-notation (``MiniNotation``), at a tempo and meter.
public struct Pattern: Sendable, Hashable {
  /// The events by start time.
  public let events: [PatternEvent]
  /// How many cycles it lasts.
  public let cycles: Int
  /// Bars per cycle.
  public let bars: Double
  /// Beats per bar.
  public let beatsPerBar: Int
  /// Beats per minute.
  public let tempo: Double

  /// The pattern `text` over `cycles` cycles of `bars` bars each, transposed by
  /// `transpose` semitones, at `tempo` beats a minute and `beatsPerBar` beats a bar; or
  /// the first mistake in `text`.
  public static func make(
    _ text: String, cycles: Int, bars: Double, transpose: Double, tempo: Double, beatsPerBar: Int
  ) -> Result<Pattern, NotationError> {
    let root: NotationStep
    switch MiniNotation.parse(text) {
    case .success(let parsed): root = parsed
    case .failure(let error): return .failure(error)
    }
    let whole = 0..<text.utf8.count
    let bounds = MiniNotation.bounds(root)
    guard bounds.division <= MiniNotation.finestDivision else {
      return .failure(
        NotationError(
          "the pattern divides a cycle too finely (into more than 2^40 parts)", at: whole,
          hint: "nest fewer subdivisions and repetitions"))
    }
    let (events, overflow) = bounds.events.multipliedReportingOverflow(by: cycles)
    guard !overflow, events <= MiniNotation.maximumEvents else {
      return .failure(
        NotationError(
          "the pattern holds more than \(MiniNotation.maximumEvents) events over its "
            + "\(cycles) \(cycles == 1 ? "cycle" : "cycles")", at: whole,
          hint: "use fewer repetitions or fewer cycles"))
    }
    let (visits, visitOverflow) = bounds.visits.multipliedReportingOverflow(by: cycles)
    guard !visitOverflow, visits <= 4 * MiniNotation.maximumEvents else {
      return .failure(
        NotationError(
          "the pattern has too many steps to lay out over its \(cycles) "
            + "\(cycles == 1 ? "cycle" : "cycles") (more than \(4 * MiniNotation.maximumEvents))",
          at: whole, hint: "use fewer repetitions or fewer cycles"))
    }
    let laid = MiniNotation.events(of: root, cycles: cycles).map { event in
      PatternEvent(
        start: event.start, length: event.length, midi: event.midi + transpose,
        label: transpose == 0 ? event.label : Pitch.name(midi: event.midi + transpose))
    }
    return .success(
      Pattern(
        events: laid, cycles: cycles, bars: bars, beatsPerBar: beatsPerBar, tempo: tempo))
  }

  /// What the checker shows of it.
  public var facts: PatternFacts { PatternFacts(cycles: cycles, events: events.count) }

  /// The length of one cycle in seconds.
  public var cycleSeconds: Double { bars * Double(beatsPerBar) * 60 / tempo }

  /// The length of the whole pattern in seconds.
  public var seconds: Double { Double(cycles) * cycleSeconds }

  /// The time `time` (in cycles from the start) in seconds.
  public func seconds(at time: CycleFraction) -> Double {
    Double(time.numerator) * bars * Double(beatsPerBar) * 60 / (Double(time.denominator) * tempo)
  }

  /// The frame at `rate` where the time `time` falls: `round(seconds * rate)`, computed
  /// with one division so that a time on a frame boundary or halfway between two is
  /// exact.
  public func frame(at time: CycleFraction, rate: Int) -> Int {
    let frames =
      (Double(time.numerator) * bars * Double(beatsPerBar) * 60 * Double(rate))
      / (Double(time.denominator) * tempo)
    return Int(min(frames.rounded(), Double(SignalLength.maximumFrames)))
  }

  /// `bar:beat` of a time, from `1:1` (`2:3.5` is half a beat after the third beat of the
  /// second bar).
  public func position(at time: CycleFraction) -> String {
    let beats = time.value * bars * Double(beatsPerBar)
    let bar = (beats / Double(beatsPerBar)).rounded(.down)
    let beat = beats - bar * Double(beatsPerBar) + 1
    return "\(NumberText.plain(bar + 1)):\(NumberText.plain((beat * 1000).rounded() / 1000))"
  }

  /// An event as a message names it: `the note a8 (7040 Hz) at 1:3 (bar:beat)`.
  public func describe(_ event: PatternEvent) -> String {
    "the note \(event.label) (\(NumberText.plain((event.frequency * 100).rounded() / 100)) Hz) "
      + "at \(position(at: event.start)) (bar:beat)"
  }

  /// The pattern as `print` lists it: a line about the whole, then one line an event
  /// (position, seconds, note, frequency and length).
  public var listing: [String] {
    let header =
      "Pattern(\(facts)): \(NumberText.plain(bars)) \(bars == 1 ? "bar" : "bars") a cycle at "
      + "\(NumberText.plain(tempo)) bpm, \(beatsPerBar) \(beatsPerBar == 1 ? "beat" : "beats") a bar"
    var rows = [["bar:beat", "seconds", "note", "Hz", "length"]]
    for event in events {
      rows.append([
        position(at: event.start), String(format: "%.3f", seconds(at: event.start)), event.label,
        String(format: "%.2f", event.frequency),
        String(format: "%.3f s", seconds(at: event.length)),
      ])
    }
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return [header]
      + rows.map { row in
        "  "
          + row.enumerated().map { column, cell in
            column == row.count - 1
              ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
          }.joined(separator: "  ")
      }
  }
}
