#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How much sample data a WAV or AIFF header declares, against what the file holds.
///
/// libsndfile quietly shortens a file whose data chunk claims more bytes than follow
/// it; this finds such a file, so that a truncated or damaged file is reported rather
/// than read as a shorter signal.
enum DeclaredLength {
  /// The declared and present bytes of sample data, when the file is a WAV or AIFF
  /// whose data chunk declares a definite size (not a streaming placeholder).
  static func dataBytes(of path: String) -> (declared: Int, present: Int)? {
    if case .definite(let declared, let present) = dataSize(of: path) {
      return (declared, present)
    }
    return nil
  }

  /// What the data chunk of a WAV or AIFF file declares.
  enum DataSize {
    /// A size, and the bytes that follow the chunk's header.
    case definite(declared: Int, present: Int)
    /// A placeholder that a writer which could not seek left (a WAV only).
    case placeholder
  }

  /// What the data chunk of the file at `path` declares; `nil` when it is not a WAV or
  /// AIFF file, or its chunks cannot be walked.
  static func dataSize(of path: String) -> DataSize? {
    let descriptor = Confinement.open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    let size = Int(status.st_size)
    func bytes(at offset: Int, _ count: Int) -> [UInt8]? {
      var buffer = [UInt8](repeating: 0, count: count)
      let got = buffer.withUnsafeMutableBytes {
        pread(descriptor, $0.baseAddress, count, off_t(offset))
      }
      return got == count ? buffer : nil
    }
    guard let head = bytes(at: 0, 12) else { return nil }
    let form = String(decoding: head[0..<4], as: UTF8.self)
    let kind = String(decoding: head[8..<12], as: UTF8.self)
    let isWAV = form == "RIFF" && kind == "WAVE"
    let isAIFF = form == "FORM" && (kind == "AIFF" || kind == "AIFC")
    guard isWAV || isAIFF else { return nil }
    var offset = 12
    // Walk the chunks to the one holding the samples; a bounded number of them.
    for _ in 0..<256 {
      guard let header = bytes(at: offset, 8) else { return nil }
      let id = String(decoding: header[0..<4], as: UTF8.self)
      // RIFF sizes are little-endian, AIFF's big-endian.
      let sizeBytes = isWAV ? Array(header[4..<8].reversed()) : Array(header[4..<8])
      let length = sizeBytes.reduce(0) { ($0 << 8) | Int($1) }
      if isWAV, id == "data" {
        // Writers that cannot seek leave a placeholder: 0, 0xFFFFFFFF, or a size near
        // 2^31 (SoX writes 0x7FFFF000 to a pipe).
        guard length != 0, length < 0x7FFF_0000 else { return .placeholder }
        return .definite(declared: length, present: max(0, size - offset - 8))
      }
      if isAIFF, id == "SSND" {
        // The chunk starts with an 8-byte offset and block size before the samples.
        guard length >= 8 else { return nil }
        return .definite(declared: length - 8, present: max(0, size - offset - 16))
      }
      offset += 8 + length + (length & 1)
      guard offset < size else { return nil }
    }
    return nil
  }
}
