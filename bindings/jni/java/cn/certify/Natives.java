// Generated from bindings/jni/src/lib.rs by bindings/jni/tests/java_natives.rs: do not edit.
// `CERTIFY_BLESS=1 cargo test -p certify-jni --test java_natives` rewrites it.
package cn.certify;

/**
 * The native functions of libcertify_android.so, one per JNI export of bindings/jni. The
 * public API (Certify, FaceEngine, LivenessSession, VoiceEngine, EvidenceSigner,
 * EvidenceVerifier) calls these. The library is loaded on first use: the system property
 * certify.library names another one.
 */
final class Natives {
    static { NativeLoader.load(System.getProperty("certify.library", "certify_android")); }

    private Natives() {}

    /**
     * Validate a resident identity number (GB 11643); the normalized 18-character number.
     */
    static native String idCheck(String input) throws CertifyException;

    /**
     * Whether two names are the same name written differently.
     */
    static native boolean nameMatches(String a, String b) throws CertifyException;

    /**
     * A person's certification status under a cycle policy (JSON) on {@code today} (YYYY-MM-DD), from
     * the last certification date (null: never) and the pension start (YYYY-MM): JSON like
     * {@code {"status":"overdue","date":"2020-07-31","warning":false,"suspend_from":"2020-08"}} (the
     * same members as the C struct and the UniFFI record).
     */
    static native String cycleStatus(String policy, String last, String start, String today) throws CertifyException;

    /**
     * The English text of a code. Never throws.
     */
    static native String statusMessage(int code);

    /**
     * The Chinese text of a code (what to do next). Never throws.
     */
    static native String statusMessageZh(int code);

    /**
     * Every code of the status table. Never throws.
     */
    static native int[] allStatusCodes();

    /**
     * A face engine handle for {@code faceEngineFree}: models from the directory {@code dir}, ONNX Runtime
     * from {@code lib} (null: the default search), {@code options} JSON as in the C API (null: defaults).
     * Thread-safe.
     */
    static native long faceEngineNew(String dir, String lib, String options) throws CertifyException;

    /**
     * A face engine with its models from memory (file names and bytes, as read from Android
     * assets), each file checked against its pinned sha256 and the bundle's {@code SHA256SUMS};
     * {@code lib} and {@code options} as for {@code faceEngineNew}.
     */
    static native long faceEngineNewFromFiles(String[] names, byte[][] files, String lib, String options) throws CertifyException;

    /**
     * Free a face engine handle (0 is ignored). Never throws.
     */
    static native void faceEngineFree(long handle);

    /**
     * A whole-flow operation {@code op} on the host's stored state (see {@code certify_bridge::ops}) at
     * {@code nowUnix} ({@code Long.MIN_VALUE}: the system clock): the response JSON.
     */
    static native String call(String op, String request, long nowUnix) throws CertifyException;

    /**
     * A liveness session handle for {@code livenessFree} on an engine handle; {@code actions} is a JSON array
     * of action names (null: random actions; {@code []}: silent mode).
     */
    static native long livenessStart(long engine, String actions, long nowUnix) throws CertifyException;

    /**
     * The actions a session asks for, as a JSON array of names in order.
     */
    static native String livenessActions(long session) throws CertifyException;

    /**
     * Free a liveness session handle (0 is ignored). Never throws.
     */
    static native void livenessFree(long session);

    /**
     * A voice engine handle for {@code voiceEngineFree}: models from the directory {@code dir}, ONNX Runtime
     * from {@code lib} (null: the default search). Thread-safe.
     */
    static native long voiceEngineNew(String dir, String lib) throws CertifyException;

    /**
     * A voice engine with its models from memory (file names and bytes), checked as files are;
     * {@code lib} as for {@code voiceEngineNew}.
     */
    static native long voiceEngineNewFromFiles(String[] names, byte[][] files, String lib) throws CertifyException;

    /**
     * Free a voice engine handle (0 is ignored). Never throws.
     */
    static native void voiceEngineFree(long handle);

    /**
     * Five enrollment prompts (null) or one certification prompt that is none of the enrolled
     * ones, as a JSON array.
     */
    static native String voicePrompts(String enrolled) throws CertifyException;

    /**
     * A single-use challenge (JSON) for a {@code modality} ("face" or "voice") certification of
     * {@code subjectId}, valid {@code ttlSeconds} from {@code nowUnix} ({@code Long.MIN_VALUE}: the system clock).
     */
    static native String challengeIssue(String subject, String modality, long ttlSeconds, long nowUnix) throws CertifyException;

