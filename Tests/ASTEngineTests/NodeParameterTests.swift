import ASTEngine
import Testing

@Suite("Node parameters")
struct NodeParameterTests {
  /// Every parameter the nodes declare.
  static let declared: [NodeParameter] =
    OscillatorNode.parameters + NoiseNode.parameters
    + SweepNode.parameters + GainNode.parameters + PanNode.parameters + ClipNode.parameters
    + MaterializedNode.parameters + BiquadNode.parameters + EnvelopeNode.parameters
    + DelayNode.parameters + ReverbNode.parameters + DriveNode.parameters
    + CompressorNode.parameters + SliceNode.parameters + RepeatNode.parameters
    + PadNode.parameters + OverlayNode.parameters + ResampleNode.parameters
    + ChunkerSource.parameters + InputSource.parameters

  @Test("a value out of range is refused in words that name the parameter, value and range")
  func messages() {
    #expect(
      DelayNode.feedback.validate(2, sampleRate: nil)?.description
        == "'feedback' must be greater than -1 and less than 1, got 2")
    #expect(DelayNode.feedback.validate(-1, sampleRate: nil) != nil)
    #expect(DelayNode.feedback.validate(0.99, sampleRate: nil) == nil)
    #expect(
      DriveNode.amount.validate(0, sampleRate: nil)?.description
        == "'amount' must be greater than 0, got 0")
    #expect(
      DelayNode.time.validate(-0.5, sampleRate: nil)?.description
        == "'time' must be at least 0, got -0.5 s")
    #expect(
      ReverbNode.wet.validate(1.5, sampleRate: nil)?.message(subject: "'wet' of 'reverb'")
        == "'wet' of 'reverb' must be between 0 and 1, got 1.5")
    #expect(
      CompressorNode.threshold.validate(3, sampleRate: nil)?.description
        == "'threshold' must be at most 0, got 3")
  }

  @Test("a bound at the Nyquist frequency holds at a known rate only, and says what it is")
  func nyquist() {
    let frequency = BiquadNode.frequency
    #expect(frequency.validate(30_000, sampleRate: nil) == nil)
    #expect(frequency.validate(22_049, sampleRate: 44_100) == nil)
    let error = frequency.validate(22_050, sampleRate: 44_100)
    #expect(error?.problem == .aboveNyquist(.audible, sampleRate: 44_100))
    #expect(
      error?.description
        == "'frequency' must be greater than 0 and below the Nyquist frequency (half the "
        + "sample rate), got 22050 Hz")
    #expect(error?.note == "at 44100 Hz the Nyquist frequency is 22050 Hz")
    // Below the lower bound is not a Nyquist matter.
    let negative = frequency.validate(-1, sampleRate: 44_100)
    #expect(negative?.problem == .outside(.audible))
    #expect(negative?.note == nil)
  }

  @Test("a value must be finite, and whole where the range says so")
  func finiteAndWhole() {
    #expect(
      BiquadNode.gain.validate(.infinity, sampleRate: nil)?.description
        == "'gain' must be a finite number")
    #expect(BiquadNode.gain.validate(-300, sampleRate: nil) == nil)
    #expect(DelayNode.mix.validate(.nan, sampleRate: nil)?.problem == .notFinite)
    #expect(
      RepeatNode.count.validate(2.5, sampleRate: nil)?.description
        == "'count' must be a whole number, got 2.5")
    #expect(RepeatNode.count.validate(3, sampleRate: nil) == nil)
    #expect(
      InputSource.channelCount.validate(65, sampleRate: nil)?.description
        == "'channelCount' must be between 1 and 64, got 65")
  }

  @Test("ranges describe themselves as the reference and the messages word them")
  func descriptions() {
    #expect(ParameterRange.unit.description == "between 0 and 1")
    #expect(ParameterRange.positive.description == "greater than 0")
    #expect(ParameterRange.nonNegative.description == "at least 0")
    #expect(
      ParameterRange.audible.description
        == "greater than 0 and below the Nyquist frequency (half the sample rate)")
    #expect(
      ParameterRange(lower: .inclusive(0), isInteger: true).description
        == "a whole number and at least 0")
    #expect(ParameterRange(upper: .exclusive(1)).description == "less than 1")
  }

  @Test("every declared default lies in its own range")
  func defaultsFit() {
    for parameter in Self.declared {
      guard let value = parameter.defaultValue else { continue }
      #expect(
        parameter.validate(value, sampleRate: 44_100) == nil, "\(parameter.name)'s default")
    }
    #expect(EffectTail.parameter.range == .nonNegative)
    #expect(BiquadNode.q.withDefault(1).defaultValue == 1)
    #expect(BiquadNode.q.withDefault(1).range == BiquadNode.q.range)
  }
}
