package cn.certify;

/** Signs certification outcomes on the device (Ed25519). Close it once when done. */
public final class EvidenceSigner implements AutoCloseable {
    private long handle;

    /** A key from a 32-byte seed, or from the OS random generator when seed is null. */
    public EvidenceSigner(byte[] seed) throws CertifyException { handle = Natives.signerNew(seed); }

    /** The 32-byte public key for the verifier. */
    public synchronized byte[] publicKey() throws CertifyException { return Natives.signerPublicKey(handle); }

    /** Sign the outcome of an attempt answering challengeJson, at nowUnix (Certify.NOW_SYSTEM: the clock). */
    public synchronized byte[] sign(String challengeJson, String operatorId, boolean livenessPassed, boolean matched,
                                    int scoreMilli, long ttlSeconds, long nowUnix) throws CertifyException {
        return Natives.signerSign(handle, challengeJson, operatorId, livenessPassed, matched, scoreMilli, ttlSeconds, nowUnix);
    }

    @Override
    public synchronized void close() {
        long h = handle;
        handle = 0;
        Natives.signerFree(h);
    }
}
