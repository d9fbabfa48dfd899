//! The engines' calls, defined once for every binding (after libsignal's `bridge_fn`).
//!
//! [`engine_calls!`](crate::engine_calls) hands the list below to a binding's own emitter
//! macro, which writes that binding's entry point for each line `fn <engine>.<name>(…)`:
//! the C function `certify_<engine>_<name>`, the JNI export
//! `Java_cn_certify_Natives_<engine><Name>` and a method `<name>` of the UniFFI
//! `<Engine>Engine`. The engine is `face` or `voice`, or `liveness` for a session's calls
//! (the C `CertifyLivenessSession`, a Java session handle, the UniFFI `LivenessRun`), whose
//! result kinds are `step` and `decision`, or `evidence_signer` / `evidence_verifier` (the C
//! `CertifyEvidenceSigner` / `CertifyEvidenceVerifier`, Java handles named
//! `evidenceSigner…`, the UniFFI `EvidenceSigner` / `EvidenceVerifier`). A line says, in the
//! kinds every emitter knows:
//!
//! - arguments after the engine: `bytes` (an upload — JPEG/PNG, WAV: C pointer and `_len`,
//!   Java `byte[]`, UniFFI `Vec<u8>`), `opt_bytes` (the same, NULL/null/None allowed) or
//!   `str` (UTF-8 text: C NUL-terminated, Java `String`, UniFFI `String`) or `frame` (a raw
//!   camera frame, NV21 or RGBA with stride and rotation: C `CertifyCameraFrame`, Java six
//!   arguments from `data` to `rotation`, UniFFI `CameraFrame`) or `recordings` (WAV
//!   recordings each with the prompt read: C arrays `wavs`, `wav_lens`, `prompts` and a
//!   `count`, Java `byte[][] wavs` and `String[] prompts`, UniFFI `Vec<VoiceRecording>`) or
//!   `template` (a face template, 128 floats: C pointer and `_len`, Java `float[]`, UniFFI
//!   `Vec<f32>`);
//! - the result: `bytes` (C `out_data`/`out_len` freed with `certify_bytes_free`, Java
//!   `byte[]`, UniFFI `Vec<u8>`) or `json(Record)` (C: a JSON string out, freed with `certify_string_free`;
//!   Java: a JSON `String`; UniFFI: the binding's `Record`, converted from the bridge's
//!   result), `template` (128 floats: a caller's buffer in C, `float[]`, `Vec<f32>`) or
//!   `opt_template` (the same or none: C sets `*out_found`, Java gets an empty array,
//!   UniFFI `None`) or `comparison` (distance, threshold, same person: C out-parameters
//!   `out_distance`, `out_threshold`, `out_same_person`; Java a `FaceComparison`; UniFFI the
//!   `FaceComparison` record) or, for a liveness session, `step` (a frame's
//!   [`LivenessStep`](crate::results::LivenessStep); the call also takes the frame's time —
//!   C `elapsed_ms` with `CERTIFY_ELAPSED_MONOTONIC` for the library's clock, Java a negative
//!   `elapsedMs` for it, UniFFI an optional `elapsed_ms` — and answers as JSON in C and Java,
//!   the `LivenessStep` record in UniFFI) or `decision` (the final
//!   [`LivenessResult`](crate::results::LivenessResult), which spends the session: JSON in C
//!   and Java, the `FaceDecision` record in UniFFI);
//! - the bridge function that does the work: `fn(&Engine, args…) -> Result<_, Fail>`.
//!
//! Adding a call here adds it to every binding; the C header and the Java declarations are
//! generated from the emitted functions (`certify-c-header`, `certify-jni`'s
//! `java_natives` test), and each binding's tests exercise it.

