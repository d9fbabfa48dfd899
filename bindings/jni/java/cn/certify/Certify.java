package cn.certify;

/**
 * certify for Java (JNI). The native library is libcertify_android.so (JNI, UniFFI and C
 * symbols in one); set the system property certify.library to load another name. It is
 * looked up on java.library.path (Android: the APK's jni/ABI directory), then inside the
 * jar under native/OS-ARCH/ (the host jar built by bindings/jni/package.sh).
 */
public final class Certify {
    static { NativeLoader.load(System.getProperty("certify.library", "certify_android")); }
    private Certify() {}

    /** Validate an identity number; returns the normalized 18-character number. */
    public static native String idCheck(String input) throws CertifyException;
    /** Whether two names are the same name written differently. */
    public static native boolean nameMatches(String a, String b) throws CertifyException;
    /** Status under a cycle policy (JSON); lastCertified may be null. Returns JSON. */
    public static native String cycleStatus(String policyJson, String lastCertified, String pensionStart, String today) throws CertifyException;
    /** The English message of a status code. */
    public static native String statusMessage(int code);
    /** The Chinese message of a status code: what went wrong and what to do next. */
    public static native String statusMessageZh(int code);
    /** Every status code of the table. */
    public static native int[] allStatusCodes();

    /** Pass as nowUnix to use the system clock. */
    public static final long NOW_SYSTEM = Long.MIN_VALUE;

    /**
     * Run a whole-flow operation on the host's stored state ("account.register",
     * "account.login_password", "enrollment.submit", "certification.by_app", "deadline.run",
     * "payment.resume" ...; see bindings/c/README.md) at nowUnix (seconds; NOW_SYSTEM for the
     * clock). Returns the response JSON; a refusal by the rules is its "refused" member, with
     * the new state to store. Throws CertifyException (104, 105) for requests that cannot be
     * processed.
     */
    public static native String call(String op, String requestJson, long nowUnix) throws CertifyException;
    /** {@link #call(String, String, long)} at the system clock. */
    public static String call(String op, String requestJson) throws CertifyException { return call(op, requestJson, NOW_SYSTEM); }
    /** A single-use challenge (JSON) for a face or voice certification of subjectId. */
    public static native String challengeIssue(String subjectId, String modality, long ttlSeconds, long nowUnix) throws CertifyException;
    /** Digit prompts as a JSON array: five for enrollment (enrolledJson null) or one for certification. */
    public static native String voicePrompts(String enrolledJson) throws CertifyException;

    static native long faceEngineNew(String modelsDir, String runtimeLibrary, String optionsJson) throws CertifyException;
    static native long faceEngineNewFromFiles(String[] names, byte[][] files, String runtimeLibrary, String optionsJson) throws CertifyException;
    static native void faceEngineFree(long handle);
    static native float[] faceTemplate(long handle, byte[] image) throws CertifyException;
    static native float[] faceTemplateFromFrame(long handle, byte[] data, int width, int height, int stride, String format, int rotationDegrees) throws CertifyException;
    static native float faceDistance(long handle, float[] a, float[] b) throws CertifyException;
    static native float faceThreshold(long handle) throws CertifyException;
    static native float facePortraitDistance(long handle, float[] live, byte[] portrait) throws CertifyException;
    static native float facePortraitThreshold(long handle) throws CertifyException;
    static native String faceReviewEnrollment(long handle, byte[] cardFront, byte[] cardBack, byte[] selfie, byte[] reference) throws CertifyException;
    static native float[] faceCardPortrait(long handle, byte[] cardFront) throws CertifyException;
    static native long livenessStart(long engine, String actionsJson, long nowUnix) throws CertifyException;
    static native String livenessActions(long session) throws CertifyException;
    static native String livenessPushFrame(long session, byte[] image, int elapsedMs) throws CertifyException;
    static native String livenessPushCameraFrame(long session, byte[] data, int width, int height, int stride, String format, int rotationDegrees, int elapsedMs) throws CertifyException;
    static native String livenessFinish(long session, float[] template) throws CertifyException;
    static native void livenessFree(long session);
    static native long voiceEngineNew(String modelsDir, String runtimeLibrary) throws CertifyException;
    static native long voiceEngineNewFromFiles(String[] names, byte[][] files, String runtimeLibrary) throws CertifyException;
    static native void voiceEngineFree(long handle);
    static native String voiceEnroll(long handle, byte[][] wavs, String[] prompts) throws CertifyException;
    static native String voiceVerify(long handle, String templateJson, byte[] wav, String prompt) throws CertifyException;
    static native long signerNew(byte[] seed) throws CertifyException;
    static native byte[] signerPublicKey(long handle) throws CertifyException;
    static native byte[] signerSign(long handle, String challengeJson, String operatorId, boolean livenessPassed,
                                    boolean matched, int scoreMilli, long ttlSeconds, long nowUnix) throws CertifyException;
    static native void signerFree(long handle);
    static native long verifierNew(byte[] publicKey) throws CertifyException;
    static native String verifierVerify(long handle, byte[] token, String challengeJson, long nowUnix) throws CertifyException;
    static native void verifierFree(long handle);
}
