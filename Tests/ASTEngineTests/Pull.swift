@testable import ASTEngine

extension AudioNode {
  /// One block as a render loop takes it: the ready pass, then the render.
  func pull(into buffer: AudioBuffer, frames: Int) async throws -> Int {
    try await ready(frames: frames)
    return try render(into: buffer, frames: frames)
  }
}
