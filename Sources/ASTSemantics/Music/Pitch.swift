import ASTCore
import ASTEngine
import Foundation

/// A mistake in a note name or a pattern string: what is wrong, where in the text (in
/// bytes of its UTF-8, from its start), and what to write instead.
public struct NotationError: Error, Sendable, Hashable {
  /// What is wrong, lower-case.
  public let message: String
  /// The bytes of the text it is about, counted from the text's start.
  public let offsets: Range<Int>
  /// What to write instead, or `nil`.
  public let hint: String?

  /// Creates an error about the bytes `offsets` of the text.
  public init(_ message: String, at offsets: Range<Int>, hint: String? = nil) {
    self.message = message
    self.offsets = offsets
    self.hint = hint
  }

  /// The error about the same bytes `by` bytes further on (a note inside a pattern).
  func shifted(by offset: Int) -> NotationError {
    NotationError(
      message, at: (offsets.lowerBound + offset)..<(offsets.upperBound + offset), hint: hint)
  }
}

/// Equal-tempered pitch: note names, MIDI numbers and frequencies. C4 is MIDI 60, A4
/// (MIDI 69) is 440 Hz, and a MIDI number `m` is `440 * 2 ^ ((m - 69) / 12)` Hz.
public enum Pitch {
  /// The lowest and highest octave of a note name.
  public static let octaves = -1...9

  /// The frequency in hertz of the MIDI number `midi` (fractional numbers lie between).
  public static func frequency(midi: Double) -> Double {
    MIDIFrequencyNode.frequency(midi: midi)
  }

  /// The MIDI number of a note name: a letter `c d e f g a b` (or upper-case), one `#`
  /// (sharp) or `b` (flat), then an octave from -1 to 9 (`c#4` is 61, `eb3` 51, `a4` 69).
  public static func midi(note text: String) -> Result<Int, NotationError> {
    midi(note: Array(text.utf8)[...])
  }

  /// The MIDI number of the note name in `bytes`; errors are placed from `bytes`' start.
  static func midi(note bytes: ArraySlice<UInt8>) -> Result<Int, NotationError> {
    let text = Array(bytes)
    let letters: [UInt8: Int] = [
      UInt8(ascii: "c"): 0, UInt8(ascii: "d"): 2, UInt8(ascii: "e"): 4, UInt8(ascii: "f"): 5,
      UInt8(ascii: "g"): 7, UInt8(ascii: "a"): 9, UInt8(ascii: "b"): 11,
    ]
    guard let first = text.first else {
      return .failure(
        NotationError("the note name is empty", at: 0..<0, hint: "write a note such as 'c4'"))
    }
    let lower = first | 0x20
    guard let pitchClass = letters[lower] else {
      let shown = Self.shown(text, 0)
      let hint =
        lower == UInt8(ascii: "h")
        ? "note letters are c d e f g a b; the German H is written 'b', B-flat 'bb'"
        : "note letters are c d e f g a b, then '#' or 'b', then an octave: 'c#4', 'eb3'"
      return .failure(
        NotationError("'\(shown)' is not a note letter", at: 0..<Self.width(text, 0), hint: hint))
    }
    var index = 1
    var accidental = 0
    if index < text.count, text[index] == UInt8(ascii: "#") || text[index] == UInt8(ascii: "b") {
      accidental = text[index] == UInt8(ascii: "#") ? 1 : -1
      index += 1
      if index < text.count, text[index] == UInt8(ascii: "#") || text[index] == UInt8(ascii: "b") {
        return .failure(
          NotationError(
            "a note takes one sharp or flat", at: index..<(index + 1),
            hint: "write the note a semitone further instead"))
      }
    }
    let name = String(decoding: text[..<index], as: UTF8.self)
    let octaveStart = index
    if index < text.count, text[index] == UInt8(ascii: "-") { index += 1 }
    let digitsStart = index
    while index < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index]) {
      index += 1
    }
    guard index > digitsStart else {
      if index < text.count || octaveStart < text.count {
        let at = min(digitsStart, text.count)
        let shown = at < text.count ? "'\(Self.shown(text, at))'" : "the end"
        let flat = at < text.count && text[at] == UInt8(ascii: "B") && accidental == 0
        return .failure(
          NotationError(
            "expected an octave after '\(name)', got \(shown)",
            at: at..<(at + (at < text.count ? Self.width(text, at) : 0)),
            hint: flat
              ? "a flat is a lower-case 'b': '\(name)b4'"
              : "write an octave from -1 to 9, e.g. '\(name)4'"))
      }
      return .failure(
        NotationError(
          "'\(name)' has no octave", at: octaveStart..<octaveStart,
          hint: "write an octave from -1 to 9, e.g. '\(name)4'"))
    }
    let octaveText = String(decoding: text[octaveStart..<index], as: UTF8.self)
    guard let octave = Int(octaveText), octaves.contains(octave) else {
      return .failure(
        NotationError(
          "octave \(octaveText) is out of range", at: octaveStart..<index,
          hint: "octaves run from -1 to 9 (c-1 is MIDI 0, g9 MIDI 127)"))
    }
    if index < text.count {
      return .failure(
        NotationError(
          "unexpected '\(Self.shown(text, index))' after the note '\(name)\(octaveText)'",
          at: index..<text.count,
          hint: "a note is a letter, an optional '#' or 'b', and an octave: 'c#4'"))
    }
    return .success(12 * (octave + 1) + pitchClass + accidental)
  }

  /// The name of a whole MIDI number, with sharps (`61` is `c#4`); a fractional number
  /// is written as it is (`60.5`).
  public static func name(midi: Double) -> String {
    guard midi == midi.rounded(), abs(midi) < 1e6 else { return NumberText.plain(midi) }
    let whole = Int(midi)
    let names = ["c", "c#", "d", "d#", "e", "f", "f#", "g", "g#", "a", "a#", "b"]
    let pitchClass = ((whole % 12) + 12) % 12
    let octave = (whole - pitchClass) / 12 - 1
    return names[pitchClass] + String(octave)
  }

  /// The character at `index` of `text` as it reads (a whole UTF-8 sequence).
  static func shown(_ text: [UInt8], _ index: Int) -> String {
    String(decoding: text[index..<(index + width(text, index))], as: UTF8.self)
  }

  /// The bytes of the UTF-8 sequence starting at `index`.
  static func width(_ text: [UInt8], _ index: Int) -> Int {
    var end = index + 1
    while end < text.count, text[end] & 0xC0 == 0x80 { end += 1 }
    return end - index
  }
}
