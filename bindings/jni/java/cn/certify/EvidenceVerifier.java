package cn.certify;

/** Verifies evidence on the server; each token is accepted once per verifier. Thread-safe. */
public final class EvidenceVerifier implements AutoCloseable {
    private long handle;

    /** From the signer's 32-byte public key. */
    public EvidenceVerifier(byte[] publicKey) throws CertifyException { handle = Natives.verifierNew(publicKey); }

    /** Accept token for challengeJson at nowUnix, once: the verified claims as JSON. */
    public synchronized String verify(byte[] token, String challengeJson, long nowUnix) throws CertifyException {
        return Natives.verifierVerify(handle, token, challengeJson, nowUnix);
    }

    @Override
    public synchronized void close() {
        long h = handle;
        handle = 0;
        Natives.verifierFree(h);
    }
}
