extension String {
  /// The text with every control character shown as a visible sign of one column, so
  /// that text from a script (a message quoting it, a line of it, a string it prints)
  /// cannot move the cursor, recolour or retitle a terminal: NUL to U+001F and DEL as
  /// their control pictures (`␀`, `␛`, `␡`, ...), U+0080 to U+009F as U+FFFD. A tab
  /// stays a tab when `keepingTabs` (a source line, whose carets line up under tabs),
  /// and a line break stays one when `keepingLineBreaks` (what `print` prints).
  public func terminalSafe(keepingTabs: Bool = false, keepingLineBreaks: Bool = false) -> String {
    func shows(_ scalar: Unicode.Scalar) -> Bool {
      if scalar == "\t" { return keepingTabs }
      if scalar == "\n" { return keepingLineBreaks }
      return scalar.value >= 0x20 && !(0x7F...0x9F).contains(scalar.value)
    }
    guard !unicodeScalars.allSatisfy(shows) else { return self }
    var shown = String.UnicodeScalarView()
    for scalar in unicodeScalars {
      if shows(scalar) {
        shown.append(scalar)
      } else if scalar.value < 0x20 {
        shown.append(Unicode.Scalar(0x2400 + scalar.value)!)
      } else if scalar.value == 0x7F {
        shown.append("\u{2421}")
      } else {
        shown.append("\u{FFFD}")
      }
    }
    return String(shown)
  }
}
