import CPseudoTerminal
import Foundation

/// The repository's root, from this file's place (`Tests/ASTTestSupport`).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

/// A fresh directory under the system's temporary directory, removed by `cleanUp()`.
public struct TemporaryDirectory {
  /// The directory's path.
  public let path: String

  /// Creates the directory.
  public init() throws {
    let base = FileManager.default.temporaryDirectory.path
    path = base + "/ast-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// The path of `name` inside the directory.
  public func file(_ name: String) -> String { path + "/" + name }

  /// Removes the directory and everything in it.
  public func cleanUp() {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// The names in the directory, sorted (hidden files included).
  public func contents() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
  }
}

/// The result of running a program to completion.
public struct ProcessResult {
  /// The exit status.
  public var status: Int32
  /// What the program wrote to standard output.
  public var output: Data
  /// What the program wrote to standard error, as text.
  public var errorText: String

  /// Standard output as text.
  public var text: String { String(decoding: output, as: UTF8.self) }
}

/// Runs `executable` with `arguments` (and `environment` added to the process's own),
/// collecting its output; fails if it cannot start.
public func runProcess(
  _ executable: String, _ arguments: [String], input: Data? = nil,
  environment: [String: String] = [:]
) throws -> ProcessResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  }
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  let standardInput = Pipe()
  // A handle of its own: the shared null device handle has been seen closed twice.
  process.standardInput = input == nil ? FileHandle(forReadingAtPath: "/dev/null") : standardInput
  try process.run()
  if let input {
    // Written from another thread, so a child that writes a lot cannot block on us.
    let writer = standardInput.fileHandleForWriting
    Thread.detachNewThread {
      writer.write(input)
      try? writer.close()
    }
  }
  // Standard output is read to its end first; the programs run here write little to
  // standard error, far less than a pipe holds.
  let outputData = output.fileHandleForReading.readDataToEndOfFile()
  let errorData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus, output: outputData,
    errorText: String(decoding: errorData, as: UTF8.self))
}

/// The size of a file in bytes.
public func fileSize(_ path: String) throws -> Int {
  let attributes = try FileManager.default.attributesOfItem(atPath: path)
  return (attributes[.size] as? NSNumber)?.intValue ?? 0
}

/// Interleaved samples of sines, one frequency per channel, at `amplitude`.
public func sineSamples(
  frequencies: [Double], sampleRate: Int, frames: Int, amplitude: Double = 0.5
) -> [Double] {
  var samples: [Double] = []
  samples.reserveCapacity(frames * frequencies.count)
  for frame in 0..<frames {
    for frequency in frequencies {
      samples.append(
        amplitude * sin(2 * Double.pi * frequency * Double(frame) / Double(sampleRate)))
    }
  }
  return samples
}

/// The largest absolute difference between two sample arrays of equal length.
public func maxDifference<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(_ a: [A], _ b: [B])
  -> Double
{
  precondition(a.count == b.count, "lengths differ: \(a.count) and \(b.count)")
  var worst = 0.0
  for index in a.indices { worst = max(worst, abs(Double(a[index]) - Double(b[index]))) }
  return worst
}

