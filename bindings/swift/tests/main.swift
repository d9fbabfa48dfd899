// Swift tests of the UniFFI bindings, compiled with the generated `certify.swift` by swiftc
// (Debian's swiftlang) and run against the one native library (bindings/swift/run_tests.sh).
// Plain checks with a tiny runner, as the Kotlin and Python tests: prints "N passed, N failed".
import Foundation

var passed = 0
var failed = 0

func check(_ cond: Bool, _ what: @autoclosure () -> String) {
    if cond { passed += 1 } else { failed += 1; FileHandle.standardError.write("FAIL \(what())\n".data(using: .utf8)!) }
}

/// Run `block`, expecting a `CertifyError` with `code`; the error, to look at its texts.
@discardableResult
func expectCode<T>(_ code: UInt32, _ what: String, _ block: () throws -> T) -> CertifyError? {
    do {
        _ = try block()
        check(false, "\(what): no error")
    } catch let e as CertifyError {
        if case let .Failed(got, detail, _, _) = e { check(got == code, "\(what): code \(got) (\(detail)) != \(code)") }
        return e
    } catch {
        check(false, "\(what): \(error)")
    }
    return nil
}

/// The Chinese text and reasons of a `CertifyError`.
func texts(_ e: CertifyError?) -> (String, [String]) {
    guard let e, case let .Failed(_, _, detailZh, reasons) = e else { return ("", []) }
    return (detailZh, reasons)
}

let root = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "."
func read(_ path: String) -> Data { FileManager.default.contents(atPath: "\(root)/\(path)") ?? Data() }
func photo(_ name: String) -> Data { read(".deps/testdata/face/\(name)") }
func upload(_ name: String) -> Data { read("target/enrollment-images/\(name).png") }
let runtime = "\(root)/.deps/onnxruntime/libonnxruntime.so"

// Identity numbers, names, the status table.
do {
    let info = try idCheck(input: "110105491231002")
    check(info.normalized == "11010519491231002X" && info.birthDate == "1949-12-31" && info.sex == "female", "15-digit upgrade: \(info)")
} catch { check(false, "idCheck: \(error)") }
expectCode(203, "bad check digit") { try idCheck(input: "110105194912310021") }
check((try? nameMatches(a: "劉曉瑜", b: "刘晓瑜")) == true, "a traditional name matches")
let pucheng = "{\"kind\":\"window\",\"opens\":\"2020-06-03\",\"closes\":\"2020-07-31\",\"suspend_from\":\"2020-08\"}"
let overdue = try? cycleStatus(policyJson: pucheng, lastCertified: nil, pensionStart: "2012-03", today: "2020-08-01")
check(overdue?.status == "overdue" && overdue?.date == "2020-07-31" && overdue?.suspendFrom == "2020-08",
      "Pucheng: suspended from August: \(String(describing: overdue))")
expectCode(401, "a malformed month") { try cycleStatus(policyJson: pucheng, lastCertified: nil, pensionStart: "2012-3", today: "2020-08-01") }
let codes = allStatusCodes()
check(codes.count > 50 && codes.allSatisfy { statusMessage(code: $0) != "unknown status" }, "every code has a message")
check(codes.allSatisfy { c in statusMessageZh(code: c).unicodeScalars.contains { (0x4e00...0x9fff).contains($0.value) } },
      "every code has a Chinese message")

