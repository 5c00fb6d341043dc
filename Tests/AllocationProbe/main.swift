// Counts the allocations made on the render thread while a script's `out` renders,
// from a given block on: the steady state of a render, which allocates nothing.
//
//     LD_PRELOAD=libMallocInterposerSwift.so ast-allocations SCRIPT BLOCK_SIZE FIRST COUNT [DEVICE]
//
// renders `out` of SCRIPT in blocks of BLOCK_SIZE frames, counts every allocation that
// the rendering thread makes during blocks FIRST+1 to FIRST+COUNT (the ready pass and
// the render of each, and with DEVICE, an ALSA device that `out` is played on with a
// period of BLOCK_SIZE, the output stage and the device's writes), and prints one JSON
// line: whether the allocator was interposed at all, the blocks rendered, and the
// allocations and bytes counted.

import ASTEngine
import ASTRuntime
import ASTSemantics
import ASTSyntax
import Foundation
import MallocInterposerSwift
import Synchronization

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data(("ast-allocations: " + message + "\n").utf8))
  exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count == 5 || arguments.count == 6, let blockSize = Int(arguments[2]),
  let first = Int(arguments[3]), let count = Int(arguments[4]), blockSize > 0, first >= 0,
  count > 0
else { fail("usage: ast-allocations SCRIPT BLOCK_SIZE FIRST COUNT [DEVICE]") }
guard let data = FileManager.default.contents(atPath: arguments[1]) else {
  fail("cannot read '\(arguments[1])'")
}

// The hook's globals are made before it is installed: made lazily inside an allocation,
// they would allocate within it.
_ = (counting.load(ordering: .relaxed), armed.load(ordering: .relaxed))
_ = (allocations.load(ordering: .relaxed), allocatedBytes.load(ordering: .relaxed))
_ = (trapLimit, countedThread)
MallocInterposerSwift.initialize()
MallocInterposerSwift.setAllocationHook(hook)

// Whether the allocator is interposed: an allocation made while counting is seen.
countedThread = pthread_self()
MallocInterposerSwift.hook()
counting.store(true, ordering: .relaxed)
let probe = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
counting.store(false, ordering: .relaxed)
MallocInterposerSwift.unhook()
probe.deallocate()
let interposed = allocations.load(ordering: .relaxed) > 0
allocations.store(0, ordering: .relaxed)
allocatedBytes.store(0, ordering: .relaxed)

let directory = (arguments[1] as NSString).deletingLastPathComponent
let source = Source(name: arguments[1], bytes: [UInt8](data))
let check = Checker.check(
  source, options: CheckOptions(baseDirectory: directory.isEmpty ? nil : directory))
if check.diagnostics.containsErrors {
  fail(DiagnosticRenderer(source: source).render(check.diagnostics))
}
let timer = BlockTimer()
timer.afterEach = { blocks in
  if blocks == first {
    armed.store(true, ordering: .relaxed)
    countedThread = pthread_self()
    MallocInterposerSwift.hook()
    counting.store(true, ordering: .relaxed)
  } else if blocks == first + count {
    counting.store(false, ordering: .relaxed)
    MallocInterposerSwift.unhook()
  }
}
var options = RunOptions(
  blockSize: blockSize, baseDirectory: directory.isEmpty ? nil : directory,
  output: SilentOutput())
options.blockTimer = timer
if arguments.count == 6 {
  options.play = PlaybackRequest(device: arguments[5], periodFrames: blockSize, periods: 3)
}
do {
  _ = try await Evaluator(check: check, options: options).run()
} catch {
  fail("\(error)")
}
counting.store(false, ordering: .relaxed)
print(
  "{\"interposed\": \(interposed), \"blocks\": \(timer.blockCount), \"counted\": "
    + "\(min(count, max(0, timer.blockCount - first))), \"allocations\": "
    + "\(allocations.load(ordering: .relaxed)), \"bytes\": "
    + "\(allocatedBytes.load(ordering: .relaxed))}")
