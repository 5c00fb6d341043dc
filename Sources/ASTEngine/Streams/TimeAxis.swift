import ASTCore

/// A time axis under a picture: a tick and a label in seconds at round steps.
enum TimeAxis {
  /// The height of the axis strip in pixels.
  static let height = 16

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
    NumberText.shortSeconds(seconds) + "s"
  }

  /// Draws the axis for `duration` seconds into rows `top..<top + height` of `canvas`,
  /// the time running over the columns `left..<left + span` (the whole width unless told).
  static func draw(
    into canvas: inout PictureCanvas, top: Int, left: Int = 0, span: Int? = nil,
    duration: Double
  ) {
    let span = span ?? canvas.width - left
    for y in top..<(top + height) {
      for x in 0..<canvas.width { canvas.paint(x, y, (255, 255, 255)) }
    }
    for x in left..<(left + span) { canvas.paint(x, top, (120, 120, 120)) }
    guard duration > 0 else { return }
    let step = step(for: duration)
    var tick = 0
    while Double(tick) * step <= duration + 1e-9 {
      let seconds = Double(tick) * step
      let x = left + Int((seconds / duration * Double(span - 1)).rounded())
      for y in top..<(top + 4) { canvas.paint(x, y, (60, 60, 60)) }
      canvas.write(label(seconds), x: x + 2, y: top + 4, color: (40, 40, 40))
      tick += 1
    }
  }
}
