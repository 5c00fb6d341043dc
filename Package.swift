// swift-tools-version: 6.0
import PackageDescription

// Release builds (benchmarks, the demo) are made for the vector unit of the machine that
// builds them, where they also run: without it rounding and fused multiply-add become
// library calls. Debug builds, which the tests use, stay generic.
let releaseForThisMachine: [SwiftSetting] = [
  .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))
]

let package = Package(
  name: "ast",
  products: [
    .library(name: "ASTCore", targets: ["ASTCore"]),
    .library(name: "ASTEngine", targets: ["ASTEngine"]),
    .library(name: "ASTSyntax", targets: ["ASTSyntax"]),
    .library(name: "ASTSemantics", targets: ["ASTSemantics"]),
    .library(name: "ASTRuntime", targets: ["ASTRuntime"]),
    .executable(name: "ast", targets: ["ASTTool"]),
    .executable(name: "ast-fuzz", targets: ["ASTFuzzTool"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
  ],
  targets: [
    // Layer 1: C libraries.
    .systemLibrary(
      name: "CSndFile",
      pkgConfig: "sndfile",
      providers: [.apt(["libsndfile1-dev"])]
    ),
    .systemLibrary(
      name: "CALSA",
      pkgConfig: "alsa",
      providers: [.apt(["libasound2-dev"])]
    ),
    .systemLibrary(
      name: "CMPG123",
      pkgConfig: "libmpg123",
      providers: [.apt(["libmpg123-dev"])]
    ),
    .systemLibrary(
      name: "CSoxr",
      pkgConfig: "soxr",
      providers: [.apt(["libsoxr-dev"])]
    ),
    .systemLibrary(
      name: "CPNG",
      pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]
    ),
    .systemLibrary(
      name: "CFFTW",
      pkgConfig: "fftw3f",
      providers: [.apt(["libfftw3-dev"])]
    ),
    .systemLibrary(
      name: "CEditLine",
      pkgConfig: "libedit",
      providers: [.apt(["libedit-dev"])]
    ),
    // The interactive session's Ctrl-C: one flag and a wake-up pipe, defined in a C
    // source file, shared by the signal handler, the prompt and the render's watcher.
    .target(name: "CInterrupt"),
    // Temporary files removed on a terminating signal: a table and a signal handler in C,
    // which may neither lock nor allocate.
    .target(name: "CCleanup"),
    // Layer 2: the AudioStream value, conversions, segments, files, resampling, channels.
    .target(
      name: "ASTCore",
      dependencies: ["CSndFile", "CMPG123", "CALSA", "CSoxr", "CCleanup"],
      swiftSettings: releaseForThisMachine
    ),
    // Layer 3: the streaming engine: DSP nodes pulled in blocks.
    .target(
      name: "ASTEngine",
      dependencies: ["ASTCore", "CPNG", "CFFTW"],
      swiftSettings: releaseForThisMachine
    ),
    // Layer 4, the language, by concern. The front end: sources, lexer, parser, syntax
    // trees, printer, formatter, diagnostics.
    .target(name: "ASTSyntax"),
    // The semantics: types, the builtin declarations (each with how it builds its node),
    // the checker, the sandbox.
    .target(
      name: "ASTSemantics",
      dependencies: ["ASTSyntax", "ASTCore", "ASTEngine"]
    ),
    // The runtime: the evaluator, the session, script runs and golden fingerprints.
    .target(
      name: "ASTRuntime",
      dependencies: ["ASTSemantics", "ASTSyntax", "ASTCore", "ASTEngine"]
    ),
    // Layer 5: the `ast` command.
    .executableTarget(
      name: "ASTTool",
      dependencies: [
        "ASTCore",
        "ASTEngine",
        "ASTSyntax",
        "ASTSemantics",
        "ASTRuntime",
        "CEditLine",
        "CInterrupt",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Fuzzing the language: a C guard that names the input of a crash or hang, seeded
    // generators and mutators of scripts, the front end's and the run time's targets,
    // and the `ast-fuzz` command.
    .target(name: "CFuzzGuard"),
    .target(
      name: "ASTFuzzing",
      dependencies: ["ASTSyntax", "ASTSemantics", "ASTEngine", "ASTRuntime", "CFuzzGuard"]
    ),
    .executableTarget(
      name: "ASTFuzzTool",
      dependencies: [
        "ASTFuzzing",
        "CFuzzGuard",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Helpers shared by the test targets: temporary directories, running programs,
    // sample arrays.
    .target(
      name: "ASTTestSupport",
      dependencies: ["CPseudoTerminal"],
      path: "Tests/ASTTestSupport"
    ),
    // Counts the allocations of a render's steady state, with the allocator interposed
    // (`LD_PRELOAD`): the test that the render thread allocates nothing runs it.
    .executableTarget(
      name: "ast-allocations",
      dependencies: [
        "ASTEngine", "ASTRuntime", "ASTSemantics", "ASTSyntax",
        .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
      ],
      path: "Tests/AllocationProbe"
    ),
    // A pseudo-terminal for driving the interactive session in tests.
    .target(
      name: "CPseudoTerminal",
      path: "Tests/CPseudoTerminal",
      linkerSettings: [.linkedLibrary("util")]
    ),
    .testTarget(
      name: "ASTCoreTests",
      dependencies: ["ASTCore", "ASTTestSupport"]
    ),
    .testTarget(
      name: "ASTEngineTests",
      dependencies: ["ASTEngine", "ASTCore", "ASTTestSupport"]
    ),
    .testTarget(
      name: "ASTSyntaxTests",
      dependencies: ["ASTSyntax", "ASTTestSupport"]
    ),
    .testTarget(
      name: "ASTSemanticsTests",
      dependencies: ["ASTSemantics", "ASTSyntax", "ASTCore", "ASTTestSupport"]
    ),
    .testTarget(
      name: "ASTRuntimeTests",
      dependencies: [
        "ASTRuntime", "ASTSemantics", "ASTSyntax", "ASTCore", "ASTEngine", "ASTTestSupport",
      ]
    ),
    .testTarget(
      name: "ASTFuzzingTests",
      dependencies: ["ASTFuzzing", "ASTFuzzTool", "ASTSemantics", "ASTSyntax", "ASTTestSupport"]
    ),
    .testTarget(
      name: "SystemLibraryTests",
      dependencies: ["CEditLine", "CSndFile", "CSoxr"]
    ),
    .testTarget(
      name: "ASTToolTests",
      dependencies: [
        "ASTTool", "ASTRuntime", "ASTSemantics", "ASTSyntax", "ASTCore", "ASTTestSupport",
      ]
    ),
  ]
)