// The face engine: templates, comparisons, a camera frame, liveness, anti-spoof, review.
do {
    let engine = try FaceEngine(modelsDir: "\(root)/models", runtimeLibrary: runtime)
    let a = try engine.template(image: photo("obama.jpg"))
    let b = try engine.template(image: photo("obama2.jpg"))
    let c = try engine.template(image: photo("biden.jpg"))
    check(a.count == 128, "a template has 128 values")
    let same = try engine.compare(a: a, b: b)
    check(same.samePerson && same.distance < same.threshold, "the same man matches: \(same)")
    check(!(try engine.compare(a: a, b: c)).samePerson, "two men do not match")
    expectCode(613, "an undecodable image") { try engine.template(image: Data([1, 2, 3])) }
    // Models from memory, as an iOS app reads them from its bundle: the same templates.
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: "\(root)/models") where !name.hasPrefix(".") {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: "\(root)/models/\(name)", isDirectory: &isDir), !isDir.boolValue {
            files[name] = read("models/\(name)")
        }
    }
    let fromBytes = try FaceEngine.fromModelFiles(files: files, runtimeLibrary: runtime, options: FaceEngineOptions())
    check(try engine.compare(a: a, b: fromBytes.template(image: photo("obama.jpg"))).distance < 1e-4,
          "models from memory give the same template")
    // Raw camera frames: a grey NV21 frame has no face (with advice), a short buffer is refused.
    let grey = CameraFrame(data: Data(repeating: 0x80, count: 320 * 240 * 3 / 2), width: 320, height: 240,
                           stride: 320, format: .nv21, rotationDegrees: 90)
    let (noFace, _) = texts(expectCode(620, "a frame without a face") { try engine.templateFromFrame(frame: grey) })
    check(noFace.contains("人脸"), "the frame's refusal says what to do: \(noFace)")
    let short = CameraFrame(data: Data(repeating: 0x80, count: 100), width: 320, height: 240, stride: 320,
                            format: .nv21, rotationDegrees: 0)
    expectCode(614, "a short frame buffer") { try engine.templateFromFrame(frame: short) }
    // A live head (frames from the live_frames example) passes liveness and matches.
    var live: [Data] = []
    for i in 0..<200 {
        let f = read(String(format: "target/live-frames/frame_%03d.jpg", i))
        if f.isEmpty { break }
        live.append(f)
    }
    let run = try engine.startLivenessWithActions(actions: ["shake_head", "nod"])
    var last: LivenessStep? = nil
    for (i, f) in live.enumerated() { last = try run.pushFrame(image: f, elapsedMs: UInt32(100 * (i + 1))) }
    check(last?.event == "passed", "a live head passes: \(String(describing: last))")
    expectCode(102, "a malformed template leaves the session open") { try run.finish(enrolled: [1, 2, 3]) }
    let decision = try run.finish(enrolled: b)
    check(decision.passed && decision.identityConsistent && decision.mode == "actions", "decision: \(decision)")
    expectCode(106, "a session finishes once") { try run.finish(enrolled: b) }
    // Photographs: refused, with the structured reason and Chinese advice.
    let attack = try engine.startLivenessWithActions(actions: ["open_mouth", "shake_head"])
    let stills = ["obama.jpg", "obama3.jpg", "obama2.jpg"].flatMap { n in Array(repeating: photo(n), count: 4) }
    var refusal: LivenessStep? = nil
    for (i, f) in stills.enumerated() {
        let step = try attack.pushFrame(image: f, elapsedMs: UInt32(100 * (i + 1)))
        if refusal == nil && step.reason != nil { refusal = step }
    }
    check(["frozen", "discontinuous"].contains(refusal?.reason ?? "") && (refusal?.adviceZh ?? "").contains("请"),
          "photographs refused with advice: \(String(describing: refusal))")
    let no = try attack.finish(enrolled: b)
    check(!no.passed && no.reason == refusal?.reason && no.distance == nil, "the photographs' decision: \(no)")
    // The anti-spoof model with a threshold no face reaches: its score is reported and decides.
    let strict = try FaceEngine.withOptions(modelsDir: "\(root)/models", runtimeLibrary: runtime,
                                            optionsJson: "{\"antispoof\": \"human_antispoof\", \"antispoof_threshold\": 0.999}")
    let strictRun = try strict.startLivenessWithActions(actions: ["shake_head", "nod"])
    for (i, f) in live.enumerated() { _ = try strictRun.pushFrame(image: f, elapsedMs: UInt32(100 * (i + 1))) }
    let spoof = try strictRun.finish(enrolled: b)
    check(!spoof.passed && spoof.reason == "spoof_suspected" && spoof.antispoof != nil, "anti-spoof decides: \(spoof)")
    // Enrollment review: the holder's set passes against the authority's portrait, a forged one not.
    let own = try engine.reviewEnrollment(cardFront: upload("card_front"), cardBack: upload("card_back"),
                                          selfie: upload("selfie"), reference: upload("reference"))
    check(own.passed && own.template?.count == 128 && own.hadReference, "the holder's own set passes: \(own)")
    let forged = try engine.reviewEnrollment(cardFront: upload("forged_front"), cardBack: upload("card_back"),
                                             selfie: upload("forged_selfie"), reference: upload("reference"))
    check(!forged.passed && forged.issues == ["face_mismatch"] && forged.adviceZh.first?.contains("请") == true,
          "a forged set fails with advice: \(forged)")
    check(try engine.cardPortrait(cardFront: upload("card_back")) == nil, "no portrait on a card's back")
    let (dark, reasons) = texts(expectCode(620, "a dark photo") { try engine.template(image: upload("dark_photo")) })
    check(reasons.contains("too_dark") && dark.contains("光线太暗"), "a dark photo says why: \(dark) \(reasons)")
} catch {
    check(false, "face engine: \(error)")
}
expectCode(601, "missing models") { try FaceEngine(modelsDir: "/nonexistent", runtimeLibrary: runtime) }

