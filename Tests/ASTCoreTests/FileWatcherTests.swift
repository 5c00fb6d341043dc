import ASTCore
import ASTTestSupport
import Foundation
import Testing

/// Whether `watcher` reports a change within `limit`: its `nextChange()` raced against a
/// timer, the loser cancelled.
private func changed(_ watcher: FileWatcher, within limit: Duration) async -> Bool {
  await withTaskGroup(of: Bool.self) { group in
    group.addTask { await watcher.nextChange() }
    group.addTask {
      try? await Task.sleep(for: limit)
      return false
    }
    let first = await group.next() ?? false
    group.cancelAll()
    return first
  }
}

/// Opens `path` with `flags` (creating it when `O_CREAT` is among them), writes each of
/// `parts` in its own `write` call with `pause` between them, waits `pause` again when
/// `pauseBeforeClose`, and closes it.
private func save(
  _ path: String, _ parts: [String], flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC,
  pause: Duration = .zero, pauseBeforeClose: Bool = false
) async throws {
  let descriptor = open(path, flags | O_CLOEXEC, 0o644)
  try #require(descriptor >= 0, "cannot open \(path): errno \(errno)")
  defer { close(descriptor) }
  for (index, part) in parts.enumerated() {
    if index > 0 { try await Task.sleep(for: pause) }
    let bytes = Array(part.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    try #require(written == bytes.count, "cannot write \(path): errno \(errno)")
  }
  if pauseBeforeClose { try await Task.sleep(for: pause) }
}

/// The file's inode number.
private func inode(_ path: String) throws -> UInt64 {
  var status = stat()
  try #require(stat(path, &status) == 0)
  return UInt64(status.st_ino)
}

@Suite("The file watcher: one change per save, however the editor saves", .serialized)
struct FileWatcherTests {
  /// How long a test waits for a change that must come.
  static let patience: Duration = .seconds(2)
  /// How long a test waits to be sure that no change comes.
  static let quiet: Duration = .milliseconds(400)

  @Test("a write in place (open, write, close) gives exactly one change")
  func writeInPlace() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("song.ast")
    try await save(path, ["play 1\n"])
    let watcher = try FileWatcher(path: path)
    defer { watcher.close() }

    async let reported = changed(watcher, within: Self.patience)
    // The write and the close come 20 ms apart, each with its event (modify, then
    // close-write): the debounce makes them one change.
    try await save(
      path, ["play 2\n"], flags: O_WRONLY, pause: .milliseconds(20), pauseBeforeClose: true)
    #expect(await reported)
    #expect(await !changed(watcher, within: Self.quiet))
  }

  @Test("a save by rename gives one change; a write to another file in the folder, none")
  func renameAndOtherFile() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("song.ast")
    try await save(path, ["play 1\n"])
    let before = try inode(path)
    let watcher = try FileWatcher(path: path)
    defer { watcher.close() }

    async let reported = changed(watcher, within: Self.patience)
    let temporary = directory.file("x.tmp")
    try await save(temporary, ["play 2\n"])
    #expect(rename(temporary, path) == 0)
    #expect(await reported)
    #expect(try inode(path) != before, "the rename gave the file a new inode")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "play 2\n")

    async let other = changed(watcher, within: Self.quiet)
    try await save(directory.file("other.txt"), ["hello\n"])
    #expect(await !other)
  }

  @Test("truncating and writing in two calls 20 ms apart gives one change")
  func truncateAndWrite() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("song.ast")
    try await save(path, ["play 1, a long first version\n"])
    let watcher = try FileWatcher(path: path)
    defer { watcher.close() }

    async let reported = changed(watcher, within: Self.patience)
    try await save(
      path, ["play 2", " and more\n"], flags: O_WRONLY | O_TRUNC, pause: .milliseconds(20))
    #expect(await reported)
    #expect(await !changed(watcher, within: Self.quiet))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "play 2 and more\n")
  }

  @Test("two writes 30 ms apart give one change after the debounce; one 500 ms later, another")
  func debounce() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("song.ast")
    try await save(path, ["play 0\n"])
    let watcher = try FileWatcher(path: path, debounce: .milliseconds(150))
    defer { watcher.close() }
    let clock = ContinuousClock()

    // The writes go on in their own task while this one waits for the changes.
    typealias Instant = ContinuousClock.Instant
    let writer = Task { () throws -> (second: Instant, third: Instant) in
      try await save(path, ["play 1\n"])
      try await Task.sleep(for: .milliseconds(30))
      try await save(path, ["play 2\n"])
      let second = clock.now
      try await Task.sleep(for: .milliseconds(500))
      let third = clock.now
      try await save(path, ["play 3\n"])
      return (second, third)
    }
    let first = await changed(watcher, within: Self.patience)
    let firstTime = clock.now
    let second = await changed(watcher, within: Self.patience)
    let secondTime = clock.now
    let writes = try await writer.value

    #expect(first)
    #expect(second)
    // The first change waits for the debounce after the second write (less a margin for
    // the instant being taken after the write returned) and comes before the third.
    #expect(firstTime >= writes.second + .milliseconds(140))
    #expect(firstTime < writes.third)
    #expect(secondTime > writes.third)
    #expect(await !changed(watcher, within: Self.quiet))
  }

  @Test("a missing folder is an error that names the folder")
  func missingFolder() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let folder = directory.file("missing")
    let error = #expect(throws: FileWatcherError.self) {
      try FileWatcher(path: folder + "/song.ast")
    }
    #expect(error?.description.contains("'\(folder)'") == true, "\(String(describing: error))")
    #expect(error?.description.contains("no such file or directory") == true)
  }

  @Test("close() makes a waiting nextChange() return false promptly, and every later one")
  func closeEndsWaiting() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let watcher = try FileWatcher(path: directory.file("song.ast"))
    let clock = ContinuousClock()

    let waiting = Task { await watcher.nextChange() }
    // Should close() not end the wait, this ends it and the time below shows it.
    let guardian = Task {
      try? await Task.sleep(for: Self.patience)
      waiting.cancel()
    }
    defer { guardian.cancel() }
    try await Task.sleep(for: .milliseconds(50))
    let closed = clock.now
    watcher.close()
    let result = await waiting.value
    #expect(!result)
    #expect(clock.now - closed < .milliseconds(200))
    // A later call returns false at once too (the timer's false would come late).
    let later = clock.now
    #expect(await !changed(watcher, within: Self.patience))
    #expect(clock.now - later < .milliseconds(200))
    watcher.close()
  }

  @Test("deleting the folder ends the watch: nextChange() returns false")
  func folderDeleted() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let folder = directory.file("songs")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    let path = folder + "/song.ast"
    try await save(path, ["play 1\n"])
    let watcher = try FileWatcher(path: path)
    defer { watcher.close() }

    let clock = ContinuousClock()
    let start = clock.now
    async let reported = changed(watcher, within: Self.patience)
    #expect(unlink(path) == 0)
    #expect(rmdir(folder) == 0)
    // False at once, not a change for the deletion of the file, nor the timer's false.
    #expect(await !reported)
    #expect(clock.now - start < .seconds(1))
  }
}