/// Little-endian bytes of Int16 values.
public func int16Bytes(_ values: [Int16]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// Little-endian bytes of Int32 values.
public func int32Bytes(_ values: [Int32]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// Little-endian bytes of Float values.
public func float32Bytes(_ values: [Float]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// Little-endian bytes of Double values.
public func float64Bytes(_ values: [Double]) -> [UInt8] {
  values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// The Int16 values of little-endian bytes.
public func int16Values(_ bytes: [UInt8]) -> [Int16] {
  bytes.withUnsafeBytes { raw in
    (0..<(raw.count / 2)).map {
      Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))
    }
  }
}

/// A small, fast, seeded random number generator (SplitMix64), so generated test
/// inputs are the same on every run and every machine.
public struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64

  /// Creates a generator from a seed.
  public init(seed: UInt64) {
    state = seed
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Whether peak memory means anything in this run: not when the programs are built with
/// a sanitizer (`Scripts/sanitize.sh` sets `AST_SANITIZER`), whose allocator keeps freed
/// memory in quarantine and adds shadow memory.
public let measuresMemory = ProcessInfo.processInfo.environment["AST_SANITIZER"] == nil

/// Runs a program to completion with its output discarded, returning its exit status
/// and its peak resident memory in kilobytes.
///
/// The peak is the program's own `VmHWM`, read from `/proc` while it runs (the last
/// reading before it exits). `wait4`'s `ru_maxrss` would not do: a child started with
/// `posix_spawn` shares the test process's memory until it executes the program, and
/// Linux then counts the test process's own high-water mark as the child's.
public func runMeasuringMemory(_ executable: String, _ arguments: [String]) throws -> (
  status: Int32, peakKilobytes: Int
) {
  var fileActions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&fileActions)
  defer { posix_spawn_file_actions_destroy(&fileActions) }
  posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
  posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
  let argv = ([executable] + arguments).map { strdup($0) } + [nil]
  defer { argv.forEach { free($0) } }
  var pid: pid_t = 0
  let spawned = posix_spawn(&pid, executable, &fileActions, nil, argv, environ)
  guard spawned == 0 else {
    throw SpawnFailure(message: "cannot start \(executable): error \(spawned)")
  }
  var status: Int32 = 0
  var peak = 0
  /// When the process started (field 22 of its stat): a process id reaped by another
  /// thread of the tests and given to another process reads differently, and is not
  /// measured.
  func startTime() -> Substring? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 19 ? fields[19] : nil
  }
  let started = startTime()
  while true {
    if let started, startTime() == started,
      let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    {
      peak = max(peak, kilobytes)
    }
    let reaped = waitpid(pid, &status, WNOHANG)
    if reaped == pid { break }
    if reaped < 0, errno != EINTR { break }
    usleep(2_000)
  }
  let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
  return (exitStatus, peak)
}

/// A program that could not be started.
public struct SpawnFailure: Error, CustomStringConvertible {
  /// What failed.
  public let message: String
  /// The message.
  public var description: String { message }
}

/// SoX, as an independent reader of audio files.
public enum Sox {
  /// The path of the sox program.
  public static let path: String = {
    for candidate in ["/usr/bin/sox", "/usr/local/bin/sox", "/bin/sox"]
    where FileManager.default.isExecutableFile(atPath: candidate) {
      return candidate
    }
    return "sox"
  }()

  /// Runs sox and requires it to succeed.
  @discardableResult
  public static func run(_ arguments: [String]) throws -> ProcessResult {
    let result = try runProcess(path, arguments)
    if result.status != 0 {
      throw SpawnFailure(message: "sox \(arguments.joined(separator: " ")): \(result.errorText)")
    }
    return result
  }

  /// One field of `sox --i`: `r` rate, `c` channels, `b` bits, `s` samples per channel, `t` type.
  public static func info(_ flag: String, _ path: String) throws -> String {
    try run(["--i", "-\(flag)", path]).text.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The bitrate SoX reports for a file (`soxi -B`) in kbps: `192k` is 192, `64.0k` 64.
  public static func bitrate(_ path: String) throws -> Double {
    let text = try info("B", path)
    guard text.hasSuffix("k"), let value = Double(text.dropLast()) else {
      throw SpawnFailure(message: "soxi -B \(path) printed '\(text)', not a bitrate in kbps")
    }
    return value
  }

  /// The file's samples as SoX decodes them, interleaved, as 32-bit floats (full scale 1).
  public static func decode(_ path: String) throws -> [Float] {
    let raw = try run([path, "-t", "raw", "-e", "floating-point", "-b", "32", "-"]).output
    return raw.withUnsafeBytes { buffer in
      (0..<(raw.count / 4)).map { index in
        Float(
          bitPattern: UInt32(
            littleEndian: buffer.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
      }
    }
  }

  /// The file's samples as signed 16-bit little-endian bytes.
  public static func raw16(_ path: String) throws -> Data {
    try run([path, "-t", "raw", "-e", "signed", "-b", "16", "-"]).output
  }
}

/// A program running on a pseudo-terminal, for driving interactive sessions in tests.
public final class PseudoTerminal {
  private let master: Int32
  private let pid: pid_t
  private var received: [UInt8] = []

  /// Starts `executable` in a new session whose controlling terminal is a new
  /// pseudo-terminal, with `environment` added to the process's own.
  public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
    throws
  {
    var merged = ProcessInfo.processInfo.environment
    merged["TERM"] = "xterm"
    for (key, value) in environment { merged[key] = value }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var side: Int32 = -1
    let child = ast_test_spawn_on_pty(executable, argv, envp, &side)
    guard child > 0 else { throw SpawnFailure(message: "cannot start \(executable) on a terminal") }
    master = side
    pid = pid_t(child)
    _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
  }

  deinit {
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    close(master)
  }

  /// Types `text` (use "\r" for Enter, "\t" for Tab, "\u{3}" for Ctrl-C, "\u{4}" for Ctrl-D).
  public func type(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
  }

  /// Sends `signal` to the program, as `kill` from another process would.
  public func signal(_ signal: Int32) {
    kill(pid, signal)
  }

  /// Everything the program has written so far, as text.
  public var screen: String {
    drain()
    return String(decoding: received, as: UTF8.self)
  }

  private func drain() {
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
      if count <= 0 { break }
      received += buffer[0..<count]
    }
  }

  /// Waits until the output contains `text` after `from` characters, for at most
  /// `seconds`; returns whether it appeared.
  @discardableResult
  public func waitFor(_ text: String, after from: Int = 0, seconds: Double = 10) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      let current = screen
      if current.count >= from, current.dropFirst(from).contains(text) { return true }
      usleep(20_000)
    }
    return false
  }

  /// Waits for the program to exit, for at most `seconds`; returns its exit status.
  public func waitForExit(seconds: Double = 10) -> Int32? {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
      }
      drain()
      usleep(20_000)
    }
    return nil
  }
}
