#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whether an Ogg or MP3 file holds its stream whole.
///
/// The decoders behind libsndfile read a cut or damaged Ogg or MP3 file as a shorter
/// or a louder signal without a word: libogg drops a page whose checksum fails,
/// libmpg123 resynchronises past junk and decodes damaged frames at any level. This
/// walks the container (every Ogg page with its checksum, every MPEG frame header)
/// so that such a file is reported, as a cut WAV is.
enum EncodedStream {
  /// What is wrong with the stream in the file open at `descriptor`, in words that
  /// follow "cannot read 'PATH':", or `nil` when it is whole or is neither Ogg nor MP3.
  static func problem(descriptor: Int32) -> String? {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    let file = FileBytes(descriptor: descriptor, size: Int(status.st_size))
    guard let head = file.bytes(at: 0, 4) else { return nil }
    if head == Array("OggS".utf8) { return oggProblem(file) }
    return mpegProblem(file)
  }

  /// Whether the file open at `descriptor` is MPEG audio: an MPEG frame header at its
  /// start, after any ID3v2 tags.
  static func isMPEG(descriptor: Int32) -> Bool {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return false }
    let file = FileBytes(descriptor: descriptor, size: Int(status.st_size))
    let offset = id3v2End(file)
    guard let head = file.bytes(at: offset, 4) else { return false }
    return MPEGHeader(head) != nil
  }

  /// The offset past the ID3v2 tags at the start of a file (0 when there are none).
  static func id3v2End(_ file: FileBytes) -> Int {
    var offset = 0
    while let tag = file.bytes(at: offset, 10), tag[0..<3].elementsEqual("ID3".utf8) {
      let size = tag[6..<10].reduce(0) { ($0 << 7) | Int($1 & 0x7F) }
      offset += 10 + size + (tag[5] & 0x10 != 0 ? 10 : 0)
    }
    return offset
  }

  /// Reads ranges of a file by offset.
  struct FileBytes {
    let descriptor: Int32
    let size: Int

    /// `count` bytes at `offset`, or `nil` when fewer follow.
    func bytes(at offset: Int, _ count: Int) -> [UInt8]? {
      guard offset >= 0, count >= 0, offset + count <= size else { return nil }
      var buffer = [UInt8](repeating: 0, count: count)
      var done = 0
      while done < count {
        let got = buffer.withUnsafeMutableBytes {
          pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done))
        }
        if got < 0, errno == EINTR { continue }
        guard got > 0 else { return nil }
        done += got
      }
      return buffer
    }
  }

  // MARK: Ogg

  /// Walks the Ogg pages from the start: each must follow the last, be whole and pass
  /// its checksum, and the last must end its stream.
  static func oggProblem(_ file: FileBytes) -> String? {
    var offset = 0
    var lastFlags: UInt8 = 0
    var pages = 0
    while offset < file.size {
      guard let header = file.bytes(at: offset, 27) else {
        return "the file is truncated: it ends inside the header of Ogg page \(pages + 1), "
          + "at byte \(offset)"
      }
      guard header[0..<4].elementsEqual("OggS".utf8) else {
        return "the file is damaged: Ogg page \(pages + 1) should start at byte \(offset) "
          + "but other bytes are there"
      }
      let segmentCount = Int(header[26])
      guard let table = file.bytes(at: offset + 27, segmentCount) else {
        return "the file is truncated: it ends inside the header of Ogg page \(pages + 1), "
          + "at byte \(offset)"
      }
      let bodySize = table.reduce(0) { $0 + Int($1) }
      let pageSize = 27 + segmentCount + bodySize
      guard let body = file.bytes(at: offset + 27 + segmentCount, bodySize) else {
        return "the file is truncated: Ogg page \(pages + 1) declares \(pageSize) bytes but "
          + "only \(file.size - offset) follow"
      }
      var checksum: UInt32 = 0
      var zeroed = header
      zeroed.replaceSubrange(22..<26, with: [0, 0, 0, 0])
      checksum = OggChecksum.update(checksum, zeroed)
      checksum = OggChecksum.update(checksum, table)
      checksum = OggChecksum.update(checksum, body)
      let stored = header[22..<26].reversed().reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
      guard checksum == stored else {
        return "the file is damaged: Ogg page \(pages + 1) (at byte \(offset)) fails its "
          + "checksum"
      }
      lastFlags = header[5]
      pages += 1
      offset += pageSize
    }
    guard lastFlags & 0x04 != 0 else {
      return "the file is truncated: its last Ogg page (\(pages)) does not end the stream"
    }
    return nil
  }

  // MARK: MPEG audio

  /// Walks the MPEG audio frames from the first one: each header must follow the last
  /// frame, and the last frame must be whole. Tags (ID3v2 before, ID3v1 and APE after)
  /// are skipped; a free-format stream, whose frames carry no length, is not walked.
  static func mpegProblem(_ file: FileBytes) -> String? {
    // ID3v2 tags, possibly more than one.
    var offset = id3v2End(file)
    guard let first = file.bytes(at: offset, 4), let firstFrame = MPEGHeader(first) else {
      return nil
    }
    let end = file.size - trailingTagBytes(file)
    var frames = 0
    var current = firstFrame
    while true {
      guard let length = current.frameLength else { return nil }
      frames += 1
      let next = offset + length
      if next > end {
        // The last header declares more than is there: cut.
        return "the file is truncated: MPEG frame \(frames) (at byte \(offset)) declares "
          + "\(length) bytes but only \(end - offset) follow"
      }
      offset = next
      if offset == end { return nil }
      // Between frames, only zero padding may stand before the end.
      guard let header = file.bytes(at: offset, 4), let parsed = MPEGHeader(header),
        parsed.matches(firstFrame)
      else {
        if let rest = file.bytes(at: offset, min(end - offset, 4096)), rest.allSatisfy({ $0 == 0 }),
          end - offset <= 4096
        {
          return nil
        }
        if end - offset < 4 {
          return "the file is truncated: it ends inside the header of MPEG frame "
            + "\(frames + 1), at byte \(offset)"
        }
        return "the file is damaged: MPEG frame \(frames + 1) should start at byte \(offset) "
          + "but other bytes are there"
      }
      current = parsed
    }
  }

  /// The bytes of the ID3v1, Lyrics3 and APE tags at the end of an MPEG file.
  static func trailingTagBytes(_ file: FileBytes) -> Int {
    var trailing = 0
    for _ in 0..<3 {
      let end = file.size - trailing
      if let tag = file.bytes(at: end - 128, 3), tag.elementsEqual("TAG".utf8) {
        trailing += 128
        continue
      }
      if let footer = file.bytes(at: end - 32, 32), footer[0..<8].elementsEqual("APETAGEX".utf8) {
        let size = footer[12..<16].reversed().reduce(0) { ($0 << 8) | Int($1) }
        let hasHeader = footer[23] & 0x80 != 0
        trailing += size + (hasHeader ? 32 : 0)
        continue
      }
      if let marker = file.bytes(at: end - 9, 9), marker.elementsEqual("LYRICS200".utf8),
        let sizeText = file.bytes(at: end - 15, 6),
        let size = Int(String(decoding: sizeText, as: UTF8.self))
      {
        trailing += size + 15
        continue
      }
      break
    }
    return min(trailing, file.size)
  }

  /// The fields of an MPEG audio frame header that give the frame's length.
  struct MPEGHeader {
    /// 1 (MPEG-1), 2 (MPEG-2) or 25 (MPEG-2.5).
    let version: Int
    /// 1, 2 or 3.
    let layer: Int
    /// Kilobits per second; 0 for a free-format stream.
    let bitrate: Int
    let sampleRate: Int
    let padding: Bool

    /// Parses four bytes; `nil` when they are not a valid header.
    init?(_ bytes: [UInt8]) {
      guard bytes.count == 4, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0 else { return nil }
      let versionBits = Int(bytes[1] >> 3) & 3
      let layerBits = Int(bytes[1] >> 1) & 3
      let bitrateIndex = Int(bytes[2] >> 4)
      let rateIndex = Int(bytes[2] >> 2) & 3
      guard versionBits != 1, layerBits != 0, bitrateIndex != 15, rateIndex != 3 else {
        return nil
      }
      version = versionBits == 3 ? 1 : versionBits == 2 ? 2 : 25
      layer = 4 - layerBits
      let rates = [44100, 48000, 32000]
      sampleRate = rates[rateIndex] / (version == 1 ? 1 : version == 2 ? 2 : 4)
      padding = bytes[2] & 0x02 != 0
      let table: [Int]
      switch (version == 1, layer) {
      case (true, 1):
        table = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
      case (true, 2): table = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
      case (true, _): table = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
      case (false, 1): table = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
      case (false, _): table = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
      }
      bitrate = table[bitrateIndex]
    }

    /// The frame's length in bytes, header included; `nil` for free format.
    var frameLength: Int? {
      guard bitrate > 0 else { return nil }
      let pad = padding ? 1 : 0
      switch layer {
      case 1: return (12 * bitrate * 1000 / sampleRate + pad) * 4
      case 3 where version != 1: return 72 * bitrate * 1000 / sampleRate + pad
      default: return 144 * bitrate * 1000 / sampleRate + pad
      }
    }

    /// Whether a later frame belongs to the same stream (version, layer and rate stay).
    func matches(_ other: MPEGHeader) -> Bool {
      version == other.version && layer == other.layer && sampleRate == other.sampleRate
    }
  }
}

/// The CRC-32 of Ogg pages: polynomial 0x04C11DB7, most significant bit first, no
/// reflection, starting at 0.
enum OggChecksum {
  static let table: [UInt32] = (0..<256).map { index in
    var value = UInt32(index) << 24
    for _ in 0..<8 {
      value = value & 0x8000_0000 != 0 ? (value << 1) ^ 0x04C1_1DB7 : value << 1
    }
    return value
  }

  /// `checksum` continued over `bytes`.
  static func update(_ checksum: UInt32, _ bytes: [UInt8]) -> UInt32 {
    var value = checksum
    table.withUnsafeBufferPointer { table in
      for byte in bytes {
        value = (value << 8) ^ table[Int((value >> 24) ^ UInt32(byte))]
      }
    }
    return value
  }
}
