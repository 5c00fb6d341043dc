/// Elementwise loops over a block, kept out of the nodes' `async` render methods.
///
/// Inside an `async` function the loop's bound and pointers live in the task's frame,
/// and the compiler cannot tell that the loop's stores leave that frame alone, so it
/// reloads them every sample and the loop stays scalar. Called as ordinary functions
/// (never inlined back into the async caller) the same loops vectorise.
enum BlockKernels {
  /// `y[i] *= g`.
  @inline(never)
  static func scale(_ y: UnsafeMutablePointer<Float>, count: Int, by g: Float) {
    for index in 0..<count { y[index] *= g }
  }

  /// `y[i] *= g[i]`.
  @inline(never)
  static func multiply(
    _ y: UnsafeMutablePointer<Float>, by g: UnsafePointer<Float>, count: Int
  ) {
    for index in 0..<count { y[index] *= g[index] }
  }

  /// `y[i] += x[i]`.
  @inline(never)
  static func accumulate(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    for index in 0..<count { y[index] += x[index] }
  }

  /// `output[i] = x[i] op y[i]`.
  @inline(never)
  static func apply(
    _ operation: SignalOperation, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
    into output: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch operation {
    case .add: for index in 0..<count { output[index] = x[index] + y[index] }
    case .subtract: for index in 0..<count { output[index] = x[index] - y[index] }
    case .multiply: for index in 0..<count { output[index] = x[index] * y[index] }
    case .divide: for index in 0..<count { output[index] = x[index] / y[index] }
    }
  }

  /// `output[i] = x[i] op b`, or `b op x[i]` when `numberFirst`.
  @inline(never)
  static func apply(
    _ operation: SignalOperation, _ x: UnsafePointer<Float>, _ b: Float, numberFirst: Bool,
    into output: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch (operation, numberFirst) {
    case (.add, _): for index in 0..<count { output[index] = x[index] + b }
    case (.multiply, _): for index in 0..<count { output[index] = x[index] * b }
    case (.subtract, false): for index in 0..<count { output[index] = x[index] - b }
    case (.subtract, true): for index in 0..<count { output[index] = b - x[index] }
    case (.divide, false): for index in 0..<count { output[index] = x[index] / b }
    case (.divide, true): for index in 0..<count { output[index] = b / x[index] }
    }
  }

  /// `y[i] = min(max(x[i], -limit), limit)`.
  @inline(never)
  static func clip(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int, limit: Float
  ) {
    for index in 0..<count { y[index] = min(max(x[index], -limit), limit) }
  }
}
