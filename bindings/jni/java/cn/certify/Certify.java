package cn.certify;

/** certify for Java (JNI). Load the library once: System.loadLibrary("certify_jni"). */
public final class Certify {
    static { System.loadLibrary("certify_jni"); }
    private Certify() {}

    /** Validate an identity number; returns the normalized 18-character number. */
    public static native String idCheck(String input) throws CertifyException;
    /** Whether two names are the same name written differently. */
    public static native boolean nameMatches(String a, String b) throws CertifyException;
    /** Status under a cycle policy (JSON); lastCertified may be null. Returns JSON. */
    public static native String cycleStatus(String policyJson, String lastCertified, String pensionStart, String today) throws CertifyException;
    /** The message of a status code. */
    public static native String statusMessage(int code);
    /** Every status code of the table. */
    public static native int[] allStatusCodes();

    static native long faceEngineNew(String modelsDir, String runtimeLibrary) throws CertifyException;
    static native void faceEngineFree(long handle);
    static native float[] faceTemplate(long handle, byte[] image) throws CertifyException;
    static native float faceDistance(long handle, float[] a, float[] b) throws CertifyException;
    static native float faceThreshold(long handle) throws CertifyException;
}