    /**
     * An evidence signer handle for {@code signerFree}, from a 32-byte seed or the OS generator (null).
     */
    static native long signerNew(byte[] seed) throws CertifyException;

    /**
     * Free an evidence signer handle (0 is ignored). Never throws.
     */
    static native void signerFree(long handle);

    /**
     * A verifier of evidence signed with the 32-byte public key.
     */
    static native long verifierNew(byte[] key) throws CertifyException;

    /**
     * Free an evidence verifier handle (0 is ignored). Never throws.
     */
    static native void verifierFree(long handle);

    /**
     * The face template (128 floats) of the single, good-quality face in a JPEG/PNG
     * image. Refused with 620 ({@code face_quality}) and each problem's code when the photo
     * is not usable.
     *
     * The 128 floats.
     */
    static native float[] faceTemplate(long handle, byte[] image) throws CertifyException;

    /**
     * The face template (128 floats) of a raw camera frame (NV21, Android's camera
     * default, or RGBA; the row stride in bytes; the clockwise rotation — 0, 90, 180,
     * 270 — that makes it upright). Refused with 614 when the buffer does not match
     * its size, 102 for an unknown format or rotation, 620 when the picture is not
     * usable.
     *
     * The 128 floats.
     */
    static native float[] faceTemplateFromFrame(long handle, byte[] data, int width, int height, int stride, String format, int rotation) throws CertifyException;

    /**
     * Compare two face templates (128 floats each) at the engine's match threshold:
     * the distance, the threshold and whether they are the same person. Refused with
     * 102 when a template does not have 128 values.
     *
     * The distance, the threshold used and the decision.
     */
    static native FaceComparison faceCompare(long handle, float[] a, float[] b) throws CertifyException;

    /**
     * Compare a live face's template with an authoritative reference portrait
     * (JPEG/PNG from the card photo store, the police photo check or the counter) at
     * the engine's portrait threshold ({@code portrait_match_threshold}, 0.50 by default):
     * real-name verification and enrollment decide on this, not on a card image the
     * client photographs. Refused with 613 for an undecodable portrait, 620 when it
     * shows no usable face. The portrait is not kept.
     *
     * The distance, the threshold used and the decision.
     */
    static native FaceComparison faceComparePortrait(long handle, float[] live, byte[] portrait) throws CertifyException;

    /**
     * The quality check of a JPEG/PNG photo, to show the person before they try
     * again: {@code usable}, and every problem with its code, whether it blocks a template
     * (framing problems only matter live), and Chinese and English advice; the
     * blocking problems' advice joined. The image is not kept.
     *
     * The result as JSON. A {@code nowUnix} argument takes {@code Long.MIN_VALUE} for the system clock.
     */
    static native String faceCheckPhoto(long handle, byte[] image) throws CertifyException;

    /**
     * The template of the portrait printed on an identity card's front (JPEG/PNG),
     * found and upscaled; none when the card shows no single readable portrait.
     *
     * The 128 floats, or an empty array when there is none.
     */
    static native float[] faceCardPortrait(long handle, byte[] cardFront) throws CertifyException;

    /**
     * The automatic enrollment review of three JPEG/PNG uploads — identity card
     * front, card back, a selfie holding the card — with the live face also compared
     * with the authority's {@code reference} portrait when the host has one (without one,
     * hold a passing upload for staff). The result: {@code passed}, the issues as codes
     * with Chinese and English advice, the template to store apart from identity,
     * the distances, {@code had_reference}, and the {@code review} value {@code enrollment.submit}
     * takes. Images are not kept.
     *
     * The result as JSON. A {@code nowUnix} argument takes {@code Long.MIN_VALUE} for the system clock.
     */
    static native String faceReviewEnrollment(long handle, byte[] cardFront, byte[] cardBack, byte[] selfie, byte[] reference) throws CertifyException;

    /**
     * Feed one JPEG/PNG frame of a continuous capture to a liveness session: what it
     * did — {@code event} ("in_progress", "action_done", "passed", or a failure such as
     * "timed_out", "discontinuous", "frozen", "flat_face"), the event's own members,
     * {@code reason} (failures) and {@code advice_zh}/{@code advice_en}. Frames are timed by the
     * library's monotonic clock since the start: an explicit time is for tests only,
     * a verifier never takes a client's word for time. The frame is not kept.
     *
     * {@code elapsedMs} negative: timed by the library's monotonic clock (what apps use). The step as JSON.
     */
    static native String livenessPushFrame(long session, byte[] image, int elapsedMs) throws CertifyException;

