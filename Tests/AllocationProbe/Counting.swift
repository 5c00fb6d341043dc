import Foundation
import MallocInterposerSwift
import Synchronization

/// The thread whose allocations count, set when counting starts.
nonisolated(unsafe) var countedThread = pthread_self()
let counting = Atomic<Bool>(false)
let allocations = Atomic<Int>(0)
let allocatedBytes = Atomic<Int>(0)

/// With `AST_ALLOCATIONS_TRAP=N` in the environment, the first N allocations counted
/// raise `SIGTRAP`: run under a debugger, it stops at each with the stack that allocates.
let trapLimit = Int(ProcessInfo.processInfo.environment["AST_ALLOCATIONS_TRAP"] ?? "") ?? 0
/// Set when the render starts being counted, so that the check of the interposer does not
/// trap.
let armed = Atomic<Bool>(false)

/// The hook installed in the interposer.
let hook: MallocInterposerSwift.AllocationHook = { size in
  guard counting.load(ordering: .relaxed), pthread_equal(pthread_self(), countedThread) != 0
  else { return }
  let seen = allocations.add(1, ordering: .relaxed).newValue
  allocatedBytes.add(size, ordering: .relaxed)
  if seen <= trapLimit, armed.load(ordering: .relaxed) { raise(SIGTRAP) }
}
