extension AudioSegment {
  /// Frames moved per libsndfile call when loading and exporting: 256 Ki samples in all.
  static func fileBlockFrames(channelCount: Int) -> Int {
    max(1, 262_144 / max(1, channelCount))
  }

  /// Loads a whole audio file (WAV, FLAC, Ogg Vorbis, MP3, AIFF and whatever else
  /// libsndfile reads); the format is detected from the contents.
  ///
  /// The segment keeps the file's encoding where it is PCM (8, 16, 24 or 32-bit
  /// integers, 32 or 64-bit floats); compressed lossy files load as 32-bit floats.
  ///
  /// - Throws: ``AudioFileError`` naming the file when it is missing, not a regular
  ///   file, or not audio libsndfile can decode.
  public init(contentsOfFile path: String) throws {
    let reader = try AudioFileReader(path: path)
    defer { reader.close() }
    let info = reader.info
    let channels = info.channelCount
    let block = Self.fileBlockFrames(channelCount: channels)
    var bytes: [UInt8] = []
    // The header's frame count may be wrong (or hostile): reserve at most 64 MiB up
    // front and let the array grow with what is really read.
    let declared = min(info.frameCount, 1 << 26) * channels * info.encoding.sampleWidth
    bytes.reserveCapacity(min(declared, 1 << 26))

    func readAll<Sample>(
      _ type: Sample.Type, _ read: (UnsafeMutablePointer<Sample>, Int) throws -> Int,
      _ append: (UnsafeBufferPointer<Sample>, inout [UInt8]) -> Void
    ) throws {
      let buffer = UnsafeMutablePointer<Sample>.allocate(capacity: block * channels)
      defer { buffer.deallocate() }
      while true {
        let frames = try read(buffer, block)
        if frames <= 0 { break }
        append(UnsafeBufferPointer(start: buffer, count: frames * channels), &bytes)
      }
    }

    switch info.encoding {
    case .int8:
      try readAll(Int16.self, reader.read) { samples, bytes in
        for sample in samples { bytes.append(UInt8(truncatingIfNeeded: sample >> 8)) }
      }
    case .int16:
      try readAll(Int16.self, reader.read) { samples, bytes in
        for sample in samples {
          bytes.append(UInt8(truncatingIfNeeded: sample))
          bytes.append(UInt8(truncatingIfNeeded: sample >> 8))
        }
      }
    case .int24:
      try readAll(Int32.self, reader.read) { samples, bytes in
        for sample in samples {
          bytes.append(UInt8(truncatingIfNeeded: sample >> 8))
          bytes.append(UInt8(truncatingIfNeeded: sample >> 16))
          bytes.append(UInt8(truncatingIfNeeded: sample >> 24))
        }
      }
    case .int32:
      try readAll(Int32.self, reader.read) { samples, bytes in
        for sample in samples { withUnsafeBytes(of: sample.littleEndian) { bytes += $0 } }
      }
    case .float32:
      try readAll(Float.self, reader.read) { samples, bytes in
        for sample in samples {
          withUnsafeBytes(of: sample.bitPattern.littleEndian) { bytes += $0 }
        }
      }
    case .float64:
      try readAll(Double.self, reader.read) { samples, bytes in
        for sample in samples {
          withUnsafeBytes(of: sample.bitPattern.littleEndian) { bytes += $0 }
        }
      }
    }
    self.init(
      unchecked: bytes, encoding: info.encoding, sampleRate: info.sampleRate,
      channelCount: channels)
  }

  /// Writes the segment to an audio file, atomically.
  ///
  /// The format comes from the path's extension unless `format` names one; the
  /// encoding is the segment's unless `encoding` names one, and the format may store
  /// another (FLAC stores at most 24-bit integers; Vorbis and MP3 are written from
  /// floats). Samples are converted with the segment's rules (clip, truncate toward
  /// zero) before writing, so integer files hold exactly the converted values. The
  /// file is written beside the destination and renamed into place: a failed export
  /// leaves any existing file intact. `settings` choose the MP3 bitrate, the Vorbis
  /// quality or the FLAC compression level.
  ///
  /// - Throws: ``AudioFileError`` naming the file.
  public func export(
    to path: String, format: AudioFileFormat? = nil, encoding: SampleEncoding? = nil,
    settings: EncoderSettings = EncoderSettings()
  ) throws {
    let requested = encoding ?? self.encoding
    let writer = try AudioFileWriter(
      path: path, format: format, encoding: requested, sampleRate: sampleRate,
      channelCount: channelCount, settings: settings, expectedFrames: frameCount)
    let stored = converted(to: writer.encoding)
    let channels = channelCount
    let block = Self.fileBlockFrames(channelCount: channels) * channels
    let width = stored.encoding.sampleWidth

    func writeAll<Sample>(
      _ load: (UnsafeRawPointer, Int) -> Sample,
      _ write: (UnsafeBufferPointer<Sample>) throws -> Void
    ) throws {
      let buffer = UnsafeMutablePointer<Sample>.allocate(capacity: block)
      defer { buffer.deallocate() }
      try stored.data.withUnsafeBytes { bytes in
        guard let raw = bytes.baseAddress else { return }
        let total = bytes.count / width
        var start = 0
        while start < total {
          let count = min(block, total - start)
          for index in 0..<count { buffer[index] = load(raw, start + index) }
          try write(UnsafeBufferPointer(start: buffer, count: count))
          start += count
        }
      }
    }

    do {
      switch stored.encoding {
      case .int8: try writeAll({ Int16(SampleCodec.int8($0, $1)) << 8 }, writer.write)
      case .int16: try writeAll(SampleCodec.int16, writer.write)
      case .int24: try writeAll(SampleCodec.int24, writer.write)
      case .int32: try writeAll(SampleCodec.int32, writer.write)
      case .float32: try writeAll(SampleCodec.float, writer.write)
      case .float64: try writeAll(SampleCodec.double, writer.write)
      }
      try writer.finish()
    } catch {
      writer.cancel()
      throw error
    }
  }
}
