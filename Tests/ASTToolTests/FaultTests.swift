import ASTCore
import ASTTestSupport
import Foundation
import Testing

/// Runs `script` with bash and returns its result (for pipes and limits).
func bash(_ script: String) throws -> ProcessResult {
  try runProcess("/bin/bash", ["-c", script])
}

/// Bytes from `descriptor` until `count` have come or `seconds` have passed.
func readBytes(_ descriptor: Int32, count: Int, seconds: Double) -> [UInt8] {
  var result: [UInt8] = []
  let deadline = Date().addingTimeInterval(seconds)
  var buffer = [UInt8](repeating: 0, count: 65_536)
  while result.count < count, Date() < deadline {
    var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    guard poll(&poller, 1, 50) > 0 else { continue }
    let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    if got <= 0 { break }
    result += buffer[0..<got]
  }
  return result
}

/// `ast` with `arguments` started with pipes on standard input and output (standard
/// error discarded): the process, the input's writing end and the output's descriptor.
func pipedAst(_ arguments: [String]) throws -> (Process, FileHandle, Int32) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: astExecutable)
  process.arguments = arguments
  let input = Pipe()
  let output = Pipe()
  process.standardInput = input
  process.standardOutput = output
  process.standardError = FileHandle(forWritingAtPath: "/dev/null")
  try process.run()
  return (process, input.fileHandleForWriting, output.fileHandleForReading.fileDescriptor)
}

/// Waits up to `seconds` for `process` to end; kills it (and returns `nil`) if it hangs.
func waitForExit(_ process: Process, seconds: Double = 10) -> Int32? {
  let deadline = Date().addingTimeInterval(seconds)
  while process.isRunning, Date() < deadline { usleep(20_000) }
  guard !process.isRunning else {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    return nil
  }
  return process.terminationStatus
}

@Suite("Output faults, signals and pipes")
struct FaultTests {
  static let long = "out = sine 440 3600 rate:48000 |> lowpass 1000\n"
  static let short = "out = sine 440 0.5 rate:8000\n"

  /// A directory holding `script.ast` and an existing `out.wav` with known bytes.
  func setUp(_ script: String) throws -> (TemporaryDirectory, String, Data) {
    let directory = try TemporaryDirectory()
    try script.write(toFile: directory.file("script.ast"), atomically: true, encoding: .utf8)
    let old = Data("an earlier file".utf8)
    try old.write(to: URL(fileURLWithPath: directory.file("out.wav")))
    return (directory, directory.file("script.ast"), old)
  }

  /// The previous file is intact and nothing else was left beside it.
  func expectUntouched(_ directory: TemporaryDirectory, _ old: Data) throws {
    #expect(FileManager.default.contents(atPath: directory.file("out.wav")) == old)
    let contents = try directory.contents().sorted()
    #expect(contents == ["out.wav", "script.ast"], "left: \(contents)")
  }

  @Test("a full device, a missing directory and one that takes no files: status 1, named")
  func unwritable() throws {
    let (directory, script, _) = try setUp(Self.short)
    defer { directory.cleanUp() }
    let full = try ast("run", script, "-o", "/dev/full")
    #expect(full.status == 1)
    #expect(full.errorText == "ast: error: -o '/dev/full': no space left on device\n")
    let missing = try ast("run", script, "-o", directory.file("nowhere/out.wav"))
    #expect(missing.status == 1)
    #expect(missing.errorText.contains("nowhere' does not exist"), "\(missing.errorText)")
    // Even root cannot create files in /proc.
    let refused = try ast("run", script, "-o", "/proc/ast-test.wav")
    #expect(refused.status == 1)
    #expect(refused.errorText.hasPrefix("ast: error: -o '/proc/ast-test.wav': cannot create"))
  }

