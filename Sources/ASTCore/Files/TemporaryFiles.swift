import CCleanup

/// Temporary files that a terminating signal removes, whenever it comes.
///
/// Every writer that renames a finished file into place registers its temporary file
/// here from before the file exists until it is renamed or removed. The handler
/// (``installSignalHandlers()``, in C: it may neither lock nor allocate) removes every
/// registered file on SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXCPU, SIGXFSZ, SIGALRM,
/// SIGUSR1, SIGUSR2 and SIGPIPE, then lets the signal end the process as it would have;
/// so a destination is either as it was or complete, and no `.NAME.tmp-*` is left.
public enum TemporaryFiles {
  /// Installs the handler; a signal the process was started ignoring stays ignored.
  /// Call it first thing: it covers files registered at any time after.
  public static func installSignalHandlers() {
    _ = ast_cleanup_install()
  }

  /// Registers `path`, to be removed on a terminating signal.
  static func register(_ path: String) {
    _ = ast_cleanup_register(path)
  }

  /// Runs `create` (the registration and the opening of a file) so that a terminating
  /// signal meanwhile waits for it before removing the registered files; `nil` when the
  /// process is ending.
  static func creating<T>(_ create: () -> T) -> T? {
    guard ast_cleanup_creation_begin() == 0 else { return nil }
    defer { ast_cleanup_creation_end() }
    return create()
  }

  /// Forgets `path`: it was renamed into place or removed.
  static func forget(_ path: String) {
    ast_cleanup_forget(path)
  }

  /// Removes every registered file now, before an exit that skips their writers.
  public static func removeAll() {
    ast_cleanup_remove_all()
  }

  /// Makes SIGINT and SIGTERM stop the work gracefully instead of ending the process
  /// (the writers then remove their own files): they are recorded and announced by a
  /// byte on the descriptor returned, non-blocking, or `nil` when that cannot be set up.
  public static func beginGracefulStop() -> Int32? {
    let descriptor = ast_cleanup_graceful_begin()
    return descriptor >= 0 ? descriptor : nil
  }

  /// The first SIGINT or SIGTERM since ``beginGracefulStop()``, or `nil`.
  public static var gracefulSignal: Int32? {
    let number = ast_cleanup_graceful_signal()
    return number != 0 ? number : nil
  }

  /// Makes SIGINT and SIGTERM end the process again (after removing the files).
  public static func endGracefulStop() {
    ast_cleanup_graceful_end()
  }
}