// The voice engine: enrollment, a genuine attempt, a silent one refused with advice.
do {
    let voice = try VoiceEngine(modelsDir: "\(root)/models", runtimeLibrary: runtime)
    let prompts = ["01234567", "89012345", "67890123", "45678901", "23456789"]
    let recordings = (0..<5).map { VoiceRecording(wav: read(".deps/testdata/voice/cmn_m1_enroll\($0).wav"), prompt: prompts[$0]) }
    let enrolled = try voice.enroll(recordings: recordings)
    guard let template = enrolled.templateJson else { throw CertifyError.Failed(code: 0, detail: "no template", detailZh: "", reasons: []) }
    let ok = try voice.verify(templateJson: template, wav: read(".deps/testdata/voice/cmn_m1_test0.wav"), prompt: "73920581")
    check(ok.passed && ok.sameSpeaker, "the enrolled speaker passes: \(ok)")
    let silence = try voice.verify(templateJson: template, wav: read(".deps/testdata/voice/silence.wav"), prompt: "73920581")
    let advice = silence.issues.firstIndex(of: "no_speech").map { silence.adviceZh[$0] } ?? ""
    check(!silence.passed && advice.contains("没有听到声音"), "silence refused with advice: \(silence)")
} catch {
    check(false, "voice engine: \(error)")
}

// Evidence: signed on the device, verified once on the server, refused when expired.
do {
    let t0: Int64 = 1_591_322_400
    let challenge = try issueChallenge(subjectId: "610526195503011236", modality: "face", ttlSeconds: 120, nowUnix: t0)
    let signer = EvidenceSigner.generate()
    let token = try signer.sign(challengeJson: challenge, operatorId: "610526195503011236", livenessPassed: true,
                                matched: true, scoreMilli: 401, ttlSeconds: 60, nowUnix: t0 + 5)
    let verifier = try EvidenceVerifier(publicKey: signer.publicKey())
    let info = try verifier.verify(token: token, challengeJson: challenge, nowUnix: t0 + 10)
    check(info.passed && info.claimsJson.contains("\"score_milli\":401"), "evidence verified: \(info)")
    expectCode(505, "a token is accepted once") { try verifier.verify(token: token, challengeJson: challenge, nowUnix: t0 + 11) }
    check(operations().contains("deadline.run"), "the whole-flow operations are listed")
    expectCode(105, "an unknown operation") { try call(op: "account.steal", requestJson: "{}", nowUnix: t0) }
} catch {
    check(false, "evidence: \(error)")
}

print("\(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
