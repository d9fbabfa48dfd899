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
    assert "身份证号码" in e.detail_zh and "请" in e.detail_zh


def test_every_code_has_a_message():
    codes = certify.all_status_codes()
    assert 0 in codes and 199 in codes and len(codes) == len(set(codes))
    for c in codes:
        assert certify.status_message(c) not in ("", "unknown status"), c
    assert certify.status_message(99999) == "unknown status"
    for c in codes:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in certify.status_message_zh(c)), c
    assert certify.status_message_zh(203) == certify.status_message_zh(203).strip() != ""


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


def blank_png(width=320, height=240):
    """A grey picture with no face (a valid PNG, stdlib only)."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * (width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_face_engine():
    raises_code(601, certify.FaceEngine, "/nonexistent", os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    engine = certify.FaceEngine(os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    read = lambda n: open(os.path.join(PHOTOS, n), "rb").read()
    a, b, c = (engine.template(read(n)) for n in ("obama.jpg", "obama2.jpg", "biden.jpg"))
    assert len(a) == 128
    same = engine.compare(a, b)
    assert same.same_person and same.distance < same.threshold and abs(same.threshold - 0.5) < 1e-6, same
    other = engine.compare(a, c)
    assert not other.same_person and other.distance > 0.5, other
    raises_code(613, engine.template, b"\x89PNG garbage")
    # A photo without a face: code 620 with the engine's own advice in Chinese.
    e = raises_code(620, engine.template, blank_png())
    assert "人脸" in e.detail_zh and "请" in e.detail_zh, e.detail_zh
    # Raw camera frames: a grey NV21 frame has no face (the engine's advice), a short
    # buffer, an odd rotation are refused with their codes.
    grey = certify.CameraFrame(data=b"\x80" * (320 * 240 * 3 // 2), width=320, height=240, stride=320,
                               format=certify.FrameFormat.NV21, rotation_degrees=0)
    e = raises_code(620, engine.template_from_frame, grey)
    assert "人脸" in e.detail_zh, e.detail_zh
    short = certify.CameraFrame(data=b"\x80" * 100, width=320, height=240, stride=320,
                                format=certify.FrameFormat.NV21, rotation_degrees=0)
    raises_code(614, engine.template_from_frame, short)
    tilted = certify.CameraFrame(data=grey.data, width=320, height=240, stride=320,
                                 format=certify.FrameFormat.NV21, rotation_degrees=45)
    raises_code(102, engine.template_from_frame, tilted)
    raises_code(102, engine.compare, a[:3], b)
    # An authoritative portrait (another photo of the same man) decides at its threshold.
    portrait = read("obama3.jpg")
    own = engine.compare_portrait(a, portrait)
    assert own.same_person and own.distance < own.threshold and abs(own.threshold - 0.5) < 1e-6, own
    assert not engine.compare_portrait(c, portrait).same_person
    raises_code(613, engine.compare_portrait, a, b"\x89PNG garbage")
    raises_code(102, engine.compare_portrait, a[:5], portrait)


def test_typed_engine_options():
    models, lib = os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so")
    plain = certify.FaceEngine(models, lib)
    assert not plain.has_antispoof()
    opts = certify.FaceEngineOptions(antispoof=certify.AntispoofModel.HUMAN_ANTISPOOF, antispoof_threshold=0.7,
                                     portrait_match_threshold=0.45)
    engine = certify.FaceEngine.with_settings(models, lib, opts)
    assert engine.has_antispoof()
    t = engine.thresholds()
    assert abs(t.antispoof_threshold - 0.7) < 1e-6 and abs(t.portrait_match_threshold - 0.45) < 1e-6, t
    assert abs(t.match_threshold - plain.thresholds().match_threshold) < 1e-6, t
    # Silent liveness needs an anti-spoof model: this engine has one.
    engine.start_liveness_with_actions([])
    raises_code(102, certify.FaceEngine.with_settings, models, lib, certify.FaceEngineOptions(match_threshold=5.0))


def test_engines_from_model_bytes():
    """Models handed over as bytes (Android assets, an iOS bundle), checked like files."""
    models, lib = os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so")
    files = {n: open(os.path.join(models, n), "rb").read() for n in os.listdir(models)
             if os.path.isfile(os.path.join(models, n))}
    engine = certify.FaceEngine.from_model_files(files, lib, certify.FaceEngineOptions())
    photo = open(os.path.join(PHOTOS, "obama.jpg"), "rb").read()
    plain = certify.FaceEngine(models, lib)
    assert engine.compare(engine.template(photo), plain.template(photo)).distance < 1e-4
    voice = certify.VoiceEngine.from_model_files(files, lib)
    assert voice is not None
    tampered = dict(files)
    landmark = bytearray(tampered["mp_face_landmark.onnx"])
    landmark[len(landmark) // 2] ^= 1
    tampered["mp_face_landmark.onnx"] = bytes(landmark)
    e = raises_code(602, certify.FaceEngine.from_model_files, tampered, lib, certify.FaceEngineOptions())
    assert "mp_face_landmark.onnx" in e.detail, e.detail


def test_enrollment_review():
    """The holder's own set passes against the authority's portrait; a stranger's forged set
    (his own face on the card) is consistent in itself and fails against it, with advice."""
    engine = certify.FaceEngine(os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    d = os.path.join(ROOT, "target", "enrollment-images")
    img = lambda n: open(os.path.join(d, n + ".png"), "rb").read()
    reference = img("reference")
    own = engine.review_enrollment(img("card_front"), img("card_back"), img("selfie"), reference)
    assert own.passed and own.issues == [] and len(own.template) == 128 and own.had_reference, own
    assert '"result":"passed"' in own.review_json, own.review_json
    forged = engine.review_enrollment(img("forged_front"), img("card_back"), img("forged_selfie"), None)
    assert forged.passed and not forged.had_reference, forged
    forged = engine.review_enrollment(img("forged_front"), img("card_back"), img("forged_selfie"), reference)
    assert not forged.passed and forged.issues == ["face_mismatch"] and forged.template is None, forged
    assert "身份证照片不符" in forged.advice_zh[0] and "counter" in forged.advice_en[0], forged
    raises_code(613, engine.review_enrollment, b"\x89PNG garbage", img("card_back"), img("selfie"), None)
    card = engine.card_portrait(img("card_front"))
    assert card is not None and engine.compare(card, engine.template(reference)).distance < 1.0
    assert engine.card_portrait(img("card_back")) is None


def test_photo_check():
    """A dark photo: the template call fails with 620 and its reasons, and the check says
    why with advice in both languages; a photo without a face says so; a good one is usable."""
    engine = certify.FaceEngine(os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    dark = open(os.path.join(ROOT, "target", "enrollment-images", "dark_photo.png"), "rb").read()
    e = raises_code(620, engine.template, dark)
    assert "too_dark" in e.reasons and "光线太暗" in e.detail_zh and "too dark" in e.detail, e
    check = engine.check_photo(dark)
    assert not check.usable and "too_dark" in [i.code for i in check.issues], check
    assert [i.code for i in check.issues if i.blocking] == e.reasons, (check, e.reasons)
    assert "光线太暗" in check.advice_zh and "too dark" in check.advice_en, check
    blank = engine.check_photo(blank_png())
    assert not blank.usable and [i.code for i in blank.issues] == ["no_face"] and "人脸" in blank.advice_zh, blank
    assert engine.check_photo(open(os.path.join(PHOTOS, "obama.jpg"), "rb").read()).usable
    raises_code(613, engine.check_photo, b"\x89PNG garbage")
    assert raises_code(613, engine.template, b"\x89PNG garbage").reasons == []


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
    assert len(silence.advice_zh) == len(silence.issues) and "没有听到声音" in silence.advice_zh[silence.issues.index("no_speech")]
    recs[2] = certify.VoiceRecording(wav=read("silence.wav"), prompt=ENROLL[2])
    bad = engine.enroll(recs)
    assert bad.template_json is None and "no_speech" in bad.issues[2], bad.issues
    assert any("请" in a for a in bad.advice_zh[2]), bad.advice_zh
    raises_code(635, engine.verify, result.template_json, b"RIFFjunk", "73920581")
    # With a cohort of other voiceprints (pseudo-random unit vectors) the normalised score decides.
    import json, random
    rng = random.Random(7)
    def unit():
        v = [rng.random() - 0.5 for _ in range(192)]  # CAM++'s length
        n = sum(x * x for x in v) ** 0.5
        return [x / n for x in v]
    cohort = json.dumps({"wideband": [unit() for _ in range(24)]})
    normalised = engine.verify_with_cohort(result.template_json, cohort, read("cmn_m1_test0.wav"), "73920581")
    assert normalised.passed and normalised.speaker_normalized is not None, normalised
    assert ok.speaker_normalized is None
    raises_code(102, engine.verify_with_cohort, result.template_json, json.dumps({"wideband": [unit()]}), read("cmn_m1_test0.wav"), "73920581")
    raises_code(104, engine.verify_with_cohort, result.template_json, "[1,", read("cmn_m1_test0.wav"), "73920581")


def live_frames():
    """A live head shaking and nodding (written by the live_frames example; run_tests.sh)."""
    d = os.path.join(ROOT, "target", "live-frames")
    names = sorted(n for n in os.listdir(d) if n.endswith(".jpg"))
    return [open(os.path.join(d, n), "rb").read() for n in names]


def test_liveness_session():
    engine = certify.FaceEngine(os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"))
    read = lambda n: open(os.path.join(PHOTOS, n), "rb").read()
    drawn = engine.start_liveness()
    assert 2 <= len(drawn.actions()) <= 3
    assert any(a in ("shake_head", "nod") for a in drawn.actions()), drawn.actions()
    template = engine.template(read("obama2.jpg"))
    # A live head passes (explicit times: test only).
    run = engine.start_liveness_with_actions(["shake_head", "nod"])
    steps = [run.push_frame(f, 100 * (i + 1)) for i, f in enumerate(live_frames())]
    assert [s.event for s in steps].count("action_done") == 1 and steps[-1].event == "passed", [s.event for s in steps]
    assert "转头" in steps[0].advice_zh or "点头" in steps[0].advice_zh or steps[0].event == "in_progress"
    # Each step names the action asked for now: shake_head until it is done, then nod.
    done = [s.event for s in steps].index("action_done")
    assert steps[done].action == "nod" and all(s.action == "shake_head" for s in steps[:done] if s.action), steps[:done + 1]
    assert steps[-1].action is None
    # A malformed template is refused before it can spend the session (it used to be spent).
    raises_code(102, run.finish, template[:3])
    decision = run.finish(template)
    assert decision.passed and decision.liveness_passed and decision.identity_consistent, decision
    assert decision.reason is None and decision.mode == "actions"
    # The decision carries what the C and Java JSON carry: frames, parallax, the match.
    assert decision.frames >= 10 and decision.parallax is not None and decision.same_person is True, decision
    assert 0.0 < decision.antispoof_threshold < 1.0, decision
    raises_code(106, run.finish, template)  # a session finishes once
    # Three photographs of the same person: refused, with the reason and Chinese advice.
    run = engine.start_liveness_with_actions(["open_mouth", "shake_head"])
    frames = [read("obama.jpg")] * 4 + [read("obama3.jpg")] * 4 + [read("obama2.jpg")] * 4
    steps = [run.push_frame(f, 100 * (i + 1)) for i, f in enumerate(frames)]
    failed = [s for s in steps if s.reason]
    # The same bytes again are frozen; another photo is a jump.
    assert failed and failed[0].reason in ("frozen", "discontinuous"), [s.event for s in steps]
    assert "请" in failed[0].advice_zh
    decision = run.finish(template)
    assert not decision.passed and decision.reason == failed[0].reason and decision.distance is None, decision
    # Frames timed by the library's monotonic clock; silent mode needs anti-spoof.
    run = engine.start_liveness_with_actions(["nod", "blink"])
    assert run.push_frame(read("obama.jpg")).event == "in_progress"
    # A camera frame with no face in it: the session says so and how to fix it.
    grey = certify.CameraFrame(data=b"\x80" * (320 * 240 * 3 // 2), width=320, height=240, stride=320,
                               format=certify.FrameFormat.NV21, rotation_degrees=90)
    step = run.push_camera_frame(grey)
    assert step.event == "face_missing" and "请" in step.advice_zh, step
    raises_code(621, engine.start_liveness_with_actions, [])
    raises_code(102, engine.start_liveness_with_actions, ["juggle"])
    # Options: the shipped anti-spoof model with a threshold no face reaches decides.
    strict = certify.FaceEngine.with_options(
        os.path.join(ROOT, "models"), os.path.join(ROOT, ".deps/onnxruntime/libonnxruntime.so"),
        '{"antispoof": "human_antispoof", "antispoof_threshold": 0.999}')
    run = strict.start_liveness_with_actions(["shake_head", "nod"])
    for i, f in enumerate(live_frames()):
        run.push_frame(f, 100 * (i + 1))
    decision = run.finish(template)
    assert decision.reason == "spoof_suspected" and decision.antispoof is not None and not decision.passed, decision
    assert strict.start_liveness_with_actions([]).actions() == []  # silent mode runs with anti-spoof
    raises_code(104, certify.FaceEngine.with_options, os.path.join(ROOT, "models"), None, '{"bogus": 1}')


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


import calendar
import json

WANG, ZHAO, LIU = "610526195503011236", "610526195207152042", "610526194801023310"
KEY = "2b" * 32
T0 = calendar.timegm((2020, 6, 5, 2, 0, 0))  # 2020-06-05 10:00 in China
PUCHENG_POLICY = json.loads(PUCHENG)


def entry(pid, name, pension=300000):
    return {"id": pid, "name": name, "scheme": "enterprise", "unit": "蒲城县社保局",
            "monthly_pension": pension, "pension_start": "2012-03"}


def op(operation, now, /, **request):
    return json.loads(certify.call(operation, json.dumps(request), now))


def facts(pid, name, last=None, payment=None):
    return {"person": pid, "roster_entry": entry(pid, name), "scheme": "enterprise",
            "payment": payment or {"status": "active"}, "last_certified": last}


def test_call_failures_have_codes():
    assert "account.register" in certify.operations() and "deadline.run" in certify.operations()
    raises_code(105, certify.call, "account.steal", "{}", T0)
    raises_code(104, certify.call, "account.login_password", "{not json", T0)
    raises_code(104, certify.call, "account.login_password", "{}", T0)


def test_whole_flow_through_call():
    """Registration, lockout and reset, real name, enrollment with manual review, certifying
    oneself and a relative, history, the deadline run, back pay and a unit's declaration."""
    sms = op("sms.issue", T0, phone="13800138000", purpose="register", sms_key=KEY, captcha_passed=False)
    assert sms["refused"]["code"] == 300 and sms["code"] is None
    sms = op("sms.issue", T0, phone="13800138000", purpose="register", sms_key=KEY, captcha_passed=True)
    assert sms["refused"] is None and len(sms["code"]) == 6
    again = op("sms.issue", T0 + 10, phone="13800138000", purpose="register", sms_key=KEY, captcha_passed=True,
               previous=sms["challenge"])
    assert again["refused"]["code"] == 310
    form = dict(phone="13800138000", name="王建国", id_number=WANG, password="pension2020",
                password_repeat="pension2020", roster_entry=entry(WANG, "王建国"), sms_key=KEY)
    wrong = "000000" if sms["code"] != "000000" else "111111"
    bad = op("account.register", T0 + 30, sms_code=wrong, challenge=sms["challenge"], **form)
    assert bad["refused"]["code"] == 314 and bad["account"] is None
    assert bad["challenge"]["failed_attempts"] == 1  # the try counts: state comes back on refusal
    reg = op("account.register", T0 + 40, sms_code=sms["code"], challenge=bad["challenge"], **form)
    assert reg["refused"] is None and reg["events"][0]["event"] == "registered"
    account = reg["account"]
    assert "pension2020" not in json.dumps(account)
    nobody = op("account.register", T0 + 40, sms_code=sms["code"], challenge=sms["challenge"],
                **{**form, "roster_entry": None})
    assert nobody["refused"]["code"] == 230

    # Three wrong passwords lock the account for 24 hours; forgot-password unlocks it.
    for i, code in enumerate([331, 331, 330]):
        r = op("account.login_password", T0 + 100 + i, account=account, password="wrong-pass-1")
        assert r["refused"]["code"] == code, r
        account = r["account"]
    locked = op("account.login_password", T0 + 200, account=account, password="pension2020")
    assert locked["refused"]["code"] == 330
    assert op("account.lock_state", T0 + 200, account=account)["locked"]
    assert not op("account.lock_state", T0 + 103 + 86400, account=account)["locked"]
    reset_sms = op("sms.issue", T0 + 300, phone="13800138000", purpose="reset_password", sms_key=KEY)
    reset = op("account.reset_password", T0 + 330, account=account, challenge=reset_sms["challenge"],
               sms_code=reset_sms["code"], new_password="pension2021", password_repeat="pension2021", sms_key=KEY)
    assert reset["refused"] is None and [e["event"] for e in reset["events"]] == ["password_reset", "unlocked"]
    account = reset["account"]
    ok = op("account.login_password", T0 + 400, account=account, password="pension2021")
    assert ok["refused"] is None, ok
    account = ok["account"]

    # Real name: the typed details and the face-vs-portrait decision.
    rn = op("realname.verify", T0 + 500, account=account, name="王建国", id_number=WANG,
            roster_entry=entry(WANG, "王建国"), portrait_matches=False)
    assert rn["refused"]["code"] == 341
    rn = op("realname.verify", T0 + 500, account=account, name="王建國", id_number=WANG,
            roster_entry=entry(WANG, "王建国"), portrait_matches=True)
    assert rn["refused"] is None and rn["account"]["real_name_verified_at"] == T0 + 500
    account = rn["account"]

    # Enrollment: three failed automatic reviews put the case in manual review.
    case = op("enrollment.new", T0, modality="face")["case"]
    for i in range(3):
        r = op("enrollment.submit", T0 + 600 + i, case=case, review={"result": "failed", "issues": ["too_dark"]})
        assert r["refused"] is None
        case = r["case"]
    closed = op("enrollment.submit", T0 + 700, case=case, review={"result": "passed", "template_ref": "t-1"})
    assert closed["refused"]["code"] == 410
    late = op("enrollment.decide", T0 + 602 + 8 * 86400, case=case,
              decision={"decision": "approve", "template_ref": "t-1"}, staff_id="staff-7")
    assert late["refused"]["code"] == 413
    approved = op("enrollment.decide", T0 + 3600, case=case,
                  decision={"decision": "approve", "template_ref": "t-1"}, staff_id="staff-7")
    assert approved["refused"] is None
    case = approved["case"]

    # Certify oneself with signed evidence (challenge, device signature, single-use check).
    now = T0 + 86400
    may = op("certification.may_certify", now, facts=facts(WANG, "王建国"), policy=PUCHENG_POLICY)
    assert may["refused"] is None
    challenge = certify.issue_challenge(WANG, "face", 300, now)
    signer = certify.EvidenceSigner.generate()
    token = signer.sign(challenge, WANG, True, True, 380, 120, now + 20)
    claims = certify.EvidenceVerifier(signer.public_key()).verify(token, challenge, now + 30).claims_json
    rec = op("certification.by_app", now + 40, operator=account, facts=facts(WANG, "王建国"), enrollment=case,
             evidence=json.loads(claims), policy=PUCHENG_POLICY, evidence_ref="ev-1")
    assert rec["refused"] is None and rec["record"]["method"] == "app_face"
    assert rec["record"]["operator"]["by"] == "holder"
    records = [rec["record"]]
    again = op("certification.may_certify", now + 60, facts=facts(WANG, "王建国", last="2020-06-06"),
               policy=PUCHENG_POLICY)
    assert again["refused"]["code"] == 421

    # Proxy: a relative is added as a contact and certified from this account.
    c = op("contacts.add", now, account=account, name="赵秀英", id_number=ZHAO, roster_entry=entry(ZHAO, "赵秀英"))
    assert c["refused"] is None and len(c["contacts"]) == 1
    assert op("contacts.add", now, account=account, contacts=c["contacts"], name="赵秀英", id_number=ZHAO,
              roster_entry=entry(ZHAO, "赵秀英"))["refused"]["code"] == 431
    assert op("contacts.add", now, account=account, name="王建国", id_number=WANG,
              roster_entry=entry(WANG, "王建国"))["refused"]["code"] == 430
    zcase = op("enrollment.new", now, modality="face")["case"]
    zcase = op("enrollment.submit", now, case=zcase, review={"result": "passed", "template_ref": "t-2"})["case"]
    zch = certify.issue_challenge(ZHAO, "face", 300, now)
    zclaims = json.loads(certify.EvidenceVerifier(signer.public_key()).verify(
        signer.sign(zch, WANG, True, True, 402, 120, now + 10), zch, now + 20).claims_json)
    stranger = op("certification.by_app", now + 30, operator=account, facts=facts(ZHAO, "赵秀英"),
                  enrollment=zcase, evidence=zclaims, policy=PUCHENG_POLICY)
    assert stranger["refused"]["code"] == 425  # not a contact yet
    pending = op("certification.by_app", now + 30, operator=account, contacts=c["contacts"],
                 facts=facts(ZHAO, "赵秀英"), enrollment=zcase, evidence=zclaims, policy=PUCHENG_POLICY)
    assert pending["refused"]["code"] == 425  # the relative has not consented yet
    c = op("contacts.confirm", now, contacts=c["contacts"], relative=ZHAO, by={"by": "relatives_account"})
    assert c["refused"] is None and c["contacts"][0]["consent"]["consent"] == "confirmed"
    proxy = op("certification.by_app", now + 30, operator=account, contacts=c["contacts"],
               facts=facts(ZHAO, "赵秀英"), enrollment=zcase, evidence=zclaims, policy=PUCHENG_POLICY)
    assert proxy["refused"] is None and proxy["record"]["operator"] == {"by": "proxy", "account_holder": WANG}
    records.append(proxy["record"])
    hist = op("certification.history", now, records=records, person=ZHAO)
    assert len(hist["records"]) == 1 and hist["last_certified"] == "2020-06-06"

    # The deadline run on August 1: Liu never certified and is suspended from August.
    run = op("deadline.run", T0, policy=PUCHENG_POLICY, run_date="2020-08-01", rows=[
        {"id": WANG, "monthly_pension": 300000, "pension_start": "2012-03", "payment": {"status": "active"},
         "last_certified": "2020-06-06"},
        {"id": LIU, "monthly_pension": 250000, "pension_start": "2012-03", "payment": {"status": "active"}},
    ])
    decisions = {d["id"]: d["decision"] for d in run["decisions"]}
    assert decisions[WANG]["action"] == "unchanged"
    assert decisions[LIU] == {"action": "suspend", "from": "2020-08", "deadline": "2020-07-31"}
    assert run["summary"]["suspended"] == 1 and run["summary"]["monthly_amount_suspended"] == 250000

    # Liu certifies in November: back pay from August, in fen.
    suspended = {"status": "suspended", "reason": "certification_lapse", "from": "2020-08"}
    back = op("payment.resume", T0, payment=suspended, ground="certified", resume_from="2020-11",
              schedule=[["2012-03", 250000]])
    assert back["refused"] is None
    assert back["resumption"] == {"resume_from": "2020-11", "back_pay_months": 3, "back_pay": 750000}
    wrong_ground = op("payment.resume", T0, payment=suspended, ground="sentence_served", resume_from="2020-11",
                      schedule=[["2012-03", 250000]])
    assert wrong_ground["refused"]["code"] == 442

    # The unit declares a death late: suspension from the next month and the overpayment.
    dec = op("payment.declare", T0, declaration={"reason": "death", "event_date": "2020-09-15",
                                                  "declared_on": "2020-12-02"},
             payments=[["2020-09", 250000], ["2020-10", 250000], ["2020-11", 250000]])
    assert dec["refused"] is None and dec["suspension"]["from"] == "2020-10"
    assert dec["overpayment"]["total"] == 500000 and dec["overpayment"]["first_unentitled"] == "2020-10", dec


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
