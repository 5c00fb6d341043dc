import ASTCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// AudioStream chunks read as JSON lines (the contract's JSON form, one chunk per line)
/// from a file descriptor, standard input by default: how NodeTool-style producers
/// hand audio to `ast`.
///
/// Each chunk must have the rate and channel count the script declared for its input,
/// so that what was checked is what runs. Blank lines are skipped; a line that is not
/// a chunk is an error naming its line number.
public final class JSONLinesSource: ChunkSource {
  private let descriptor: Int32
  private let sampleRate: Int
  private let channelCount: Int
  private var pending: [UInt8] = []
  /// Where the line being read starts in `pending` (the lines before it are decoded).
  private var lineStart = 0
  /// How many bytes of that line have been searched for its end: each byte is searched
  /// once, however many reads a long line takes.
  private var searched = 0
  private var lineNumber = 0
  private var ended = false
  /// The memory of the lines read and not yet decoded, in the run's budget.
  private let memory: MemoryReservation
  /// The most bytes read at once.
  private static let readSize = 1 << 16

  /// Reads chunks from `descriptor`, each expected at `sampleRate` with `channelCount`.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for the read buffers.
  public init(descriptor: Int32 = 0, sampleRate: Int, channelCount: Int, context: RenderContext)
    throws
  {
    memory = try context.memory.reserve(2 * Self.readSize, for: .part("the lines read"))
    self.descriptor = descriptor
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    super.init(context: context)
  }

  override public func next() async throws -> AudioStream? {
    while true {
      if let newline = pending[(lineStart + searched)...].firstIndex(of: UInt8(ascii: "\n")) {
        let line = Array(pending[lineStart..<newline])
        lineStart = newline + 1
        searched = 0
        // The decoded lines are dropped once they are most of what is held.
        if lineStart >= Self.readSize, 2 * lineStart >= pending.count {
          pending.removeFirst(lineStart)
          lineStart = 0
        }
        if let chunk = try decode(line) { return chunk }
        continue
      }
      searched = pending.count - lineStart
      if ended {
        guard lineStart < pending.count else { return nil }
        let line = Array(pending[lineStart...])
        pending = []
        lineStart = 0
        searched = 0
        if let chunk = try decode(line) { return chunk }
        return nil
      }
      try readMore()
    }
  }

  /// Reads what has arrived (see ``readArrived(from:upTo:context:)``).
  private func readMore() throws {
    guard let bytes = try readArrived(from: descriptor, upTo: Self.readSize, context: context)
    else {
      return
    }
    if bytes.isEmpty {
      ended = true
      return
    }
    // A long line grows what is held until its end arrives: counted before it grows, a
    // doubling at a time, besides the two reads always counted.
    if let capacity = try memory.room(
      for: pending.count + bytes.count, capacity: pending.capacity, width: 1,
      besides: 2 * Self.readSize, origin: origin)
    {
      pending.reserveCapacity(capacity)
    }
    pending += bytes
  }

  private func decode(_ line: [UInt8]) throws -> AudioStream? {
    lineNumber += 1
    guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else {
      return nil
    }
    let chunk: AudioStream
    do {
      chunk = try AudioStream(jsonData: Data(line))
    } catch {
      throw RenderError.failed(
        "standard input, line \(lineNumber): not an AudioStream chunk: \(error)")
    }
    guard chunk.sampleRate == sampleRate, chunk.channelCount == channelCount else {
      throw RenderError.failed(
        "standard input, line \(lineNumber): a chunk of \(chunk.channelCount) channel(s) at "
          + "\(chunk.sampleRate) Hz, but 'input' declares \(channelCount) at \(sampleRate) Hz")
    }
    return chunk
  }
}

/// Writes chunks as JSON lines to a file descriptor, one line per chunk as it comes.
public final class JSONLinesWriter {
  private let descriptor: Int32

  /// Writes to `descriptor` (standard output by default).
  public init(descriptor: Int32 = 1) {
    self.descriptor = descriptor
  }

  /// Writes `chunk` as one line.
  ///
  /// - Throws: ``ASTCore/AudioFileError`` with kind `closedByReader` when the reader of
  ///   a pipe went away, or `writeFailed`.
  public func write(_ chunk: AudioStream) throws {
    var bytes = [UInt8](try chunk.jsonData())
    bytes.append(UInt8(ascii: "\n"))
    try bytes.withUnsafeBytes { try writeAll($0, to: descriptor, path: "-") }
  }
}
