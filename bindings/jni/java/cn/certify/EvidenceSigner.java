package cn.certify;

/**
 * Signs certification outcomes on the device (Ed25519). Thread-safe: calls run in parallel;
 * {@link #close} waits for calls in progress and frees the key once, after which calls throw.
 */
public final class EvidenceSigner implements AutoCloseable {
    private final SharedHandle handle;

    /** A key from a 32-byte seed, or from the OS random generator when seed is null. */
    public EvidenceSigner(byte[] seed) throws CertifyException { handle = new SharedHandle(Natives.signerNew(seed)); }

    /** The 32-byte public key for the verifier. */
    public byte[] publicKey() throws CertifyException { return handle.call(Natives::evidenceSignerPublicKey); }

    /** Sign the outcome of an attempt answering challengeJson, at nowUnix (Certify.NOW_SYSTEM: the clock). */
    public byte[] sign(String challengeJson, String operatorId, boolean livenessPassed, boolean matched,
                       int scoreMilli, long ttlSeconds, long nowUnix) throws CertifyException {
        return handle.call(h -> Natives.evidenceSignerSign(h, challengeJson, operatorId, livenessPassed, matched,
                scoreMilli, ttlSeconds, nowUnix));
    }

    /** Free the key once calls in progress have returned (later calls throw). */
    @Override
    public void close() { handle.close(Natives::signerFree); }
}