    /**
     * As {@code push_frame}, for a raw camera frame (NV21 or RGBA, with stride and
     * rotation), so an app passes what its camera gives without encoding a JPEG.
     *
     * {@code elapsedMs} negative: timed by the library's monotonic clock (what apps use). The step as JSON.
     */
    static native String livenessPushCameraFrame(long session, byte[] data, int width, int height, int stride, String format, int rotation, int elapsedMs) throws CertifyException;

    /**
     * End the session: if liveness passed, match the most frontal frame against the
     * enrolled template (128 floats), with identity consistency and anti-spoof. The
     * decision: {@code passed}, {@code reason} and advice when not, {@code liveness_passed}, {@code mode},
     * {@code frames}, {@code parallax}, {@code identity_consistent}, {@code distance}, {@code same_person},
     * {@code antispoof}, {@code antispoof_threshold}. A malformed template (102) leaves the
     * session open; otherwise the session is spent (later calls: 106).
     *
     * The decision as JSON.
     */
    static native String livenessFinish(long session, float[] enrolled) throws CertifyException;

    /**
     * Enroll a voice from WAV recordings of the enrollment prompts (five), each with
     * the prompt it reads: the template to store apart from identity when every
     * recording was usable, and per recording its issues with Chinese advice —
     * re-prompt those. The audio is not kept.
     *
     * The result as JSON. A {@code nowUnix} argument takes {@code Long.MIN_VALUE} for the system clock.
     */
    static native String voiceEnroll(long handle, byte[][] wavs, String[] prompts) throws CertifyException;

    /**
     * Verify a WAV recording of {@code prompt} (the digits the person was asked to read)
     * against a voice template (the JSON {@code template} of the enrollment): {@code passed},
     * {@code same_speaker}, {@code speaker_score}, {@code digits_heard}, and for a refusal the issues
     * with Chinese advice (too noisy, too quiet, digits not heard …). The audio is not
     * kept.
     *
     * The result as JSON. A {@code nowUnix} argument takes {@code Long.MIN_VALUE} for the system clock.
     */
    static native String voiceVerify(long handle, String templateJson, byte[] wav, String prompt) throws CertifyException;

    /**
     * As {@code verify}, with the speaker score normalised against {@code cohort_json}: other
     * people's voiceprints enrolled with the host, {@code {"wideband": [[256 numbers], …],}
     * "narrowband": […]}{@code  (the }speaker{@code  and }speaker_narrowband{@code  members of at least}
     * 20 stored templates; a few hundred is plenty). Fewer real people are refused
     * at the same rate of impostors passed; {@code speaker_normalized} is the score that
     * decided. 104 for text that is not such JSON, 102 for too few or malformed
     * members. The cohort is other people's biometric data: keep it on the server.
     *
     * The result as JSON. A {@code nowUnix} argument takes {@code Long.MIN_VALUE} for the system clock.
     */
    static native String voiceVerifyWithCohort(long handle, String templateJson, String cohortJson, byte[] wav, String prompt) throws CertifyException;

    /**
     * The 32-byte public key of the device's evidence-signing key (Ed25519), for the
     * server's verifier.
     *
     * The bytes. A {@code nowUnix} argument takes {@code Long.MIN_VALUE} for the system clock.
     */
    static native byte[] evidenceSignerPublicKey(long handle) throws CertifyException;

    /**
     * Sign the outcome of a certification attempt answering {@code challenge_json} (as
     * issued), operated by {@code operator_id} (the holder, or the relative or staff member
     * who helped): whether liveness passed, the match decision, the engine's score ×
     * 1000, valid {@code ttl_seconds} from {@code now_unix}. The token goes to the server, which
     * verifies it. Refused when the challenge is not one, or the operator's number is
     * invalid.
     *
     * The bytes. A {@code nowUnix} argument takes {@code Long.MIN_VALUE} for the system clock.
     */
    static native byte[] evidenceSignerSign(long handle, String challengeJson, String operatorId, boolean livenessPassed, boolean matched, int scoreMilli, long ttlSeconds, long nowUnix) throws CertifyException;

    /**
     * Accept {@code token} for {@code challenge_json} at {@code now_unix}, once per verifier (a second
     * time: 505): the verified claims — subject, operator, liveness and match, score —
     * the {@code evidence} of the {@code certification.by_app} operation. 500 for a malformed token,
     * 501 for a bad signature, 502 for another challenge, 503 when expired.
     *
     * The result as JSON. A {@code nowUnix} argument takes {@code Long.MIN_VALUE} for the system clock.
     */
    static native String evidenceVerifierVerify(long handle, byte[] token, String challengeJson, long nowUnix) throws CertifyException;
}
