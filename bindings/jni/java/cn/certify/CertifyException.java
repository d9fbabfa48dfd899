package cn.certify;

/** Every certify error: the stable numeric code of the C API, and a message. */
public class CertifyException extends Exception {
    private final int code;

    /** Thrown by the native code with a message starting "[code] ". */
    public CertifyException(String message) {
        super(message);
        int c = -1;
        if (message != null && message.startsWith("[")) {
            int end = message.indexOf(']');
            try { c = Integer.parseInt(message.substring(1, end)); } catch (RuntimeException e) { c = -1; }
        }
        this.code = c;
    }

    /** The status code (same table as include/certify.h and the UniFFI bindings). */
    public int getCode() { return code; }

    /** The Chinese message of the code, to show the person: what went wrong and what to do next. */
    public String getMessageZh() { return Certify.statusMessageZh(code); }
}
