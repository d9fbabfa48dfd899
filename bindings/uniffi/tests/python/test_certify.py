"""Python tests of the UniFFI bindings (run by bindings/uniffi/run_tests.sh).

Plain asserts with a tiny runner, so no test framework is needed; prints "N passed, N failed".
"""
import os
import sys
import traceback

import certify

ROOT = os.environ.get("CERTIFY_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")))
PHOTOS = os.path.join(ROOT, ".deps", "testdata", "face")
PUCHENG = '{"kind":"window","opens":"2020-06-03","closes":"2020-07-31","suspend_from":"2020-08"}'


def raises_code(code, fn, *args):
    try:
        fn(*args)
    except certify.CertifyError.Failed as e:
        assert e.code == code, f"expected code {code}, got {e.code}: {e.detail}"
        return e
    raise AssertionError(f"expected CertifyError code {code}")


def test_id_check():
    info = certify.id_check("110105491231002")
    assert info.normalized == "11010519491231002X"
    assert info.birth_date == "1949-12-31" and info.sex == "female"
    assert info.region_code == "110105" and info.region_name == "朝阳区" and info.kind == "resident_card"
    e = raises_code(203, certify.id_check, "110105194912310021")
    assert "check" in e.detail


def test_every_code_has_a_message():
    codes = certify.all_status_codes()
    assert 0 in codes and 199 in codes and len(codes) == len(set(codes))
    for c in codes:
        assert certify.status_message(c) not in ("", "unknown status"), c
    assert certify.status_message(99999) == "unknown status"


def test_names():
    assert certify.name_matches("劉曉瑜", "刘晓瑜")
    assert not certify.name_matches("刘晓瑜", "刘婉芸")
    raises_code(210, certify.name_matches, " ", "刘")


def test_cycle():
    s = certify.cycle_status(PUCHENG, None, "2012-03", "2020-08-01")
    assert s.status == "overdue" and s.date == "2020-07-31" and s.suspend_from == "2020-08"
    assert certify.cycle_status(PUCHENG, "2020-06-10", "2012-03", "2020-08-01").status == "certified"
    raises_code(400, certify.cycle_status, '{"kind":"weekly"}', None, "2012-03", "2020-08-01")
    raises_code(401, certify.cycle_status, PUCHENG, None, "2012-3", "2020-08-01")


def test_face_engine():
    raises_code(601, certify.FaceEngine, "/nonexistent", os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    engine = certify.FaceEngine(os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    read = lambda n: open(os.path.join(PHOTOS, n), "rb").read()
    a, b, c = (engine.template(read(n)) for n in ("obama.jpg", "obama2.jpg", "biden.jpg"))
    assert len(a) == 128
    same = engine.compare(a, b)
    assert same.same_person and same.distance < 0.5, same
    other = engine.compare(a, c)
    assert not other.same_person and other.distance > 0.5, other
    raises_code(613, engine.template, b"\x89PNG garbage")
    raises_code(102, engine.compare, a[:3], b)


VOICE = os.path.join(ROOT, ".deps", "testdata", "voice")
ENROLL = ["01234567", "89012345", "67890123", "45678901", "23456789"]


def test_voice_prompts():
    p = certify.voice_enrollment_prompts()
    assert len(p) == 5 and all(len(x) == 8 and x.isdigit() for x in p)
    for d in "0123456789":
        assert sum(x.count(d) for x in p) >= 3, d
    v = certify.voice_verification_prompt(p)
    assert len(v) == 8 and v not in p


def test_voice_enroll_and_verify():
    engine = certify.VoiceEngine(os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    read = lambda n: open(os.path.join(VOICE, n), "rb").read()
    recs = [certify.VoiceRecording(wav=read(f"cmn_m1_enroll{i}.wav"), prompt=ENROLL[i]) for i in range(5)]
    result = engine.enroll(recs)
    assert result.template_json and all(not i for i in result.issues), result.issues
    ok = engine.verify(result.template_json, read("cmn_m1_test0.wav"), "73920581")
    assert ok.passed and ok.same_speaker and ok.digits_heard == "73920581", ok
    replay = engine.verify(result.template_json, read("cmn_m1_enroll0.wav"), "73920581")
    assert not replay.passed
    silence = engine.verify(result.template_json, read("silence.wav"), "73920581")
    assert not silence.passed and "no_speech" in silence.issues, silence
    recs[2] = certify.VoiceRecording(wav=read("silence.wav"), prompt=ENROLL[2])
    bad = engine.enroll(recs)
    assert bad.template_json is None and "no_speech" in bad.issues[2], bad.issues
    raises_code(635, engine.verify, result.template_json, b"RIFFjunk", "73920581")


def test_liveness_session():
    engine = certify.FaceEngine(os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    read = lambda n: open(os.path.join(PHOTOS, n), "rb").read()
    drawn = engine.start_liveness()
    assert 2 <= len(drawn.actions()) <= 3
    run = engine.start_liveness_with_actions(["open_mouth", "shake_head"])
    # Real frames: frontal, mouth closed, then mouth open (turned one way only).
    frames = [read("obama.jpg")] * 3 + [read("obama3.jpg"), read("obama2.jpg")]
    events = [run.push_frame(f, 500 * (i + 1)) for i, f in enumerate(frames)]
    assert "action_done" in events, events
    template = engine.template(read("obama2.jpg"))
    decision = run.finish(template)
    assert not decision.liveness_passed and not decision.passed  # the head was not shaken both ways
    raises_code(102, run.finish, template)  # a session finishes once
    raises_code(102, engine.start_liveness_with_actions, ["juggle"])


def test_evidence_round_trip():
    ch = certify.issue_challenge("11010519491231002X", "face", 120)
    signer = certify.EvidenceSigner.generate()
    token = signer.sign(ch, "11010519491231002X", True, True, 412, 60)
    verifier = certify.EvidenceVerifier(signer.public_key())
    info = verifier.verify(token, ch)
    assert info.passed and info.subject_id == "11010519491231002X" and info.score_milli == 412
    raises_code(505, verifier.verify, token, ch)  # single use
    other = certify.issue_challenge("11010519491231002X", "face", 120)
    raises_code(502, verifier.verify, signer.sign(ch, "11010519491231002X", True, True, 1, 60), other)
    forged = bytearray(signer.sign(ch, "11010519491231002X", True, False, 1, 60))
    forged[20] ^= 1
    raises_code(501, verifier.verify, bytes(forged), ch)
    raises_code(500, verifier.verify, b"junk", ch)
    raises_code(102, certify.EvidenceVerifier, b"short")


def main():
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_") and callable(v)]
    passed = failed = 0
    for t in tests:
        try:
            t()
            passed += 1
        except Exception:
            failed += 1
            print(f"FAIL {t.__name__}", file=sys.stderr)
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
