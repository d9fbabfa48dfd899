package cn.certify;

/**
 * Verifies evidence on the server; each token is accepted once per verifier. Thread-safe:
 * verifications run in parallel (the native replay guard takes its own lock); {@link #close}
 * waits for calls in progress and frees the verifier once, after which calls throw.
 */
public final class EvidenceVerifier implements AutoCloseable {
    private final SharedHandle handle;

    /** From the signer's 32-byte public key. */
    public EvidenceVerifier(byte[] publicKey) throws CertifyException {
        handle = new SharedHandle(Natives.verifierNew(publicKey));
    }

    /** Accept token for challengeJson at nowUnix, once: the verified claims as JSON. */
    public String verify(byte[] token, String challengeJson, long nowUnix) throws CertifyException {
        return handle.call(h -> Natives.evidenceVerifierVerify(h, token, challengeJson, nowUnix));
    }

    /** Free the verifier once calls in progress have returned (later calls throw). */
    @Override
    public void close() { handle.close(Natives::verifierFree); }
}
