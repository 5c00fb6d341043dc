import CSndFile

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Closes a descriptor (the readers' own `close()` hides the system's).
func closeDescriptor(_ descriptor: Int32) {
  close(descriptor)
}

/// What an audio file's header says about it.
public struct AudioFileInfo: Sendable, Equatable {
  /// The number of frames the header declares (an estimate for MP3).
  public var frameCount: Int
  /// Frames per second.
  public var sampleRate: Int
  /// Samples per frame.
  public var channelCount: Int
  /// The container format, or `nil` for one libsndfile reads but the project does not name.
  public var format: AudioFileFormat?
  /// The encoding that holds the file's samples without loss.
  public var encoding: SampleEncoding

  /// The declared length in seconds.
  public var durationSeconds: Double {
    sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0
  }
}

/// Reads frames from an audio file through libsndfile, block by block.
///
/// The container format is detected from the contents, not the name. Reads return
/// interleaved samples in the type asked for; integer types are left-justified
/// (a 24-bit sample read as `Int32` is shifted up by 8 bits), floats are normalised
/// to full scale 1.0. A reader is owned by one task at a time.
public final class AudioFileReader {
  /// The path the reader was opened with.
  public let path: String
  /// What the file's header says.
  public let info: AudioFileInfo
  /// Whether the header declares no length, only the placeholder that a writer which
  /// could not seek leaves (a WAV written to a pipe): the file is read to its end.
  public let declaresPlaceholderLength: Bool
  private var handle: OpaquePointer?
  /// The decoder of an MPEG audio file, which libsndfile does not read.
  private var mpeg: MPEGDecoder?
  /// Whether a lossy decoder makes the samples, whose level is then checked.
  private let isLossy: Bool
  /// Frames read so far, for the time of a damaged sample.
  private var framesRead = 0
  /// Decoded floats on their way to another sample type.
  private var decodeScratch: [Float] = []

