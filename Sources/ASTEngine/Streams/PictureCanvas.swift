/// An RGB picture being drawn, row by row, 3 bytes a pixel, with a tiny built-in font
/// for axis labels.
struct PictureCanvas {
  /// A colour as red, green and blue.
  typealias Color = (UInt8, UInt8, UInt8)

  /// The width in pixels.
  let width: Int
  /// The height in pixels.
  let height: Int
  /// The pixels, `width` by `height`, 3 bytes each.
  private(set) var pixels: [UInt8]

  /// The height of a line of text in pixels.
  static let textHeight = 10
  /// The distance from one character to the next in pixels.
  private static let advance = 8

  /// 3-by-5 glyphs, one row of three bits each from the top; each glyph pixel is drawn
  /// 2 by 2.
  private static let glyphs: [Character: [UInt8]] = [
    "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
    "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
    "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ".": [0, 0, 0, 0, 2], "-": [0, 0, 7, 0, 0],
    "s": [0, 3, 6, 3, 6], "k": [4, 5, 6, 5, 5], "z": [0, 7, 2, 4, 7], "d": [1, 1, 7, 5, 7],
    "B": [6, 5, 6, 5, 6], "F": [7, 4, 6, 4, 4], "H": [5, 5, 7, 5, 5], "S": [3, 4, 2, 1, 6],
  ]

  /// A canvas filled with `background`.
  init(width: Int, height: Int, background: Color) {
    self.width = width
    self.height = height
    pixels = [UInt8](repeating: 0, count: width * height * 3)
    for index in stride(from: 0, to: pixels.count, by: 3) {
      pixels[index] = background.0
      pixels[index + 1] = background.1
      pixels[index + 2] = background.2
    }
  }

  /// Sets one pixel; a pixel outside the canvas is left out.
  mutating func paint(_ x: Int, _ y: Int, _ color: Color) {
    guard x >= 0, x < width, y >= 0, y < height else { return }
    let index = (y * width + x) * 3
    pixels[index] = color.0
    pixels[index + 1] = color.1
    pixels[index + 2] = color.2
  }

  /// The width of `text` in pixels.
  static func textWidth(_ text: String) -> Int {
    max(0, text.count * advance - 2)
  }

  /// Writes `text` with its top left corner at `x`, `y`.
  mutating func write(_ text: String, x: Int, y: Int, color: Color) {
    var cursor = x
    for character in text {
      for (row, bits) in (Self.glyphs[character] ?? []).enumerated() {
        for column in 0..<3 where bits & (4 >> column) != 0 {
          for dy in 0..<2 {
            for dx in 0..<2 { paint(cursor + column * 2 + dx, y + row * 2 + dy, color) }
          }
        }
      }
      cursor += Self.advance
    }
  }
}
