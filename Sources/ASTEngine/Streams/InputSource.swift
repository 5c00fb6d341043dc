import ASTCore

#if canImport(Glibc)
  import Glibc
#endif

/// Raw PCM read from a file descriptor (standard input by default) as it arrives, cut
/// into chunks of at most `framesPerChunk` frames.
///
/// Each chunk is what one read returned (whole frames only), so a chunk reaches the
/// graph as soon as its bytes arrive. A trailing partial frame at the end of the input
/// is dropped, counted in ``droppedBytes`` and reported to the context's trouble
/// report (``TroubleReport/Kind/partialFrame``) at `origin`.
public final class InputSource: ChunkSource {
  /// The sample rate of the input.
  public static let sampleRate = NodeParameter(
    "sampleRate", unit: .sampleRate, default: 44_100, range: .sampleRates, "the sample rate")
  /// The channel count of the input.
  public static let channelCount = NodeParameter(
    "channelCount", unit: .count, default: 1,
    range: ParameterRange(lower: .inclusive(1), upper: .inclusive(64), isInteger: true),
    "the channel count")
  /// Every parameter, in order.
  public static let parameters = [sampleRate, channelCount]

  /// The sample formats of raw input.
  public enum Format: String, Sendable {
    /// Signed 16-bit little-endian.
    case s16
    /// Signed 32-bit little-endian.
    case s32
    /// 32-bit float little-endian.
    case f32
    /// 64-bit float little-endian.
    case f64

    var streamFormat: SampleFormat {
      switch self {
      case .s16: .pcmS16LE
      case .s32: .pcmS32LE
      case .f32: .pcmF32LE
      case .f64: .pcmF64LE
      }
    }
  }

  private let descriptor: Int32
  private let sampleRate: Int
  private let channelCount: Int
  private let format: Format
  private let framesPerChunk: Int
  private var carry: [UInt8] = []
  private var position = 0
  private var index = 0
  private var ended = false
  /// Bytes of a partial frame left at the end of the input.
  public private(set) var droppedBytes = 0
  /// The read buffers' memory in the run's budget.
  private let memory: MemoryReservation

  /// Reads `descriptor` as interleaved PCM.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for the read buffers: a
  ///   read, what is carried over, and the chunk made of them.
  public init(
    descriptor: Int32 = 0, sampleRate: Int, channelCount: Int, format: Format,
    framesPerChunk: Int, origin: Int? = nil, context: RenderContext
  ) throws {
    memory = try context.memory.reserve(
      frames: max(1, framesPerChunk), channels: channelCount,
      width: 4 * format.streamFormat.sampleWidth, for: .part("the read buffers"))
    self.descriptor = descriptor
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    self.format = format
    self.framesPerChunk = max(1, framesPerChunk)
    super.init(context: context)
    self.origin = origin
  }

  override public func next() async throws -> AudioStream? {
    let width = format.streamFormat.sampleWidth
    let frameWidth = width * channelCount
    while !ended {
      guard
        let bytes = try readArrived(
          from: descriptor, upTo: framesPerChunk * frameWidth, context: context)
      else { continue }
      if bytes.isEmpty {
        ended = true
        droppedBytes = carry.count
        context.trouble.add(.partialFrame, count: droppedBytes, origin: origin)
        break
      }
      carry += bytes
      let whole = carry.count / frameWidth * frameWidth
      guard whole > 0 else { continue }
      let data = Array(carry[0..<whole])
      carry.removeFirst(whole)
      let frames = whole / frameWidth
      let chunk = AudioStream(
        data: data, sampleRate: sampleRate, channelCount: channelCount, sampleWidth: width,
        format: format.streamFormat.rawValue,
        timestamp: Timestamp(frames: position..<(position + frames), sampleRate: sampleRate),
        metadata: ["chunk_index": .int(index)])
      index += 1
      position += frames
      return chunk
    }
    return nil
  }
}

/// What has arrived on `descriptor`, at most `count` bytes: empty at the end of the
/// input, `nil` when nothing came within a tenth of a second. Waiting in short steps
/// lets a cancelled render (Ctrl-C) stop even while the writer is silent.
func readArrived(from descriptor: Int32, upTo count: Int, context: RenderContext) throws
  -> [UInt8]?
{
  try context.cancellation.check()
  var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
  let ready = poll(&poller, 1, 100)
  if ready == 0 || (ready < 0 && errno == EINTR) { return nil }
  var bytes = [UInt8](repeating: 0, count: count)
  let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
  if got < 0 {
    if errno == EINTR { return nil }
    throw RenderError.failed("cannot read standard input: \(String(cString: strerror(errno)))")
  }
  return Array(bytes[0..<got])
}