  /// Opens `path` for reading.
  ///
  /// - Throws: ``AudioFileError`` naming the file when it is missing, not a regular
  ///   file, unreadable, or not audio that libsndfile can decode.
  public init(path: String) throws {
    try Self.checkReadable(path)
    // Confined: opened beneath the sandbox's folder by the kernel, whatever was swapped
    // for a link since the script was checked.
    let descriptor =
      Confinement.directory != nil
      ? Confinement.open(path, O_RDONLY | O_CLOEXEC) : open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let code = errno
      throw AudioFileError(
        .unreadable, .read, path: path,
        reason: code == EXDEV ? Confinement.leadsOut : Self.systemMessage(code))
    }
    self.path = path
    if EncodedStream.isMPEG(descriptor: descriptor) {
      if let problem = EncodedStream.problem(descriptor: descriptor) {
        closeDescriptor(descriptor)
        throw AudioFileError(.unreadable, .read, path: path, reason: problem)
      }
      let decoder: MPEGDecoder
      do {
        decoder = try MPEGDecoder(descriptor: descriptor)
      } catch {
        throw AudioFileError(.unreadable, .read, path: path, reason: error.reason)
      }
      self.mpeg = decoder
      self.isLossy = true
      self.declaresPlaceholderLength = false
      self.info = AudioFileInfo(
        frameCount: decoder.frameCount, sampleRate: decoder.sampleRate,
        channelCount: decoder.channelCount, format: .mp3, encoding: .float32)
      return
    }
    var sfInfo = SF_INFO()
    guard let opened = sf_open_fd(descriptor, Int32(SFM_READ), &sfInfo, 1) else {
      var reason = Self.describeLibsndfileError(nil)
      // libsndfile's words for a header that declares no sample rate.
      if reason.contains("SF_INFO struct incomplete") {
        reason = "the header's sample rate is 0 Hz, or more than libsndfile reads (2^31 Hz)"
      }
      throw AudioFileError(.unreadable, .read, path: path, reason: reason)
    }
    guard sfInfo.channels > 0, sfInfo.samplerate > 0 else {
      sf_close(opened)
      throw AudioFileError(
        .unreadable, .read, path: path,
        reason: "the header declares \(sfInfo.channels) channels at \(sfInfo.samplerate) Hz")
    }
    if let (declared, present) = DeclaredLength.dataBytes(of: path), declared > present {
      sf_close(opened)
      throw AudioFileError(
        .unreadable, .read, path: path,
        reason: "the file is truncated or damaged: its header declares \(declared) bytes of "
          + "samples but only \(present) follow")
    }
    let format = AudioFileFormat(libsndfileFormat: sfInfo.format)
    let isLossy = format?.isLossy ?? false
    // Walked through the descriptor libsndfile reads, by offset (`pread`), which leaves
    // its position alone.
    if isLossy, let problem = EncodedStream.problem(descriptor: descriptor) {
      sf_close(opened)
      throw AudioFileError(.unreadable, .read, path: path, reason: problem)
    }
    self.handle = opened
    self.isLossy = isLossy
    if case .placeholder? = DeclaredLength.dataSize(of: path) {
      declaresPlaceholderLength = true
    } else {
      declaresPlaceholderLength = false
    }
    self.info = AudioFileInfo(
      frameCount: Int(max(sfInfo.frames, 0)), sampleRate: Int(sfInfo.samplerate),
      channelCount: Int(sfInfo.channels), format: format,
      encoding: SampleEncoding(libsndfileFormat: sfInfo.format))
  }

  deinit {
    if let handle { sf_close(handle) }
  }

  /// Closes the file; reads after this return no frames.
  public func close() {
    if let handle { sf_close(handle) }
    handle = nil
    mpeg?.close()
    mpeg = nil
  }

  /// Reads up to `frames` frames of Int16 samples; returns the frames read (0 at the end).
  public func read(into buffer: UnsafeMutablePointer<Int16>, frames: Int) throws -> Int {
    if mpeg != nil {
      // As libsndfile converts floats: scaled by 32767 and clipped.
      return try readDecoded(into: buffer, frames: frames) {
        Int16((max(-1, min(1, $0)) * 32767).rounded())
      }
    }
    return try check(handle.map { sf_readf_short($0, buffer, sf_count_t(frames)) })
  }

  /// Reads up to `frames` frames of left-justified Int32 samples; returns the frames read.
  public func read(into buffer: UnsafeMutablePointer<Int32>, frames: Int) throws -> Int {
    if mpeg != nil {
      return try readDecoded(into: buffer, frames: frames) {
        Int32((Double(max(-1, min(1, $0))) * 2_147_483_647).rounded())
      }
    }
    return try check(handle.map { sf_readf_int($0, buffer, sf_count_t(frames)) })
  }

  /// Reads up to `frames` frames of Float samples; returns the frames read.
  public func read(into buffer: UnsafeMutablePointer<Float>, frames: Int) throws -> Int {
    if let mpeg {
      let count: Int
      do {
        count = try mpeg.read(into: buffer, frames: frames)
      } catch {
        throw AudioFileError(.unreadable, .read, path: path, reason: error.reason)
      }
      try checkLevel(buffer, count)
      return count
    }
    let count = try check(handle.map { sf_readf_float($0, buffer, sf_count_t(frames)) })
    if isLossy { try checkLevel(buffer, count) }
    return count
  }

  /// Reads up to `frames` frames of Double samples; returns the frames read.
  public func read(into buffer: UnsafeMutablePointer<Double>, frames: Int) throws -> Int {
    if mpeg != nil {
      return try readDecoded(into: buffer, frames: frames) { Double($0) }
    }
    let count = try check(handle.map { sf_readf_double($0, buffer, sf_count_t(frames)) })
    if isLossy { try checkLevel(buffer, count) }
    return count
  }

  /// Decodes MPEG frames as floats and converts each sample into `buffer`.
  private func readDecoded<Sample>(
    into buffer: UnsafeMutablePointer<Sample>, frames: Int, _ convert: (Float) -> Sample
  ) throws -> Int {
    let samples = frames * info.channelCount
    if decodeScratch.count < samples { decodeScratch = [Float](repeating: 0, count: samples) }
    return try decodeScratch.withUnsafeMutableBufferPointer { scratch in
      let count = try read(into: scratch.baseAddress!, frames: frames)
      for index in 0..<(count * info.channelCount) { buffer[index] = convert(scratch[index]) }
      return count
    }
  }

  /// The level past which a lossy decoder's sample shows a damaged frame: +24 dBFS.
  /// An encoder's overshoot stays within a few decibels of full scale; damaged scale
  /// factors decode at tens of decibels above it.
  static let damagedLevel = 16.0

  /// Throws when a decoded sample is not finite or is past ``damagedLevel``.
  private func checkLevel<Sample: BinaryFloatingPoint>(
    _ buffer: UnsafeMutablePointer<Sample>, _ frames: Int
  ) throws {
    let channels = info.channelCount
    let limit = Sample(Self.damagedLevel)
    for index in 0..<(frames * channels) {
      let sample = buffer[index]
      guard sample.isFinite, abs(sample) <= limit else {
        let level = sample.isFinite ? 20 * log10(Double(abs(sample))) : .infinity
        let seconds = Double(framesRead + index / channels) / Double(max(info.sampleRate, 1))
        let shown = level.isFinite ? "+\(Int(level.rounded())) dBFS" : "not a number"
        throw AudioFileError(
          .unreadable, .read, path: path,
          reason: "the file is damaged: the decoder gives a sample of \(shown) at "
            + "\(NumberText.seconds(seconds)) s")
      }
    }
    framesRead += frames
  }

  private func check(_ count: sf_count_t?) throws -> Int {
    guard let handle, let count else { return 0 }
    if count < 0 || sf_error(handle) != 0 {
      throw AudioFileError(
        .unreadable, .read, path: path, reason: Self.describeLibsndfileError(handle))
    }
    return Int(count)
  }

  /// libsndfile's message for the last error, lower-cased at its start.
  static func describeLibsndfileError(_ handle: OpaquePointer?) -> String {
    guard let text = sf_strerror(handle) else { return "unknown libsndfile error" }
    var message = String(cString: text).trimmingTrailingPunctuation()
    for prefix in ["error : ", "Error : ", "error: "] where message.hasPrefix(prefix) {
      message.removeFirst(prefix.count)
    }
    // libsndfile says this when no decoder accepts the contents; the path was
    // checked to be a readable regular file before it was opened.
    if message.contains("does not exist or is not a regular file") {
      return "not audio in a format libsndfile reads (unknown format or corrupt data)"
    }
    return message.lowercasingItsStart()
  }

  /// Throws a clear error when `path` is missing, not a regular file or not readable.
  static func checkReadable(_ path: String) throws {
    var status = stat()
    guard stat(path, &status) == 0 else {
      let code = errno
      throw AudioFileError(
        code == ENOENT || code == ENOTDIR ? .notFound : .permissionDenied, .read, path: path,
        reason: code == ENOENT || code == ENOTDIR ? "no such file" : systemMessage(code))
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw AudioFileError(
        .notAFile, .read, path: path,
        reason: status.st_mode & S_IFMT == S_IFDIR ? "it is a directory" : "not a regular file")
    }
    guard access(path, R_OK) == 0 else {
      throw AudioFileError(.permissionDenied, .read, path: path, reason: systemMessage(errno))
    }
    guard status.st_size > 0 else {
      throw AudioFileError(.unreadable, .read, path: path, reason: "the file is empty")
    }
  }

  /// The system's message for an `errno` code, lower-case: `no space left on device`.
  public static func systemMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text).lowercased()
  }
}

extension String {
  /// The text with its first letter lower-case, unless the first word is an acronym
  /// (`MPEG`): how a library's message follows "cannot read 'PATH':".
  func lowercasingItsStart() -> String {
    guard let first, dropFirst().first?.isLowercase ?? true else { return self }
    return first.lowercased() + dropFirst()
  }

  func trimmingTrailingPunctuation() -> String {
    var result = self
    while let last = result.last, last == "." || last == " " || last == "\n" {
      result.removeLast()
    }
    return result
  }
}