/// Hand the engines' bridged calls to `$emit` (see the [module](crate::entry_points)).
#[macro_export]
macro_rules! engine_calls {
    ($emit:ident) => {
        $emit! {
            /// The face template (128 floats) of the single, good-quality face in a JPEG/PNG
            /// image. Refused with 620 (`face_quality`) and each problem's code when the photo
            /// is not usable.
            fn face.template(image: bytes) -> template = $crate::engines::face_template;

            /// The face template (128 floats) of a raw camera frame (NV21, Android's camera
            /// default, or RGBA; the row stride in bytes; the clockwise rotation — 0, 90, 180,
            /// 270 — that makes it upright). Refused with 614 when the buffer does not match
            /// its size, 102 for an unknown format or rotation, 620 when the picture is not
            /// usable.
            fn face.template_from_frame(frame: frame) -> template = $crate::engines::template_from_frame;

            /// Compare two face templates (128 floats each) at the engine's match threshold:
            /// the distance, the threshold and whether they are the same person. Refused with
            /// 102 when a template does not have 128 values.
            fn face.compare(a: template, b: template) -> comparison = $crate::engines::compare_templates;

            /// Compare a live face's template with an authoritative reference portrait
            /// (JPEG/PNG from the card photo store, the police photo check or the counter) at
            /// the engine's portrait threshold (`portrait_match_threshold`, 0.50 by default):
            /// real-name verification and enrollment decide on this, not on a card image the
            /// client photographs. Refused with 613 for an undecodable portrait, 620 when it
            /// shows no usable face. The portrait is not kept.
            fn face.compare_portrait(live: template, portrait: bytes) -> comparison = $crate::engines::compare_portrait;

            /// The quality check of a JPEG/PNG photo, to show the person before they try
            /// again: `usable`, and every problem with its code, whether it blocks a template
            /// (framing problems only matter live), and Chinese and English advice; the
            /// blocking problems' advice joined. The image is not kept.
            fn face.check_photo(image: bytes) -> json(PhotoCheck) = $crate::engines::check_photo;

            /// The template of the portrait printed on an identity card's front (JPEG/PNG),
            /// found and upscaled; none when the card shows no single readable portrait.
            fn face.card_portrait(card_front: bytes) -> opt_template = $crate::engines::card_portrait_template;

            /// The automatic enrollment review of three JPEG/PNG uploads — identity card
            /// front, card back, a selfie holding the card — with the live face also compared
            /// with the authority's `reference` portrait when the host has one (without one,
            /// hold a passing upload for staff). The result: `passed`, the issues as codes
            /// with Chinese and English advice, the template to store apart from identity,
            /// the distances, `had_reference`, and the `review` value `enrollment.submit`
            /// takes. Images are not kept.
            fn face.review_enrollment(card_front: bytes, card_back: bytes, selfie: bytes, reference: opt_bytes)
                -> json(EnrollmentReview) = $crate::engines::review_enrollment;

            /// Feed one JPEG/PNG frame of a continuous capture to a liveness session: what it
            /// did — `event` ("in_progress", "action_done", "passed", or a failure such as
            /// "timed_out", "discontinuous", "frozen", "flat_face"), the event's own members,
            /// `reason` (failures) and `advice_zh`/`advice_en`. Frames are timed by the
            /// library's monotonic clock since the start: an explicit time is for tests only,
            /// a verifier never takes a client's word for time. The frame is not kept.
            fn liveness.push_frame(image: bytes) -> step = $crate::engines::push_encoded_frame;

            /// As `push_frame`, for a raw camera frame (NV21 or RGBA, with stride and
            /// rotation), so an app passes what its camera gives without encoding a JPEG.
            fn liveness.push_camera_frame(frame: frame) -> step = $crate::engines::push_camera_frame;

            /// End the session: if liveness passed, match the most frontal frame against the
            /// enrolled template (128 floats), with identity consistency and anti-spoof. The
            /// decision: `passed`, `reason` and advice when not, `liveness_passed`, `mode`,
            /// `frames`, `parallax`, `identity_consistent`, `distance`, `same_person`,
            /// `antispoof`, `antispoof_threshold`. A malformed template (102) leaves the
            /// session open; otherwise the session is spent (later calls: 106).
            fn liveness.finish(enrolled: template) -> decision = $crate::engines::finish_liveness;

            /// Enroll a voice from WAV recordings of the enrollment prompts (five), each with
            /// the prompt it reads: the template to store apart from identity when every
            /// recording was usable, and per recording its issues with Chinese advice —
            /// re-prompt those. The audio is not kept.
            fn voice.enroll(recordings: recordings) -> json(VoiceEnrollmentResult) = $crate::engines::voice_enroll;

            /// Verify a WAV recording of `prompt` (the digits the person was asked to read)
            /// against a voice template (the JSON `template` of the enrollment): `passed`,
            /// `same_speaker`, `speaker_score`, `digits_heard`, and for a refusal the issues
            /// with Chinese advice (too noisy, too quiet, digits not heard …). The audio is not
            /// kept.
            fn voice.verify(template_json: str, wav: bytes, prompt: str) -> json(VoiceDecisionInfo)
                = $crate::engines::voice_verify;

            /// As `verify`, with the speaker score normalised against `cohort_json`: other
            /// people's voiceprints enrolled with the host, `{"wideband": [[256 numbers], …],
            /// "narrowband": […]}` (the `speaker` and `speaker_narrowband` members of at least
            /// 20 stored templates; a few hundred is plenty). Fewer real people are refused
            /// at the same rate of impostors passed; `speaker_normalized` is the score that
            /// decided. 104 for text that is not such JSON, 102 for too few or malformed
            /// members. The cohort is other people's biometric data: keep it on the server.
            fn voice.verify_with_cohort(template_json: str, cohort_json: str, wav: bytes, prompt: str)
                -> json(VoiceDecisionInfo) = $crate::engines::voice_verify_with_cohort;

            /// The 32-byte public key of the device's evidence-signing key (Ed25519), for the
            /// server's verifier.
            fn evidence_signer.public_key() -> bytes = $crate::engines::signer_public_key;

            /// Sign the outcome of a certification attempt answering `challenge_json` (as
            /// issued), operated by `operator_id` (the holder, or the relative or staff member
            /// who helped): whether liveness passed, the match decision, the engine's score ×
            /// 1000, valid `ttl_seconds` from `now_unix`. The token goes to the server, which
            /// verifies it. Refused when the challenge is not one, or the operator's number is
            /// invalid.
            fn evidence_signer.sign(challenge_json: str, operator_id: str, liveness_passed: bool, matched: bool,
                score_milli: i32, ttl_seconds: i64, now_unix: time) -> bytes = $crate::engines::sign_evidence;

            /// Accept `token` for `challenge_json` at `now_unix`, once per verifier (a second
            /// time: 505): the verified claims — subject, operator, liveness and match, score —
            /// the `evidence` of the `certification.by_app` operation. 500 for a malformed token,
            /// 501 for a bad signature, 502 for another challenge, 503 when expired.
            fn evidence_verifier.verify(token: bytes, challenge_json: str, now_unix: time) -> json(EvidenceInfo)
                = $crate::engines::OnceVerifier::verify;
        }
    };
}
