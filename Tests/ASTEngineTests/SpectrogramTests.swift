import ASTTestSupport
import Foundation
import Testing

@testable import ASTEngine

@Suite("Spectrogram pictures")
struct SpectrogramTests {
  /// A PNG read back: its width, height and RGB pixels.
  struct Read {
    let width: Int
    let height: Int
    let rgb: [UInt8]

    /// The colour at `x`, `y`.
    func pixel(_ x: Int, _ y: Int) -> PictureCanvas.Color {
      let index = (y * width + x) * 3
      return (rgb[index], rgb[index + 1], rgb[index + 2])
    }
  }

  /// How bright a colour is; the colour map grows brighter with the level.
  func brightness(_ color: PictureCanvas.Color) -> Int {
    Int(color.0) + Int(color.1) + Int(color.2)
  }

  /// A second of half-scale sines, `frequencies[c]` in channel `c`, drawn, written as a
  /// PNG and read back.
  func drawn(_ frequencies: [Double], rate: Int = 44_100) throws -> (SpectrogramPicture, Read) {
    let picture = SpectrogramPicture(
      sampleRate: rate, channelCount: frequencies.count, frameCount: rate)
    let block = 1_000
    let buffer = AudioBuffer(channelCount: frequencies.count, capacity: block)
    for start in stride(from: 0, to: rate, by: block) {
      let count = min(block, rate - start)
      for (channel, frequency) in frequencies.enumerated() {
        for frame in 0..<count {
          let phase = 2 * Double.pi * frequency * Double(start + frame) / Double(rate)
          buffer.channel(channel)[frame] = Float(0.5 * sin(phase))
        }
      }
      picture.add(buffer, frames: count)
    }
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let path = directory.file("s.png")
    try picture.write(to: path, displayPath: "s.png")
    let read = try #require(PictureFile.readPNG(path))
    return (picture, Read(width: read.width, height: read.height, rgb: read.rgb))
  }

  @Test("each channel has its own lane: a tone in one channel shows in its lane only")
  func lanes() throws {
    let (picture, read) = try drawn([1_000, 4_000])
    let x = SpectrogramPicture.axisWidth + picture.spectrumWidth / 2
    let bright = brightness(SpectrogramPicture.color(forLevel: -12))
    let dark = brightness(SpectrogramPicture.color(forLevel: -60))
    for (channel, (present, absent)) in [(1_000.0, 4_000.0), (4_000, 1_000)].enumerated() {
      let top = picture.laneTop(channel)
      let loud = brightness(read.pixel(x, top + picture.row(forFrequency: present)))
      let quiet = brightness(read.pixel(x, top + picture.row(forFrequency: absent)))
      #expect(loud >= bright, "channel \(channel) at \(present) Hz")
      #expect(quiet <= dark, "channel \(channel) at \(absent) Hz")
    }
    #expect(picture.laneTop(1) >= picture.laneHeight)
  }

  @Test("the picture grows by a lane for each channel")
  func heights() throws {
    let (mono, monoRead) = try drawn([1_000], rate: 8_000)
    let (stereo, stereoRead) = try drawn([1_000, 2_000], rate: 8_000)
    let gap = SpectrogramPicture.laneGap
    #expect(mono.height == 400 + TimeAxis.height)
    #expect(stereo.height == 2 * 400 + gap + TimeAxis.height)
    #expect(monoRead.width == 1200 && monoRead.height == mono.height)
    #expect(stereoRead.width == 1200 && stereoRead.height == stereo.height)
  }

