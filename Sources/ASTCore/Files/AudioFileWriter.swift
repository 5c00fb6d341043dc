import CSndFile

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes an audio file through libsndfile, atomically.
///
/// Frames go to a temporary file beside the destination; ``finish()`` flushes it to
/// disk and renames it into place. Until then the destination is untouched, so a
/// failed or cancelled write never leaves a broken file and never destroys an
/// existing one. A writer that is neither finished nor cancelled removes its
/// temporary file when it is released. Clipping is on for integer formats.
///
/// Two destinations are streams instead, written front to back as WAV (16-bit or
/// float) with no temporary file: the path `-` (standard output) and an existing path
/// that is not a regular file (a pipe, or a device such as `/dev/null`).
public final class AudioFileWriter {
  /// The destination path.
  public let path: String
  /// How errors name the file: the path as the user gave it.
  public let displayPath: String
  /// The container format.
  public let format: AudioFileFormat
  /// The encoding stored in the file.
  public let encoding: SampleEncoding
  /// Frames per second.
  public let sampleRate: Int
  /// Samples per frame.
  public let channelCount: Int
  /// Where the finished file is renamed to: the path, or the file a link there names.
  private let destination: String
  /// The temporary file renamed into place at the end (none for a stream).
  private let temporary: TemporaryFile?
  private var descriptor: Int32
  private var handle: OpaquePointer?
  private var stream: WAVStream?
  private var framesWritten = 0
  /// Bytes written since the disk was last asked to start writing them.
  private var unflushed = 0

  /// The reason a path without a known extension gives.
  public static let unknownExtension =
    "unknown file extension; use .wav, .flac, .ogg, .mp3 or .aiff"

  /// Whether `path` names a stream: `-` for standard output, or an existing thing that
  /// is neither a regular file nor a directory.
  public static func isStream(_ path: String) -> Bool {
    if path == "-" { return true }
    var status = stat()
    guard stat(path, &status) == 0 else { return false }
    let type = status.st_mode & S_IFMT
    return type != S_IFREG && type != S_IFDIR
  }

  /// The format a write to `path` takes when none is named: from the extension, or WAV
  /// for a stream without one; `nil` when neither tells.
  public static func defaultFormat(for path: String) -> AudioFileFormat? {
    AudioFileFormat(path: path) ?? (isStream(path) ? .wav : nil)
  }

  /// Whether the writer writes a stream front to back (see ``isStream(_:)``) rather than a
  /// temporary file renamed into place.
  public var writesStream: Bool { stream != nil }

  /// Opens a temporary file beside `path` for writing, or the stream `path` names.
  ///
  /// - Parameters:
  ///   - displayPath: how errors name the file (the path as the user gave it, where
  ///     `path` is resolved); `path` when `nil`.
  ///   - format: the container; `nil` takes it from the path's extension (WAV for a
  ///     stream without one).
  ///   - encoding: the encoding asked for; the format may store another (see
  ///     ``AudioFileFormat/storedEncoding(for:)``), which ``encoding`` then reports.
  ///   - settings: the MP3 bitrate, Vorbis quality or FLAC compression level; each must
  ///     fit the format (see ``EncoderSettings/problem(for:sampleRate:)``).
  ///   - expectedFrames: how many frames will be written, when known. A WAV file holds
  ///     at most 4 GiB of samples: one expected to hold more is written as RF64 (WAV
  ///     with 64-bit sizes, which libsndfile, SoX and FFmpeg read). Any other WAV, and
  ///     an AIFF file, refuse with an error the write that would pass their limit,
  ///     rather than wrap the sizes in the header.
  /// - Throws: ``AudioFileError`` when the format is unknown or cannot store the
  ///   rate and channels, a setting does not fit it, or the directory is missing or not
  ///   writable.
  public convenience init(
    path: String, displayPath: String? = nil, format: AudioFileFormat? = nil,
    encoding: SampleEncoding, sampleRate: Int, channelCount: Int,
    settings: EncoderSettings = EncoderSettings(), expectedFrames: Int? = nil
  ) throws {
    try self.init(
      path: path, displayPath: displayPath, format: format, encoding: encoding,
      sampleRate: sampleRate, channelCount: channelCount, settings: settings,
      expectedFrames: expectedFrames, sizeLimit: Self.wavDataLimit)
  }

