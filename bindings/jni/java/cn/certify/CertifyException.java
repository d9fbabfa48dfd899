package cn.certify;

/**
 * Every certify error: the code of the one status table (the same numbers as
 * include/certify.h, the UniFFI bindings and the reference server), the English message
 * for logs, and what to tell the person in Chinese.
 */
public class CertifyException extends Exception {
    private final int code;
    private final String messageZh;

    private final String[] reasons;

    /** An error with no reasons beyond its code. */
    public CertifyException(int code, String message, String messageZh) {
        this(code, message, messageZh, new String[0]);
    }

    /** Built by the native code with its fields as they are. */
    public CertifyException(int code, String message, String messageZh, String[] reasons) {
        super("[" + code + "] " + message);
        this.code = code;
        this.messageZh = messageZh;
        this.reasons = reasons == null ? new String[0] : reasons.clone();
    }

    /** The status code. */
    public int getCode() { return code; }

    /**
     * What to show the person, in Chinese: what went wrong and what to do next (for an
     * unusable photo, each problem's own advice).
     */
    public String getMessageZh() { return messageZh; }

    /**
     * The stable codes of what exactly went wrong, where known: each problem of an unusable
     * photo ("too_dark", "eyes_closed", "no_face" ...); empty otherwise.
     */
    public String[] getReasons() { return reasons.clone(); }
}
