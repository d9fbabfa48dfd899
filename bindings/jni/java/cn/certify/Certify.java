package cn.certify;

/**
 * certify for Java (JNI). The native library is libcertify_android.so (JNI, UniFFI and C
 * symbols in one); set the system property certify.library to load another name. It is
 * looked up on java.library.path (Android: the APK's jni/ABI directory), then inside the
 * jar under native/OS-ARCH/ (the host jar built by bindings/jni/package.sh).
 */
public final class Certify {
    private Certify() {}

    /** Validate an identity number; returns the normalized 18-character number. */
    public static String idCheck(String input) throws CertifyException { return Natives.idCheck(input); }
    /** Whether two names are the same name written differently. */
    public static boolean nameMatches(String a, String b) throws CertifyException { return Natives.nameMatches(a, b); }
    /** Status under a cycle policy (JSON); lastCertified may be null. Returns JSON. */
    public static String cycleStatus(String policyJson, String lastCertified, String pensionStart, String today) throws CertifyException { return Natives.cycleStatus(policyJson, lastCertified, pensionStart, today); }
    /** The English message of a status code. */
    public static String statusMessage(int code) { return Natives.statusMessage(code); }
    /** The Chinese message of a status code: what went wrong and what to do next. */
    public static String statusMessageZh(int code) { return Natives.statusMessageZh(code); }
    /** Every status code of the table. */
    public static int[] allStatusCodes() { return Natives.allStatusCodes(); }

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
    public static String call(String op, String requestJson, long nowUnix) throws CertifyException { return Natives.call(op, requestJson, nowUnix); }
    /** {@link #call(String, String, long)} at the system clock. */
    public static String call(String op, String requestJson) throws CertifyException { return call(op, requestJson, NOW_SYSTEM); }
    /** A single-use challenge (JSON) for a face or voice certification of subjectId. */
    public static String challengeIssue(String subjectId, String modality, long ttlSeconds, long nowUnix) throws CertifyException { return Natives.challengeIssue(subjectId, modality, ttlSeconds, nowUnix); }
    /** Digit prompts as a JSON array: five for enrollment (enrolledJson null) or one for certification. */
    public static String voicePrompts(String enrolledJson) throws CertifyException { return Natives.voicePrompts(enrolledJson); }
}