  @Test("past a file-size limit: status 1, the old file intact, nothing left beside it")
  func fileSizeLimit() throws {
    let (directory, script, old) = try setUp(Self.long)
    defer { directory.cleanUp() }
    let result = try bash(
      "ulimit -f 64; exec '\(astExecutable)' run '\(script)' -o '\(directory.file("out.wav"))'")
    #expect(result.status == 1)
    #expect(result.errorText.contains("file too large"), "\(result.errorText)")
    try expectUntouched(directory, old)
  }

  @Test("SIGTERM and SIGINT stop a render: 143 and 130, the old file intact")
  func signals() throws {
    for (number, status) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
      let (directory, script, old) = try setUp(Self.long)
      defer { directory.cleanUp() }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: astExecutable)
      process.arguments = ["run", script, "-o", directory.file("out.wav")]
      process.standardError = FileHandle(forWritingAtPath: "/dev/null")
      try process.run()
      usleep(700_000)
      kill(process.processIdentifier, number)
      #expect(waitForExit(process) == status, "signal \(number)")
      try expectUntouched(directory, old)
    }
  }

  @Test(
    "every terminating signal, from the first milliseconds on, leaves no temporary file",
    arguments: [SIGHUP, SIGQUIT, SIGXCPU, SIGALRM, SIGUSR1, SIGUSR2, SIGTERM, SIGINT])
  func everySignal(_ number: Int32) throws {
    // While starting, checking, and rendering: `out` to a file and a `write` beside it.
    for delay in [2_000, 30_000, 900_000] as [useconds_t] {
      let (directory, script, old) = try setUp(
        "write (sine 220 3600 rate:48000) \"side.wav\"\n" + Self.long)
      defer { directory.cleanUp() }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: astExecutable)
      process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
      process.arguments = ["run", script, "-o", directory.file("out.wav")]
      process.standardError = FileHandle(forWritingAtPath: "/dev/null")
      try process.run()
      usleep(delay)
      kill(process.processIdentifier, number)
      let status = waitForExit(process)
      // INT and TERM during the render stop it (130, 143); otherwise the signal ends the
      // process as it would have, after the files are removed.
      let stopped = (number == SIGINT ? 130 : number == SIGTERM ? 143 : -1) as Int32
      #expect(
        status == number || status == stopped, "signal \(number) after \(delay) µs: \(status ?? -1)"
      )
      try expectUntouched(directory, old)
    }
  }

  @Test("ast convert stopped by a signal leaves the destination as it was and nothing beside it")
  func convertSignal() throws {
    let (directory, _, old) = try setUp(Self.short)
    defer { directory.cleanUp() }
    try AudioSegment.silent(milliseconds: 600_000, sampleRate: 48_000).export(
      to: directory.file("in.flac"))
    for number in [SIGHUP, SIGTERM] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: astExecutable)
      process.arguments = [
        "convert", directory.file("in.flac"), directory.file("out.wav"), "--rate", "44100",
      ]
      process.standardError = FileHandle(forWritingAtPath: "/dev/null")
      try process.run()
      usleep(300_000)
      kill(process.processIdentifier, number)
      _ = waitForExit(process)
      #expect(FileManager.default.contents(atPath: directory.file("out.wav")) == old)
      let left = try directory.contents().sorted()
      #expect(left == ["in.flac", "out.wav", "script.ast"], "signal \(number) left \(left)")
    }
  }

  @Test("--time-limit stops a render that runs too long: status 1, named, nothing left")
  func timeLimit() throws {
    let (directory, _, old) = try setUp(
      "write (sine 220 100000 rate:48000) \"side.wav\"\nout = repeat (silence 0.001) 1e12\n")
    defer { directory.cleanUp() }
    let start = Date()
    let result = try ast(
      in: directory, "run", "script.ast", "-o", "out.wav", "--time-limit", "0.5")
    #expect(Date().timeIntervalSince(start) < 5)
    #expect(result.status == 1)
    #expect(
      result.errorText.contains("time limit of 0.5 s (--time-limit)"), "\(result.errorText)")
    try expectUntouched(directory, old)
    // A negative number is the option's value, refused with the option's words.
    let refused = try ast(in: directory, "run", "script.ast", "--time-limit", "-1")
    #expect(refused.status == 2)
    #expect(refused.errorText.contains("--time-limit must be more than 0"), "\(refused.errorText)")
    let rate = try ast(in: directory, "run", "script.ast", "--rate", "-1")
    #expect(rate.errorText.contains("--rate must be between"), "\(rate.errorText)")
  }

  @Test("--output-limit counts files and standard output together: status 1, named, nothing left")
  func outputLimit() throws {
    let (directory, _, old) = try setUp(
      "write (sine 220 10 rate:48000) \"side.wav\"\nout = sine 440 10 rate:48000\n")
    defer { directory.cleanUp() }
    // 960 kB for side.wav fits in 1 MB; out's 960 kB more does not.
    let result = try ast(in: directory, "run", "script.ast", "-o", "out.wav", "--output-limit", "1")
    #expect(result.status == 1)
    #expect(
      result.errorText.contains(
        "-o 'out.wav': the run's output passed its limit of 1 MB (--output-limit)"),
      "\(result.errorText)")
    #expect(FileManager.default.contents(atPath: directory.file("out.wav")) == old)
    #expect(try directory.contents().sorted() == ["out.wav", "script.ast", "side.wav"])
    // Standard output counts too.
    let streamed = try ast(in: directory, "run", "script.ast", "-o", "-", "--output-limit", "1")
    #expect(streamed.status == 1)
    #expect(streamed.output.count <= (1 << 20) + 44)
    // Within the limit all is written.
    let within = try ast(in: directory, "run", "script.ast", "-o", "out.wav", "--output-limit", "2")
    #expect(within.status == 0, "\(within.errorText)")
  }

  @Test("a sandbox folder swapped for a link out during the run puts nothing outside")
  func sandboxSwap() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let box = directory.file("box")
    let outside = directory.file("outside")
    for folder in [box + "/sub", outside] {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    // The picture is made at the end of the render, the audio file at its start.
    try
      "x = sine 440 120 rate:48000 |> lowpass 1000\nplot x \"sub/pic.png\"\nwrite x \"sub/out.wav\"\n"
      .write(toFile: box + "/s.ast", atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: astExecutable)
    process.arguments = ["run", box + "/s.ast", "--sandbox", box]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    usleep(400_000)
    #expect(rename(box + "/sub", box + "/sub.old") == 0)
    #expect(symlink(outside, box + "/sub") == 0)
    _ = waitForExit(process, seconds: 60)
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "\(text)")
    if process.terminationStatus != 0 {
      #expect(text.contains("it is outside the sandbox"), "\(text)")
    }
  }

  @Test("what is printed must reach standard output; /dev/stdout redirected to a file is a file")
  func standardOutputTruths() throws {
    let (directory, script, _) = try setUp(Self.short)
    defer { directory.cleanUp() }
    let full = try bash("exec '\(astExecutable)' run '\(script)' > /dev/full")
    #expect(full.status == 1)
    #expect(
      full.errorText == "ast: error: cannot write standard output: no space left on device\n",
      "\(full.errorText)")
    let file = directory.file("redirected.wav")
    let redirected = try bash("exec '\(astExecutable)' run '\(script)' -o /dev/stdout > '\(file)'")
    #expect(redirected.status == 0, "\(redirected.errorText)")
    #expect(try AudioFileReader(path: file).info.frameCount == 4_000)
    let nan = try ast("convert", file, directory.file("x.wav"), "--gain", "nan")
    #expect(nan.status == 2)
    #expect(nan.errorText.contains("--gain must be a number of decibels"), "\(nan.errorText)")
  }

  @Test("-o /dev/stdout is standard output: audio there, printed lines on standard error")
  func devStdout() throws {
    let (directory, script, _) = try setUp("print (sine 440 0.1)\n" + Self.short)
    defer { directory.cleanUp() }
    let result = try ast("run", script, "-o", "/dev/stdout")
    #expect(result.status == 0)
    #expect(Array(result.output.prefix(4)) == Array("RIFF".utf8))
    #expect(result.output.count == 44 + 4_000 * 2)
    #expect(result.errorText.contains("Audio(44100 Hz, mono) 0.100 s"))
  }

  @Test("a named pipe nobody reads is an error at once, not a wait")
  func unreadPipe() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let pipe = directory.file("pipe.wav")
    #expect(mkfifo(pipe, 0o600) == 0)
    let script = directory.file("script.ast")
    try "write (sine 440 0.1) \"pipe.wav\"\n".write(
      toFile: script, atomically: true, encoding: .utf8)
    let result = try bash(
      "cd '\(directory.path)' && exec timeout 10 '\(astExecutable)' run script.ast")
    #expect(result.status == 1)
    #expect(result.errorText.contains("no program reads the pipe"), "\(result.errorText)")
  }

  @Test("-o - streams WAV: decodable from a pipe, sizes filled in when it is a file")
  func standardOutput() throws {
    let (directory, script, _) = try setUp(Self.short)
    defer { directory.cleanUp() }
    let piped = try ast("run", script, "-o", "-")
    #expect(piped.status == 0)
    // Through a pipe the sizes cannot be known in advance.
    #expect(Array(piped.output.prefix(8)) == Array("RIFF".utf8) + [0xFF, 0xFF, 0xFF, 0xFF])
    #expect(piped.output.count == 44 + 4_000 * 2)
    let file = directory.file("redirected.wav")
    let redirected = try bash("'\(astExecutable)' run '\(script)' -o - > '\(file)'")
    #expect(redirected.status == 0)
    let segment = try AudioSegment(contentsOfFile: file)
    #expect(segment.frameCount == 4_000)
    #expect(try Sox.info("s", file) == "4000")
  }

  @Test("a reader that stops early ends the render quietly with status 141")
  func brokenPipe() throws {
    let (directory, script, _) = try setUp(Self.long)
    defer { directory.cleanUp() }
    let result = try bash(
      "'\(astExecutable)' run '\(script)' -o - | head -c 1000 > /dev/null; "
        + "echo \"${PIPESTATUS[0]}\"")
    #expect(result.text == "141\n")
    #expect(result.errorText.isEmpty, "\(result.errorText)")
  }

  @Test("a slow reader holds the render back: memory stays bounded")
  func slowReader() throws {
    let (directory, script, _) = try setUp(Self.long)
    defer { directory.cleanUp() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: astExecutable)
    process.arguments = ["run", script, "-o", "-"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    let descriptor = output.fileHandleForReading.fileDescriptor
    // Read 64 KB every 20 ms for two seconds: far slower than the render.
    for _ in 0..<100 {
      _ = readBytes(descriptor, count: 65_536, seconds: 1)
      usleep(20_000)
    }
    let status = try String(
      contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
    // SIGTERM while the writer is blocked on the full pipe still ends the process.
    process.terminate()
    #expect(waitForExit(process) == 143)
    let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
    let kilobytes = peak.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    #expect(kilobytes > 0)
    if measuresMemory { #expect(kilobytes < 96 * 1024, "peak \(kilobytes) kB") }
  }

  @Test("a chunk of live input leaves on standard output before the next arrives")
  func latency() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("live.ast")
    try "out = input rate:8000 |> gain 0.5\n".write(
      toFile: script, atomically: true, encoding: .utf8)
    let (process, input, descriptor) = try pipedAst(["run", script, "-o", "-"])
    // One block of samples (1024 frames of 16-bit mono) in; stdin stays open.
    input.write(Data(int16Bytes((0..<1024).map { Int16($0 * 16) })))
    let first = readBytes(descriptor, count: 44 + 2_048, seconds: 10)
    #expect(first.count == 44 + 2_048)
    #expect(int16Values(Array(first.suffix(4))) == [1022 * 8, 1023 * 8])
    try input.close()
    #expect(waitForExit(process) == 0)
  }

  @Test("Ctrl-C while input waits on a silent writer: 130 at once, no file left")
  func interruptWaitingInput() throws {
    let (directory, _, old) = try setUp("")
    defer { directory.cleanUp() }
    let script = directory.file("script.ast")
    try "out = input rate:8000 |> join\n".write(toFile: script, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: astExecutable)
    process.arguments = ["run", script, "-o", directory.file("out.wav")]
    let input = Pipe()
    process.standardInput = input
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    input.fileHandleForWriting.write(Data(int16Bytes([1, 2, 3, 4])))
    usleep(500_000)
    kill(process.processIdentifier, SIGINT)
    #expect(waitForExit(process, seconds: 5) == 130)
    try input.fileHandleForWriting.close()
    try expectUntouched(directory, old)
  }
}

@Suite("Sandboxed runs")
struct SandboxCommandTests {
  @Test("ast run --sandbox allows files inside and refuses the rest, status 1")
  func run() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let box = directory.file("box")
    try FileManager.default.createDirectory(atPath: box, withIntermediateDirectories: true)
    let good = directory.file("good.ast")
    try "write (sine 440 0.1) \"made.wav\"\n".write(toFile: good, atomically: true, encoding: .utf8)
    let allowed = try ast("run", good, "--sandbox", box)
    #expect(allowed.status == 0, "\(allowed.errorText)")
    #expect(FileManager.default.fileExists(atPath: box + "/made.wav"))

    let bad = directory.file("bad.ast")
    try "write (sine 440 0.1) \"../escaped.wav\"\n".write(
      toFile: bad, atomically: true, encoding: .utf8)
    let refused = try ast("run", bad, "--sandbox", box)
    #expect(refused.status == 1)
    #expect(refused.errorText.contains("bad.ast:1:22: error: cannot write '../escaped.wav'"))
    #expect(!FileManager.default.fileExists(atPath: directory.file("escaped.wav")))

    let missing = try ast("run", good, "--sandbox", directory.file("nowhere"))
    #expect(missing.status == 2)
    #expect(
      missing.errorText.hasPrefix(
        "ast: error: --sandbox '\(directory.file("nowhere"))': it is not a directory\n"))
  }

  @Test("ast test --sandbox confines each script to its temporary directory")
  func goldenTests() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let script = directory.file("escape.ast")
    try "write (sine 440 0.1) \"/tmp/ast-escape-test.wav\"\n".write(
      toFile: script, atomically: true, encoding: .utf8)
    let recorded = try ast("test", "--update", "--sandbox", script)
    #expect(recorded.status == 0)
    let golden = try String(contentsOfFile: directory.file("escape.golden"), encoding: .utf8)
    #expect(golden.contains("it is outside the sandbox"), "\(golden)")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/ast-escape-test.wav"))
  }
}

@Suite("Shared signals in long runs")
struct SharedSignalLifetimeTests {
  @Test(
    "a shared argument rebuilt by every repetition is released each time: memory stays flat",
    .enabled(if: measuresMemory, "a sanitizer's allocator keeps freed memory"))
  func repetitionsRelease() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try AudioSegment(samples: [Double](repeating: 0.25, count: 80), sampleRate: 8_000)
      .export(to: directory.file("tiny.wav"))
    var peaks: [Int] = []
    for count in [200, 3_000] {
      try "fn twice a = a + a\nout = repeat (twice (read \"tiny.wav\")) \(count)\n".write(
        toFile: directory.file("loop.ast"), atomically: true, encoding: .utf8)
      let (status, kilobytes) = try runMeasuringMemory(
        "/bin/bash", ["-c", "cd '\(directory.path)' && exec '\(astExecutable)' run loop.ast"])
      #expect(status == 0)
      peaks.append(kilobytes)
    }
    // Each repetition's ring alone is 256 kB: kept, 2,800 of them would be 700 MB.
    #expect(peaks[1] - peaks[0] < 16 * 1024, "\(peaks) kB")
  }
}
