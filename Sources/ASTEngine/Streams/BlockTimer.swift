import Foundation

/// How long each block of a render took: a histogram of 1 µs steps up to 100 ms, and
/// the longest, so that the worst blocks of a long render can be told apart from the
/// typical one (what a sound card's deadline cares about).
///
/// Each block is timed twice: on the wall clock, what a deadline sees, and on the
/// rendering thread's CPU clock, the work the block itself did. A block long on the
/// wall clock but short on the CPU clock waited for the machine (the thread was
/// descheduled, or the virtual machine paused), not for the render.
///
/// Recording a block stores into preallocated counts: it allocates nothing.
public final class BlockTimer: @unchecked Sendable {
  // Unchecked: a timer is used by the one task that renders, and read after it ends.
  private var counts: [UInt32]
  private var cpuCounts: [UInt32]
  /// The number of blocks timed.
  public private(set) var blockCount = 0
  /// The longest block on the wall clock, in seconds.
  public private(set) var longest = 0.0
  /// The CPU time of that block, in seconds.
  public private(set) var longestOnCPU = 0.0
  /// The longest block on the thread's CPU clock, in seconds.
  public private(set) var longestCPU = 0.0
  /// The frames of a full block and the rate, to compare a block's time with the audio
  /// it made; set by the render that uses the timer.
  public private(set) var blockFrames = 0
  /// Frames per second of the rendered signal.
  public private(set) var sampleRate = 0
  /// Called on the rendering thread after each block is recorded, with the number of
  /// blocks so far: a hook for measuring what happens while rendering (allocations)
  /// from a given block on. It must not allocate or wait.
  public var afterEach: (@Sendable (Int) -> Void)?

  /// The steps of the histogram: 1 µs each.
  static let steps = 100_000

  /// An empty timer.
  public init() {
    counts = [UInt32](repeating: 0, count: Self.steps)
    cpuCounts = [UInt32](repeating: 0, count: Self.steps)
  }

  /// When a block started, on both clocks.
  public struct Mark: Sendable {
    /// The monotonic clock, in nanoseconds.
    let wall: UInt64
    /// The thread's CPU clock, in nanoseconds.
    let cpu: UInt64
  }

  /// The time now on both clocks, for ``record(since:)``.
  @inline(__always)
  static func mark() -> Mark { Mark(wall: now(), cpu: cpuNow()) }

  /// Says what a full block holds.
  public func describeBlocks(frames: Int, sampleRate: Int) {
    blockFrames = frames
    self.sampleRate = sampleRate
  }

  /// The monotonic clock, in nanoseconds.
  @inline(__always)
  static func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }

  /// The calling thread's CPU clock, in nanoseconds.
  @inline(__always)
  static func cpuNow() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }

  /// Records a block that started at `start` (``mark()``, on this thread) and has just
  /// ended.
  @inline(__always)
  func record(since start: Mark) {
    let end = Self.cpuNow()
    let wall = Self.now() &- start.wall
    // Never more than the wall time: a block that resumed on another thread is counted
    // as all work.
    let cpu = end >= start.cpu ? min(end - start.cpu, wall) : wall
    let seconds = Double(wall) / 1e9
    if seconds > longest {
      longest = seconds
      longestOnCPU = Double(cpu) / 1e9
    }
    longestCPU = max(longestCPU, Double(cpu) / 1e9)
    blockCount += 1
    counts[min(Int(wall / 1_000), Self.steps - 1)] &+= 1
    cpuCounts[min(Int(cpu / 1_000), Self.steps - 1)] &+= 1
    afterEach?(blockCount)
  }

  /// The time on the wall clock, in seconds, within which the fraction `p` (0 to 1) of
  /// the blocks ended; the longest for a fraction past the histogram.
  public func percentile(_ p: Double) -> Double {
    Self.percentile(p, of: counts, blocks: blockCount, longest: longest)
  }

  /// The CPU time, in seconds, within which the fraction `p` (0 to 1) of the blocks
  /// ended.
  public func cpuPercentile(_ p: Double) -> Double {
    Self.percentile(p, of: cpuCounts, blocks: blockCount, longest: longestCPU)
  }

  private static func percentile(
    _ p: Double, of counts: [UInt32], blocks: Int, longest: Double
  ) -> Double {
    guard blocks > 0 else { return 0 }
    let wanted = Int((Double(blocks) * p).rounded(.up))
    var seen = 0
    for (step, count) in counts.enumerated() {
      seen += Int(count)
      if seen >= wanted { return step == steps - 1 ? longest : Double(step + 1) / 1e6 }
    }
    return longest
  }

  /// `12800 blocks of 128 frames (2.67 ms of audio each): median 9 µs, 99.9th
  /// percentile 41 µs (1.5% of a block), longest 320 µs (12.0%; 35 µs of it on the
  /// CPU); on the CPU: 99.9th percentile 38 µs (1.4%), longest 60 µs (2.2%)`.
  public var summary: String {
    let duration = sampleRate > 0 ? Double(blockFrames) / Double(sampleRate) : 0
    func time(_ seconds: Double) -> String {
      seconds < 1e-3
        ? "\(Int((seconds * 1e6).rounded())) µs"
        : String(format: "%.2f ms", seconds * 1e3)
    }
    func share(_ seconds: Double) -> String {
      duration > 0 ? String(format: "%.1f%%", 100 * seconds / duration) : "-"
    }
    let p999 = percentile(0.999)
    let cpuP999 = cpuPercentile(0.999)
    return "\(blockCount) blocks of \(blockFrames) frames (\(time(duration)) of audio each): "
      + "median \(time(percentile(0.5))), 99.9th percentile \(time(p999)) "
      + "(\(share(p999)) of a block), longest \(time(longest)) (\(share(longest)); "
      + "\(time(longestOnCPU)) of it on the CPU); on the CPU: 99.9th percentile "
      + "\(time(cpuP999)) (\(share(cpuP999))), longest \(time(longestCPU)) (\(share(longestCPU)))"
  }
}
