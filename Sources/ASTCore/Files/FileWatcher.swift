import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Watches one file for saves, through its folder (so saves by rename, truncate and
/// rewrite are all seen), with a debounce.
///
/// Editors save a file in different ways: they write it in place, truncate it and write
/// it again, write a temporary file and rename it over the file (which gives the file a
/// new inode), or delete the file and create it again. A watch on the file itself would
/// lose track of it after a rename or a deletion, so this watches the folder that holds
/// the file with Linux inotify and keeps only the events that name the file.
///
/// Each event for the file starts the debounce again: ``nextChange()`` reports one change
/// once no event for the file has arrived for `debounce`, so the several writes of one
/// save give one change. Events that arrive while nobody is waiting stay queued in the
/// kernel and are read by the next call, so saves made meanwhile are reported together
/// as one change. A deletion of the file counts as a change too (the reader then finds
/// it missing), as does a lost event (an inotify queue overflow).
///
/// The class is `Sendable`: its only mutable state (the inotify descriptor, whether a
/// change is waiting, and when it settles) lives in a `Mutex`.
public final class FileWatcher: Sendable {
  /// The state shared by the callers of ``nextChange()`` and ``close()``.
  private struct State {
    /// The inotify descriptor, or -1 once closed.
    var descriptor: Int32
    /// Whether an event for the file has arrived that was not yet reported.
    var pending = false
    /// When the pending change settles: the last event's arrival plus the debounce.
    var deadline: ContinuousClock.Instant
    /// Whether the folder stopped being watched (it was deleted or its file system
    /// unmounted), or reading the descriptor failed: no change can be seen any more.
    var ended = false
  }

  /// What one look at the descriptor found.
  private enum Step {
    /// A settled change.
    case changed
    /// Nothing to report yet; look again after the given time.
    case waiting(Duration)
    /// The watcher was closed or the folder is gone.
    case finished
  }

  /// The file's name inside its folder, as bytes, which the events are matched against.
  private let name: [UInt8]
  private let debounce: Duration
  private let state: Mutex<State>

  /// How long a waiting ``nextChange()`` sleeps between two reads of the descriptor,
  /// at most: this bounds how late a change, a close or a cancellation is noticed.
  private static let tick: Duration = .milliseconds(10)

  /// The events watched on the folder.
  private static let mask =
    UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE) | UInt32(IN_MODIFY)
    | UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM) | UInt32(IN_ATTRIB) | UInt32(IN_DELETE_SELF)
    | UInt32(IN_ONLYDIR)

  /// Starts watching the file at `path`: the file need not exist yet, but its folder
  /// must. Events from before this call are not seen.
  ///
  /// - Parameters:
  ///   - path: The file to watch; a path without a folder names a file in the current
  ///     directory.
  ///   - debounce: How long the file must stay without events before a change is
  ///     reported.
  /// - Throws: ``FileWatcherError`` naming the folder when it is missing or is not a
  ///   folder, or when inotify cannot be set up, with the system's reason.
  public init(path: String, debounce: Duration = .milliseconds(100)) throws {
    let (folder, name) = Self.split(path)
    guard !name.isEmpty, name != ".", name != ".." else {
      throw FileWatcherError(description: "cannot watch '\(path)': it does not name a file")
    }
    let descriptor = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK))
    guard descriptor >= 0 else {
      let code = errno
      throw FileWatcherError(
        description:
          "cannot watch '\(path)': cannot start inotify: "
          + (code == EMFILE
            ? "too many inotify instances (see fs.inotify.max_user_instances)"
            : AudioFileReader.systemMessage(code)))
    }
    guard inotify_add_watch(descriptor, folder, Self.mask) >= 0 else {
      let code = errno
      Glibc.close(descriptor)
      throw FileWatcherError(
        description:
          "cannot watch '\(path)' through its folder '\(folder)': "
          + (code == ENOSPC
            ? "too many inotify watches (see fs.inotify.max_user_watches)"
            : AudioFileReader.systemMessage(code)))
    }
    self.name = Array(name.utf8)
    self.debounce = debounce
    self.state = Mutex(State(descriptor: descriptor, deadline: .now))
  }

  deinit {
    close()
  }

  /// Waits for the next settled change of the file and returns `true`; returns `false`
  /// when the watcher was closed, the folder was deleted, or the calling task was
  /// cancelled.
  ///
  /// A change is settled once no event for the file has arrived for the debounce. Each
  /// change is returned once, to one caller, in the order the changes happened. A call
  /// that is cancelled while a change is settling leaves it to the next call.
  public func nextChange() async -> Bool {
    while true {
      if Task.isCancelled { return false }
      switch look() {
      case .changed:
        return true
      case .finished:
        return false
      case .waiting(let interval):
        do {
          try await Task.sleep(for: interval)
        } catch {
          return false
        }
      }
    }
  }

  /// Stops watching and closes the inotify descriptor: a waiting ``nextChange()`` then
  /// returns `false` within a few milliseconds, and so does every later call. Closing
  /// again does nothing.
  public func close() {
    state.withLock { state in
      guard state.descriptor >= 0 else { return }
      Glibc.close(state.descriptor)
      state.descriptor = -1
    }
  }

  /// Reads the events waiting on the descriptor, without blocking, and says whether a
  /// change has settled.
  private func look() -> Step {
    state.withLock { state in
      guard state.descriptor >= 0, !state.ended else { return .finished }
      readEvents(&state)
      if state.ended { return .finished }
      guard state.pending else { return .waiting(Self.tick) }
      let now = ContinuousClock.now
      if now >= state.deadline {
        state.pending = false
        return .changed
      }
      return .waiting(min(Self.tick, state.deadline - now))
    }
  }

  /// Reads every event waiting on the descriptor: an event that names the file, or a
  /// queue overflow, makes a change pending and moves its deadline to now plus the
  /// debounce; the end of the folder's watch ends the watcher.
  private func readEvents(_ state: inout State) {
    // The header of `struct inotify_event`: wd, mask, cookie and len, 4 bytes each;
    // then `len` bytes of name, padded with NULs.
    let headerSize = 16
    let bufferSize = 8_192
    withUnsafeTemporaryAllocation(byteCount: bufferSize, alignment: 8) { buffer in
      guard let base = buffer.baseAddress else { return }
      while true {
        let count = read(state.descriptor, base, bufferSize)
        guard count > 0 else {
          let code = errno
          if count < 0 && code != EAGAIN && code != EWOULDBLOCK && code != EINTR {
            state.ended = true
          }
          return
        }
        var offset = 0
        while offset + headerSize <= count {
          let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
          let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
          let nameStart = offset + headerSize
          guard length <= count - nameStart else { break }
          if mask & (UInt32(IN_IGNORED) | UInt32(IN_DELETE_SELF) | UInt32(IN_UNMOUNT)) != 0 {
            state.ended = true
            return
          }
          if mask & UInt32(IN_Q_OVERFLOW) != 0 || isFile(buffer, from: nameStart, length) {
            state.pending = true
            state.deadline = ContinuousClock.now + debounce
          }
          offset = nameStart + length
        }
      }
    }
  }

  /// Whether the NUL-padded name of `length` bytes at `start` in `buffer` is the file's.
  private func isFile(_ buffer: UnsafeMutableRawBufferPointer, from start: Int, _ length: Int)
    -> Bool
  {
    guard length >= name.count else { return false }
    for index in 0..<name.count where buffer[start + index] != name[index] {
      return false
    }
    return length == name.count || buffer[start + name.count] == 0
  }

  /// The folder and the name of the file at `path`: the folder is "." when the path has
  /// none, and "/" for a file at the root.
  private static func split(_ path: String) -> (folder: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let name = String(path[path.index(after: slash)...])
    var folder = path[..<slash]
    while folder.hasSuffix("/") { folder = folder.dropLast() }
    return (folder.isEmpty ? "/" : String(folder), name)
  }
}

/// Why a ``FileWatcher`` could not start: the message names the file and, when it is
/// at fault, its folder, with the system's reason.
public struct FileWatcherError: Error, CustomStringConvertible {
  /// The message, such as "cannot watch 'song.ast' through its folder 'songs': no such
  /// file or directory".
  public let description: String
}