  @Test("the frequency axis marks 100 Hz, 1 kHz and 10 kHz at the rows where those tones show")
  func frequencyAxis() throws {
    for frequency in [100.0, 1_000, 10_000] {
      let (picture, read) = try drawn([frequency])
      // The tick marks: dark pixels in the axis's last column, clear of the labels.
      let tickColumn = SpectrogramPicture.axisWidth - 2
      let ticks = (0..<picture.laneHeight).filter { brightness(read.pixel(tickColumn, $0)) < 300 }
      // The tone: the brightest rows of a column in the middle of the spectrum.
      let x = SpectrogramPicture.axisWidth + picture.spectrumWidth / 2
      let column = (0..<picture.laneHeight).map { brightness(read.pixel(x, $0)) }
      let loudest = try #require(column.max())
      let rows = column.indices.filter { column[$0] == loudest }
      let first = try #require(rows.first)
      let last = try #require(rows.last)
      #expect(
        ticks.contains { $0 >= first - 1 && $0 <= last + 1 },
        "\(frequency) Hz shows in rows \(first)...\(last); ticks at \(ticks)")
    }
    let wide = SpectrogramPicture(sampleRate: 44_100, channelCount: 1, frameCount: nil)
    let labels = wide.frequencyTicks().map(\.text)
    #expect(["100", "1k", "10k"].allSatisfy(labels.contains), "\(labels)")
    #expect(labels == ["20k", "10k", "5k", "2k", "1k", "500", "200", "100", "50", "20"])
    let narrow = SpectrogramPicture(sampleRate: 8_000, channelCount: 1, frameCount: nil)
    #expect(narrow.frequencyTicks().map(\.text).contains("1k"))
    #expect(!narrow.frequencyTicks().map(\.text).contains("10k"))
    // In a small lane the decades stay and the steps between them give way.
    let small = SpectrogramPicture(
      sampleRate: 44_100, channelCount: 1, frameCount: nil, laneHeight: 40)
    #expect(small.frequencyTicks().map(\.text) == ["10k", "1k", "100"])
  }

  @Test("the legend runs from the colour of 0 dBFS at the top to that of -100 at the bottom")
  func legend() throws {
    let (picture, read) = try drawn([1_000])
    let bar = picture.legendBar
    let x = bar.columns.lowerBound + bar.columns.count / 2
    let colors = bar.rows.map { read.pixel(x, $0) }
    func same(_ a: PictureCanvas.Color, _ b: PictureCanvas.Color) -> Bool {
      a.0 == b.0 && a.1 == b.1 && a.2 == b.2
    }
    #expect(same(colors[0], SpectrogramPicture.color(forLevel: 0)))
    #expect(same(colors[colors.count - 1], SpectrogramPicture.color(forLevel: -100)))
    let shades = colors.map(brightness)
    // Darker down the bar (rounding each component may lift a shade by a step or two).
    #expect(zip(shades, shades.dropFirst()).allSatisfy { $0 + 2 >= $1 })
    #expect(zip(shades, shades.dropFirst(20)).allSatisfy { $0 > $1 })
    #expect(bar.rows.count > 300)
    let ticks = picture.legendTicks()
    #expect(ticks.map(\.text) == ["0", "-20", "-40", "-60", "-80", "-100"])
    for (index, tick) in ticks.enumerated() {
      // The bar's colour where each tick is, and a mark right of the bar.
      let level = Float(-20 * index)
      #expect(
        abs(
          brightness(read.pixel(x, tick.row))
            - brightness(SpectrogramPicture.color(forLevel: level)))
          <= 3, "\(tick.text)")
      #expect(brightness(read.pixel(bar.columns.upperBound + 1, tick.row)) < 300)
    }
    // The units: `dBFS` above the bar, `Hz` under the frequency axis.
    let unit = (4..<14).flatMap { y in bar.columns.map { (x: $0, y: y) } }
    #expect(unit.contains { brightness(read.pixel($0.x, $0.y)) < 300 })
    let hertz = (0..<TimeAxis.height).flatMap { y in
      (0..<SpectrogramPicture.axisWidth).map { (x: $0, y: picture.laneHeight + y) }
    }
    #expect(hertz.contains { brightness(read.pixel($0.x, $0.y)) < 300 })
  }
}
