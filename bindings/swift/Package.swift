// swift-tools-version:5.9
// The Swift package of certify for iOS and macOS apps: the UniFFI-generated Swift API
// (Sources/Certify/certify.swift) over the native library as certifyFFI.xcframework, both
// made by build_xcframework.sh on a Mac (see README.md). The models and ONNX Runtime are the
// app's to bundle: FaceEngine.fromModelFiles / VoiceEngine.fromModelFiles take them as bytes.
import PackageDescription

let package = Package(
    name: "Certify",
    platforms: [.iOS(.v13), .macOS(.v11)],
    products: [
        .library(name: "Certify", targets: ["Certify"]),
    ],
    targets: [
        .binaryTarget(name: "certifyFFI", path: "build/certifyFFI.xcframework"),
        .target(name: "Certify", dependencies: ["certifyFFI"], path: "Sources/Certify"),
    ]
)