  /// Opens the file as ``init(path:displayPath:format:encoding:sampleRate:channelCount:settings:expectedFrames:)``
  /// does, with `sizeLimit` in place of the 4 GiB that a 32-bit size field holds (for
  /// tests of what happens at the limit).
  package init(
    path: String, displayPath: String?, format: AudioFileFormat?, encoding: SampleEncoding,
    sampleRate: Int, channelCount: Int, settings: EncoderSettings, expectedFrames: Int?,
    sizeLimit: Int
  ) throws {
    let shown = displayPath ?? path
    let isStream = Self.isStream(path)
    guard let resolved = format ?? Self.defaultFormat(for: path) else {
      throw AudioFileError(
        .unsupportedFormat, .write, path: shown,
        reason: Self.unknownExtension + ", or name a format")
    }
    guard sampleRate > 0, channelCount > 0 else {
      throw AudioFileError(
        .unsupportedFormat, .write, path: shown,
        reason: "cannot write \(channelCount) channels at \(sampleRate) Hz")
    }
    if let problem = settings.problem(for: resolved, sampleRate: sampleRate) {
      throw AudioFileError(.unsupportedFormat, .write, path: shown, reason: problem.description)
    }
    self.path = path
    self.displayPath = shown
    self.format = resolved
    self.encoding = resolved.storedEncoding(for: encoding)
    self.sampleRate = sampleRate
    self.channelCount = channelCount
    if isStream {
      guard resolved == .wav, WAVStream.supports(self.encoding) else {
        throw AudioFileError(
          .unsupportedFormat, .write, path: shown,
          reason: "a stream (standard output, a pipe, a device) takes 16-bit or float WAV")
      }
      destination = path
      temporary = nil
      descriptor = -1
      // Opened without waiting: a named pipe that nobody reads is an error now, not a
      // wait that Ctrl-C cannot end. Writes then block as usual.
      let target = path == "-" ? STDOUT_FILENO : open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK)
      guard target >= 0 else {
        let code = errno
        throw AudioFileError(
          code == EACCES || code == EPERM ? .permissionDenied : .writeFailed, .write, path: shown,
          reason: code == ENXIO ? "no program reads the pipe" : AudioFileReader.systemMessage(code))
      }
      if path != "-" { _ = fcntl(target, F_SETFL, fcntl(target, F_GETFL) & ~O_NONBLOCK) }
      stream = try WAVStream(
        descriptor: target, path: shown, closesDescriptor: path != "-", encoding: self.encoding,
        sampleRate: sampleRate, channelCount: channelCount)
      return
    }
    try Self.checkDestination(path, displayPath: shown)
    // Writing through a symbolic link replaces the file it points to, not the link.
    let destination = Self.resolvingSymbolicLink(path)
    self.destination = destination

    var sfInfo = SF_INFO()
    sfInfo.samplerate = Int32(clamping: sampleRate)
    sfInfo.channels = Int32(clamping: channelCount)
    sfInfo.format = resolved.libsndfileFormat(for: encoding)
    let frameBytes = channelCount * self.encoding.sampleWidth
    let large =
      resolved == .wav
      && (expectedFrames.map { $0 > (sizeLimit - Self.wavHeaderRoom) / frameBytes } ?? false)
    if large {
      sfInfo.format = (sfInfo.format & ~Int32(SF_FORMAT_TYPEMASK)) | Int32(SF_FORMAT_RF64)
    } else if resolved == .wav || resolved == .aiff {
      // The sizes in a plain WAV or AIFF header are 32-bit.
      dataLimitFrames = (sizeLimit - Self.wavHeaderRoom) / frameBytes
    }
    guard sf_format_check(&sfInfo) != 0 else {
      throw AudioFileError(
        .unsupportedFormat, .write, path: shown,
        reason: "\(resolved.rawValue) cannot store \(channelCount) channels of "
          + "\(self.encoding.rawValue) at \(sampleRate) Hz")
    }

