@testable import ASTEngine

extension AudioNode {
  /// One block as a render loop takes it: the ready pass, then the render.
  func pull(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    try await ready(frames: frames)
    return try render(into: buffer, frames: frames)
  }
}

/// A saw of `frames` frames at 8 kHz and amplitude 0.1: a note for the tests of sums.
func sawNote(_ frequency: Double, frames: Int, context: RenderContext) -> AudioNode {
  OscillatorNode(
    waveform: .saw, frequency: ParameterSignal(constant: frequency),
    amplitude: ParameterSignal(constant: 0.1), sampleRate: 8_000, frameCount: frames,
    context: context)
}
