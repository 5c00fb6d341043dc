import CFFTW
import Foundation

/// FFTW's planner, used one caller at a time.
///
/// FFTW keeps one planner for the whole process and it is not thread-safe: making and
/// destroying plans must never overlap, whichever part of the engine does it (a power
/// spectrum, a spectrogram). Executing a plan that exists is thread-safe and needs no
/// lock.
enum FFTWPlanning {
  /// The one lock of the planner, shared by every caller. (A lock rather than a `Mutex`:
  /// a plan is a pointer made from the caller's arrays, which `Mutex` would not let out.)
  private static let planner = NSLock()

  /// A plan for the real-to-complex transform of `size` samples from `input` into
  /// `output` (`size / 2 + 1` complex values), by estimate (neither array is touched).
  static func realToComplex(
    size: Int, input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<fftwf_complex>
  ) -> fftwf_plan {
    planner.withLock {
      fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_ESTIMATE))
    }
  }

  /// Destroys a plan made by ``realToComplex(size:input:output:)``.
  static func destroy(_ plan: fftwf_plan) {
    planner.withLock { fftwf_destroy_plan(plan) }
  }
}
