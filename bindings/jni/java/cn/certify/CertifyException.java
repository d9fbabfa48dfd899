package cn.certify;

/**
 * Every certify error: the code of the one status table (the same numbers as
 * include/certify.h, the UniFFI bindings and the reference server), the English message
 * for logs, and what to tell the person in Chinese.
 */
public class CertifyException extends Exception {
    private final int code;
    private final String messageZh;

    /** Built by the native code with the three fields as they are. */
    public CertifyException(int code, String message, String messageZh) {
        super("[" + code + "] " + message);
        this.code = code;
        this.messageZh = messageZh;
    }

    /** The status code. */
    public int getCode() { return code; }

    /**
     * What to show the person, in Chinese: what went wrong and what to do next (for an
     * unusable photo, each problem's own advice).
     */
    public String getMessageZh() { return messageZh; }
}
