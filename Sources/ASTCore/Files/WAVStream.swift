#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A WAV file written front to back to a descriptor that may not seek: standard
/// output, a pipe, a device.
///
/// The header goes first with its sizes unknown (`0xFFFFFFFF`, which readers take as
/// "until the end of the data"); the samples follow as they are written. When the
/// descriptor is a regular file after all (`ast run -o - > file.wav`), ``finish()``
/// goes back and fills the sizes in.
final class WAVStream {
  private let descriptor: Int32
  private let path: String
  private let closesDescriptor: Bool
  private var dataBytes = 0
  private var bytes: [UInt8] = []

  /// The sample encodings a stream can carry.
  static func supports(_ encoding: SampleEncoding) -> Bool {
    encoding == .int16 || encoding == .float32
  }

  /// Writes the header for `channelCount` channels of `encoding` at `sampleRate`.
  init(
    descriptor: Int32, path: String, closesDescriptor: Bool, encoding: SampleEncoding,
    sampleRate: Int, channelCount: Int
  ) throws {
    self.descriptor = descriptor
    self.path = path
    self.closesDescriptor = closesDescriptor
    let width = encoding == .int16 ? 2 : 4
    var header: [UInt8] = []
    func text(_ value: String) { header += Array(value.utf8) }
    func word(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { header += $0 } }
    func half(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { header += $0 } }
    text("RIFF")
    word(0xFFFF_FFFF)
    text("WAVEfmt ")
    word(16)
    half(encoding == .int16 ? 1 : 3)
    half(UInt16(clamping: channelCount))
    word(UInt32(clamping: sampleRate))
    word(UInt32(clamping: sampleRate * channelCount * width))
    half(UInt16(clamping: channelCount * width))
    half(UInt16(width * 8))
    text("data")
    word(0xFFFF_FFFF)
    try send(header)
  }

  deinit {
    if closesDescriptor { _ = close(descriptor) }
  }

  /// Appends samples as little-endian bytes.
  func write<Sample: FixedWidthInteger>(_ samples: UnsafeBufferPointer<Sample>) throws {
    bytes.removeAll(keepingCapacity: true)
    bytes.reserveCapacity(samples.count * MemoryLayout<Sample>.size)
    for sample in samples { withUnsafeBytes(of: sample.littleEndian) { bytes += $0 } }
    try send(bytes)
    dataBytes += bytes.count
  }

  /// Appends 32-bit float samples as little-endian bytes.
  func write(_ samples: UnsafeBufferPointer<Float>) throws {
    bytes.removeAll(keepingCapacity: true)
    bytes.reserveCapacity(samples.count * 4)
    for sample in samples {
      withUnsafeBytes(of: sample.bitPattern.littleEndian) { bytes += $0 }
    }
    try send(bytes)
    dataBytes += bytes.count
  }

  /// Fills in the sizes when the descriptor is a regular file that can seek.
  func finish() throws {
    var status = stat()
    // A file opened for appending (`>>`) cannot be patched in place.
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
      fcntl(descriptor, F_GETFL) & O_APPEND == 0, dataBytes <= Int(UInt32.max) - 36
    else { return }
    let end = lseek(descriptor, 0, SEEK_CUR)
    guard end >= 0 else { return }
    let start = end - off_t(dataBytes + 44)
    guard start >= 0 else { return }
    for (offset, value) in [(4, UInt32(dataBytes + 36)), (40, UInt32(dataBytes))] {
      var little = value.littleEndian
      let wrote = withUnsafeBytes(of: &little) {
        pwrite(descriptor, $0.baseAddress, 4, start + off_t(offset))
      }
      if wrote != 4 {
        throw AudioFileError(
          .writeFailed, .write, path: path, reason: AudioFileReader.systemMessage(errno))
      }
    }
  }

  private func send(_ data: [UInt8]) throws {
    try data.withUnsafeBytes { try writeAll($0, to: descriptor, path: path) }
  }
}

/// Writes all of `bytes` to `descriptor`, again after a signal interrupts it.
///
/// - Throws: ``AudioFileError`` naming `path` (`-` for standard output): of kind
///   `closedByReader` when the reader of a pipe went away, else `writeFailed`.
public func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws {
  var sent = 0
  while sent < bytes.count {
    let count = systemWrite(descriptor, bytes.baseAddress! + sent, bytes.count - sent)
    if count < 0 {
      let code = errno
      if code == EINTR { continue }
      if code == EPIPE {
        throw AudioFileError(.closedByReader, .write, path: path, reason: "the reader went away")
      }
      throw AudioFileError(
        .writeFailed, .write, path: path, reason: AudioFileReader.systemMessage(code))
    }
    sent += count
  }
}

/// `write(2)`, named apart from the methods called `write`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, bytes, count)
}
