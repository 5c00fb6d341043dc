/// A time axis under a picture: a tick and a label in seconds at round steps.
enum TimeAxis {
  /// The height of the axis strip in pixels.
  static let height = 16

  /// 3-by-5 glyphs for the labels, one row of three bits each from the top.
  private static let glyphs: [Character: [UInt8]] = [
    "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
    "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
    "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ".": [0, 0, 0, 0, 2], "s": [0, 3, 6, 3, 6],
  ]

  /// The step between ticks for `duration` seconds: a round number giving at most ten.
  static func step(for duration: Double) -> Double {
    let steps = [
      0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300,
      600, 1200, 1800, 3600, 7200, 18_000, 36_000, 86_400,
    ]
    return steps.first { duration / $0 <= 10 } ?? duration / 10
  }

  /// `1.5s`, `20s`, `0.005s`.
  static func label(_ seconds: Double) -> String {
    var text = String(format: "%.3f", seconds)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text + "s"
  }

  /// Draws the axis for `duration` seconds into rows `top..<top + height` of an RGB
  /// picture `width` pixels wide.
  static func draw(into pixels: inout [UInt8], width: Int, top: Int, duration: Double) {
    let rows = pixels.count / (width * 3)
    func paint(_ x: Int, _ y: Int, _ shade: UInt8) {
      guard x >= 0, x < width, y >= 0, y < rows else { return }
      let index = (y * width + x) * 3
      pixels[index] = shade
      pixels[index + 1] = shade
      pixels[index + 2] = shade
    }
    for y in top..<min(rows, top + height) {
      for x in 0..<width { paint(x, y, 255) }
    }
    for x in 0..<width { paint(x, top, 120) }
    guard duration > 0 else { return }
    let step = step(for: duration)
    var tick = 0
    while Double(tick) * step <= duration + 1e-9 {
      let seconds = Double(tick) * step
      let x = Int((seconds / duration * Double(width - 1)).rounded())
      for y in top..<(top + 4) { paint(x, y, 60) }
      var cursor = x + 2
      for character in label(seconds) {
        for (row, bits) in (glyphs[character] ?? []).enumerated() {
          for column in 0..<3 where bits & (4 >> column) != 0 {
            // Each glyph pixel drawn 2 by 2.
            for dy in 0..<2 {
              for dx in 0..<2 { paint(cursor + column * 2 + dx, top + 4 + row * 2 + dy, 40) }
            }
          }
        }
        cursor += 8
      }
      tick += 1
    }
  }
}
