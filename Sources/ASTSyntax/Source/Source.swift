/// A byte range in a ``Source``: `[start, end)` offsets into its UTF-8 text.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
  /// The offset of the first byte.
  public var start: Int
  /// The offset just past the last byte.
  public var end: Int

  /// Creates a range from byte offsets.
  public init(start: Int, end: Int) {
    self.start = start
    self.end = max(start, end)
  }

  /// The empty range at offset 0, used where positions do not matter.
  public static let zero = SourceRange(start: 0, end: 0)

  /// The smallest range covering both.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(start: min(start, other.start), end: max(end, other.end))
  }

  /// The number of bytes covered.
  public var length: Int { end - start }

  /// `start..<end`.
  public var description: String { "\(start)..<\(end)" }
}

/// A line and column, both counted from 1; columns count characters, not bytes.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
  /// The line number, from 1.
  public var line: Int
  /// The column in characters, from 1.
  public var column: Int

  /// Creates a location.
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// `line:column`.
  public var description: String { "\(line):\(column)" }
}

/// The text of a script with the name it is shown under: a file path or `<repl>`.
///
/// Positions in the language are byte offsets into ``bytes``; they become lines and
/// columns only when shown, through ``location(of:)``.
///
/// A source may continue another (``init(name:text:after:)``): the inputs of an
/// interactive session are sources of their own whose positions and line numbers go on
/// where the input before ends, as if the two were one text with a line break between.
/// So a position names one place in the whole session, and every method here takes and
/// gives positions and line numbers counted that way.
public struct Source: Sendable {
  /// The name diagnostics show: a path, or a display name such as `<repl>`.
  public let name: String
  /// The UTF-8 text.
  public let bytes: [UInt8]
  /// The position of the first byte: 0, or where the source it continues ends.
  public let startOffset: Int
  /// The number of the first line: 1, or the line after the source it continues.
  public let firstLine: Int
  /// The offset in ``bytes`` of the first byte of each line.
  private let lineStarts: [Int]

  /// A source from text with a display name.
  public init(name: String, text: String) {
    self.init(name: name, bytes: Array(text.utf8))
  }

  /// A source from UTF-8 bytes with a display name; invalid UTF-8 is shown with
  /// replacement characters but kept byte for byte.
  public init(name: String, bytes: [UInt8]) {
    self.init(name: name, bytes: bytes, startOffset: 0, firstLine: 1)
  }

  /// A source that continues `previous` (when there is one): its positions start after
  /// the end of `previous` and a line break, and its lines after the last of `previous`.
  public init(name: String, text: String, after previous: Source?) {
    self.init(
      name: name, bytes: Array(text.utf8),
      startOffset: previous.map { $0.startOffset + $0.bytes.count + 1 } ?? 0,
      firstLine: previous.map { $0.firstLine + $0.lineCount } ?? 1)
  }

  private init(name: String, bytes: [UInt8], startOffset: Int, firstLine: Int) {
    self.name = name
    self.bytes = bytes
    self.startOffset = startOffset
    self.firstLine = firstLine
    var starts = [0]
    for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      starts.append(offset + 1)
    }
    self.lineStarts = starts
  }

  /// The whole text.
  public var text: String { String(decoding: bytes, as: UTF8.self) }

  /// The number of lines (a final line without a newline counts).
  public var lineCount: Int { lineStarts.count }

  /// The position just past the last byte.
  public var endOffset: Int { startOffset + bytes.count }

  /// Whether a position lies in this source (its end included).
  public func contains(_ offset: Int) -> Bool {
    offset >= startOffset && offset <= endOffset
  }

  /// The text covered by a range.
  public func text(in range: SourceRange) -> String {
    let start = max(0, min(range.start - startOffset, bytes.count))
    let end = max(start, min(range.end - startOffset, bytes.count))
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }

  /// The index in ``lineStarts`` of the line holding a position.
  private func lineIndex(of offset: Int) -> Int {
    var low = 0
    var high = lineStarts.count - 1
    let target = max(0, min(offset - startOffset, bytes.count))
    while low < high {
      let middle = (low + high + 1) / 2
      if lineStarts[middle] <= target { low = middle } else { high = middle - 1 }
    }
    return low
  }

  /// The line (from ``firstLine``) holding a position.
  public func line(of offset: Int) -> Int {
    lineIndex(of: offset) + firstLine
  }

  /// The line and character column of a position.
  public func location(of offset: Int) -> SourceLocation {
    let index = lineIndex(of: offset)
    let start = lineStarts[index]
    let target = max(start, min(offset - startOffset, bytes.count))
    let column = String(decoding: bytes[start..<target], as: UTF8.self).count + 1
    return SourceLocation(line: index + firstLine, column: column)
  }

  /// The range of a line (counted from ``firstLine``), without its line break.
  public func lineRange(_ line: Int) -> SourceRange {
    let index = max(0, min(line - firstLine, lineStarts.count - 1))
    let start = lineStarts[index]
    var end = index + 1 < lineStarts.count ? lineStarts[index + 1] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return SourceRange(start: startOffset + start, end: startOffset + end)
  }

  /// The text of a line (counted from ``firstLine``), without its line break.
  public func lineText(_ line: Int) -> String {
    text(in: lineRange(line))
  }
}