    let temporary = try TemporaryFile(beside: destination, for: shown)
    let opened = temporary.descriptor
    self.temporary = temporary
    self.descriptor = opened
    temporary.keepPermissions(of: destination)
    guard let sndfile = sf_open_fd(opened, Int32(SFM_WRITE), &sfInfo, 0) else {
      let reason = AudioFileReader.describeLibsndfileError(nil)
      _ = close(opened)
      temporary.discard()
      throw AudioFileError(.writeFailed, .write, path: shown, reason: reason)
    }
    self.handle = sndfile
    if !self.encoding.isFloat {
      ast_sf_set_clipping(sndfile, 1)
    }
    guard Self.apply(settings, to: sndfile, format: resolved, sampleRate: sampleRate) else {
      cancel()
      throw AudioFileError(
        .writeFailed, .write, path: shown,
        reason: "libsndfile refused the \(resolved.displayName) encoder settings")
    }
  }

  /// Sets the encoder of a newly opened file: MP3 at a constant bitrate, the Vorbis
  /// quality, the FLAC compression level. Returns whether libsndfile took them.
  private static func apply(
    _ settings: EncoderSettings, to handle: OpaquePointer, format: AudioFileFormat,
    sampleRate: Int
  ) -> Bool {
    guard let level = settings.libsndfileLevel(for: format, sampleRate: sampleRate) else {
      return true
    }
    // The mode first: libsndfile maps the level onto bitrates when the mode is constant.
    // Setting the mode answers false while no level is set yet, so its answer is not used.
    if format == .mp3 { _ = ast_sf_set_constant_bitrate(handle) }
    return ast_sf_set_compression_level(handle, level) != 0
  }

  deinit {
    cancel()
  }

  /// The frames written so far.
  public var frameCount: Int { framesWritten }

  /// The size of the file charged to the ``OutputBudget`` so far.
  private var charged = 0
  /// The most frames a file with 32-bit sizes may hold, for a plain WAV or AIFF.
  private var dataLimitFrames: Int?
  /// The largest size a 32-bit RIFF or AIFF size field holds.
  static let wavDataLimit = 0xFFFF_FFFF
  /// What the header and the other chunks may take of it.
  static let wavHeaderRoom = 1 << 12

  /// Appends interleaved Int16 frames.
  public func write(_ samples: UnsafeBufferPointer<Int16>) throws {
    if let stream {
      try OutputBudget.shared.charge(samples.count * 2, writing: displayPath)
      try stream.write(samples)
      framesWritten += samples.count / channelCount
      return
    }
    try write(samples.count) { handle, frames in
      sf_writef_short(handle, samples.baseAddress, frames)
    }
  }

  /// Appends interleaved left-justified Int32 frames.
  public func write(_ samples: UnsafeBufferPointer<Int32>) throws {
    try write(samples.count) { handle, frames in
      sf_writef_int(handle, samples.baseAddress, frames)
    }
  }

  /// Appends interleaved Float frames (full scale 1.0).
  public func write(_ samples: UnsafeBufferPointer<Float>) throws {
    if let stream {
      try OutputBudget.shared.charge(
        samples.count * encoding.sampleWidth, writing: displayPath)
      try stream.write(samples)
      framesWritten += samples.count / channelCount
      return
    }
    try write(samples.count) { handle, frames in
      sf_writef_float(handle, samples.baseAddress, frames)
    }
  }

  /// Appends interleaved Double frames (full scale 1.0).
  public func write(_ samples: UnsafeBufferPointer<Double>) throws {
    try write(samples.count) { handle, frames in
      sf_writef_double(handle, samples.baseAddress, frames)
    }
  }

  private func write(
    _ sampleCount: Int, _ body: (OpaquePointer, sf_count_t) -> sf_count_t
  ) throws {
    guard let handle else {
      throw AudioFileError(.writeFailed, .write, path: displayPath, reason: "the writer is closed")
    }
    guard sampleCount % channelCount == 0 else {
      throw AudioFileError(
        .writeFailed, .write, path: displayPath,
        reason: "\(sampleCount) samples do not make whole frames of \(channelCount) channels")
    }
    let frames = sampleCount / channelCount
    guard frames > 0 else { return }
    if let limit = dataLimitFrames, framesWritten + frames > limit {
      let reason =
        "a \(format.displayName) file holds at most 4 GiB of samples (\(limit) frames here); "
        + "write FLAC, or a WAV whose length is known before it is written"
      cancel()
      throw AudioFileError(.writeFailed, .write, path: displayPath, reason: reason)
    }
    let written = body(handle, sf_count_t(frames))
    guard written == frames, sf_error(handle) == 0 else {
      let reason = Self.writeFailureReason(handle)
      cancel()
      throw AudioFileError(.writeFailed, .write, path: displayPath, reason: reason)
    }
    framesWritten += frames
    startWriteback(frames * channelCount * encoding.sampleWidth)
    // What the file grew by (an encoder's output, not the samples given to it).
    var facts = stat()
    if OutputBudget.shared.isLimited, fstat(descriptor, &facts) == 0 {
      let size = Int(facts.st_size)
      defer { charged = max(charged, size) }
      do {
        try OutputBudget.shared.charge(size - charged, writing: displayPath)
      } catch {
        cancel()
        throw error
      }
    }
  }

  /// Asks the kernel to start writing the file to disk every 8 MB, without waiting, so
  /// that the flush in ``finish()`` has little left to do.
  private func startWriteback(_ bytes: Int) {
    unflushed += bytes
    guard unflushed >= 8 << 20, descriptor >= 0 else { return }
    unflushed = 0
    _ = ast_start_writeback(descriptor)
  }

  /// Completes the file and renames it into place over any file at the destination.
  ///
  /// - Throws: ``AudioFileError`` when closing, flushing or renaming fails; the
  ///   destination is then as it was before.
  public func finish() throws {
    if let stream {
      self.stream = nil
      try stream.finish()
      return
    }
    guard let sndfile = handle else {
      throw AudioFileError(.writeFailed, .write, path: displayPath, reason: "the writer is closed")
    }
    handle = nil
    let closeStatus = sf_close(sndfile)
    var reason: String?
    if closeStatus != 0 {
      reason = AudioFileReader.describeLibsndfileError(nil)
    } else if fsync(descriptor) != 0 {
      reason = AudioFileReader.systemMessage(errno)
    }
    let closed = close(descriptor)
    descriptor = -1
    if reason == nil, closed != 0 {
      reason = AudioFileReader.systemMessage(errno)
    }
    if reason == nil, let temporary, temporary.commit() != 0 {
      reason = AudioFileReader.systemMessage(errno)
    }
    if let reason {
      temporary?.discard()
      throw AudioFileError(.writeFailed, .write, path: displayPath, reason: reason)
    }
  }

  /// Abandons the write: the temporary file is removed and the destination untouched.
  public func cancel() {
    stream = nil
    if let handle { sf_close(handle) }
    handle = nil
    if descriptor >= 0 {
      _ = close(descriptor)
      temporary?.discard()
      descriptor = -1
    }
  }

  private static func writeFailureReason(_ handle: OpaquePointer) -> String {
    let code = errno
    if code == ENOSPC || code == EFBIG || code == EDQUOT || code == EIO {
      return AudioFileReader.systemMessage(code)
    }
    return AudioFileReader.describeLibsndfileError(handle)
  }

  /// Refuses a destination that is a directory or whose directory is missing, naming
  /// it `displayPath` (`path` when `nil`) and its directory as that names it.
  public static func checkDestination(_ path: String, displayPath: String? = nil) throws {
    let shown = displayPath ?? path
    var status = stat()
    if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
      throw AudioFileError(.notAFile, .write, path: shown, reason: "it is a directory")
    }
    let directory = directoryName(of: path)
    let shownDirectory = directoryName(of: shown)
    guard stat(directory, &status) == 0 else {
      throw AudioFileError(
        .notFound, .write, path: shown, reason: "the directory '\(shownDirectory)' does not exist")
    }
    guard status.st_mode & S_IFMT == S_IFDIR else {
      throw AudioFileError(
        .notFound, .write, path: shown, reason: "'\(shownDirectory)' is not a directory")
    }
  }

  static func directoryName(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let directory = String(path[..<slash])
    return directory.isEmpty ? "/" : directory
  }

  /// Whether two paths name the same existing file, or are the same text.
  static func isSameFile(_ a: String, _ b: String) -> Bool {
    if a == b { return true }
    var first = stat()
    var second = stat()
    guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
  }

  /// The file a symbolic link at `path` points to, or `path` itself.
  static func resolvingSymbolicLink(_ path: String) -> String {
    var status = stat()
    guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK,
      let resolved = realpath(path, nil)
    else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
