import CCleanup
import Foundation
import Synchronization

/// The folder every file of a sandboxed run is opened in, by construction.
///
/// Checking a path when the script is checked is not enough: a folder can be swapped
/// for a symbolic link while the run goes on. So while a confinement is set, the audio
/// readers and writers (and pictures) open what lies under its folder relative to a
/// handle on the folder, with the kernel refusing any resolution that leaves it
/// (`openat2` with `RESOLVE_BENEATH`), and create, rename and remove their temporary
/// files relative to a handle on their own folder, taken that way when they start.
public enum Confinement {
  private static let root = Mutex<(path: String, descriptor: Int32)?>(nil)

  /// Confines the process's file access under `directory` (its resolved path) from now
  /// on; `nil` lifts it.
  ///
  /// - Throws: ``AudioFileError`` when the folder cannot be opened.
  public static func confine(to directory: String?) throws {
    guard let directory else {
      root.withLock { current in
        if let current { close(current.descriptor) }
        current = nil
      }
      return
    }
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw AudioFileError(
        .unreadable, .read, path: directory, reason: AudioFileReader.systemMessage(errno))
    }
    root.withLock { current in
      if let current { close(current.descriptor) }
      current = (directory, descriptor)
    }
  }

  /// Why an open that left the folder (`EXDEV`) was refused, to follow "cannot read
  /// 'PATH':" or "cannot write 'PATH':".
  static let leadsOut = "it is outside the sandbox (a symbolic link leads out of it)"

  /// The confining folder, when there is one.
  public static var directory: String? { root.withLock { $0?.path } }

  /// Opens `path` with `flags`: beneath the confining folder when it lies there (a path
  /// outside it, or one that leads out through a link, fails with `EXDEV`), else as
  /// `open(2)` does. Returns the descriptor, or -1 with `errno` set.
  static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o666) -> Int32 {
    let beneath: (Int32, String)? = root.withLock { current in
      guard let current else { return nil }
      let prefix = current.path.hasSuffix("/") ? current.path : current.path + "/"
      if path == current.path { return (current.descriptor, ".") }
      guard path.hasPrefix(prefix) else { return (-1, "") }
      return (current.descriptor, String(path.dropFirst(prefix.count)))
    }
    guard let (descriptor, relative) = beneath else {
      return Foundation.open(path, flags, mode)
    }
    guard descriptor >= 0 else {
      errno = EXDEV
      return -1
    }
    return ast_open_beneath(descriptor, relative, flags, UInt32(mode))
  }
}

/// A temporary file beside a destination, made, renamed into place and removed
/// relative to a handle on the destination's folder, taken when it is made: a folder
/// swapped for a link afterwards changes nothing. Registered with ``TemporaryFiles``
/// until it is renamed or removed, so a terminating signal removes it.
public final class TemporaryFile {
  /// The handle on the destination's folder.
  private let folder: Int32
  /// The temporary file's name in the folder, and its whole path.
  private let name: String
  /// The whole path, for the signal handler and for messages.
  public let path: String
  /// The destination's name in the folder.
  private let destinationName: String
  /// The open file, for writing.
  public let descriptor: Int32
  private var settled = false

  /// Creates `.NAME.tmp-XXXXXX` beside `destination`, with `NAME` shortened so that
  /// long names still fit.
  ///
  /// - Throws: ``AudioFileError`` naming `shown` when the file cannot be created, and
  ///   the folder as `shown` names it when that is the folder of `destination`.
  public init(beside destination: String, for shown: String) throws {
    let directory = AudioFileWriter.directoryName(of: destination)
    let shownDirectory =
      AudioFileWriter.isSameFile(AudioFileWriter.directoryName(of: shown), directory)
      ? AudioFileWriter.directoryName(of: shown) : directory
    func failure(_ code: Int32) -> AudioFileError {
      let reason =
        code == EXDEV
        ? Confinement.leadsOut
        : "cannot create a file in '\(shownDirectory)': \(AudioFileReader.systemMessage(code))"
      return AudioFileError(
        code == EACCES || code == EPERM || code == EROFS || code == EXDEV
          ? .permissionDenied : .writeFailed, .write, path: shown, reason: reason)
    }
    let folder = Confinement.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard folder >= 0 else { throw failure(errno) }
    var name = destination.split(separator: "/").last.map(String.init) ?? destination
    let destinationName = name
    while name.utf8.count > 100 { name.removeLast() }
    for _ in 0..<100 {
      let candidate = "." + name + ".tmp-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
      let whole = directory + "/" + candidate
      // Registered before it exists, so that no signal can come between, and made as a
      // creation the signal's handler waits for.
      let made = TemporaryFiles.creating { () -> (Int32, Int32) in
        TemporaryFiles.register(whole)
        let descriptor = openat(
          folder, candidate, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        return (descriptor, errno)
      }
      guard let (descriptor, openError) = made else {
        close(folder)
        throw failure(EINTR)
      }
      if descriptor >= 0 {
        self.folder = folder
        self.name = candidate
        self.path = whole
        self.destinationName = destinationName
        self.descriptor = descriptor
        return
      }
      let code = openError
      TemporaryFiles.forget(whole)
      if code != EEXIST {
        close(folder)
        throw failure(code)
      }
    }
    close(folder)
    throw AudioFileError(
      .writeFailed, .write, path: shown, reason: "cannot find a free temporary file name")
  }

  /// Gives the file the permissions of the file at `destination`, when there is one,
  /// so that a file replaced keeps them.
  public func keepPermissions(of destination: String) {
    var existing = stat()
    if stat(destination, &existing) == 0 { _ = fchmod(descriptor, existing.st_mode & 0o7777) }
  }

  /// Renames the file over the destination; returns `renameat`'s result (the file is
  /// kept, still registered, when that failed).
  public func commit() -> Int32 {
    let status = renameat(folder, name, folder, destinationName)
    if status == 0 {
      settled = true
      TemporaryFiles.forget(path)
    }
    return status
  }

  /// Removes the file.
  public func discard() {
    guard !settled else { return }
    settled = true
    unlinkat(folder, name, 0)
    TemporaryFiles.forget(path)
  }

  deinit {
    discard()
    close(folder)
  }
}
