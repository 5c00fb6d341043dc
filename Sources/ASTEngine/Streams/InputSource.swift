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

/// A stream captured from a sound device (a microphone, a line in): chunks of 32-bit
/// float samples, one a block, as the device delivers them.
///
/// The device is opened when the first chunk is asked for, with a period of the
/// render's block, and closed when the stream is settled (``finish()``). A capture
/// device does not end by itself: a script bounds it (`slice`, a duration).
public final class DeviceInputSource: ChunkSource {
  private let device: String
  private let sampleRate: Int
  private let channelCount: Int
  private var capture: ALSADevice?
  private var samples: [Float]
  private var position = 0
  private var index = 0
  private var closed = false
  /// The chunk's memory in the run's budget.
  private let memory: MemoryReservation

  /// Captures from the ALSA device `device` at `sampleRate` with `channelCount` channels.
  ///
  /// - Throws: ``MemoryLimitError`` when the run has no room for a block of samples.
  public init(
    device: String, sampleRate: Int, channelCount: Int, origin: Int? = nil,
    context: RenderContext
  ) throws {
    memory = try context.memory.reserve(
      frames: context.blockSize, channels: channelCount, width: 8, for: .part("the capture"))
    self.device = device
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    samples = [Float](repeating: 0, count: context.blockSize * channelCount)
    super.init(context: context)
    self.origin = origin
  }

  override public func next() async throws -> AudioStream? {
    try context.cancellation.check()
    guard !closed else { return nil }
    if capture == nil {
      do {
        let opened = try ALSADevice(
          name: device, capture: true, sampleRate: sampleRate, channelCount: channelCount,
          periodFrames: context.blockSize, periods: 4)
        guard opened.configuration.sampleRate == sampleRate else {
          opened.close()
          throw RenderError.failed(
            "cannot capture from audio device '\(device)': it captures at "
              + "\(opened.configuration.sampleRate) Hz, not \(sampleRate) Hz (ask for that "
              + "rate, or name a device that converts, such as 'plughw:0' or 'default')")
        }
        capture = opened
      } catch let error as AudioDeviceError {
        throw RenderError.failed("cannot capture from \(error)")
      }
    }
    guard let capture else { return nil }
    let frames: Int
    do {
      frames = try samples.withUnsafeMutableBufferPointer {
        try capture.read(into: $0.baseAddress!, frames: context.blockSize)
      }
    } catch {
      throw RenderError.failed("cannot capture from \(error)")
    }
    let data = samples.withUnsafeBytes { Array($0.prefix(frames * channelCount * 4)) }
    let chunk = AudioStream(
      data: data, sampleRate: sampleRate, channelCount: channelCount, sampleWidth: 4,
      format: SampleFormat.pcmF32LE.rawValue,
      timestamp: Timestamp(frames: position..<(position + frames), sampleRate: sampleRate),
      metadata: ["chunk_index": .int(index)])
    index += 1
    position += frames
    return chunk
  }

  override public func finish() async throws {
    closed = true
    capture?.close()
    capture = nil
  }
}
