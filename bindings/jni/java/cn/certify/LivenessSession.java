package cn.certify;

/**
 * A liveness session fed frame by frame. Use from one thread at a time (methods are
 * synchronized); it keeps its engine alive until closed.
 */
public final class LivenessSession implements AutoCloseable {
    private long handle;

    /** Time frames by the library's monotonic clock (what apps pass as elapsedMs). */
    public static final int MONOTONIC = -1;

    LivenessSession(long handle) { this.handle = handle; }

    /** The actions asked for, as a JSON array of names, in order. */
    public synchronized String actions() throws CertifyException { return Natives.livenessActions(handle); }
    /**
     * Feed one JPEG/PNG frame; the session's event as JSON with its reason (failures) and
     * advice ({@code advice_zh}, {@code advice_en}). Pass {@link #MONOTONIC} as elapsedMs:
     * the library times the frame by its monotonic clock. An explicit time is for tests only.
     */
    public synchronized String pushFrame(byte[] image, int elapsedMs) throws CertifyException {
        return Natives.livenessPushFrame(handle, image, elapsedMs);
    }
    /** As {@link #pushFrame}, for a raw camera frame ("nv21" or "rgba"; see FaceEngine.templateFromFrame). */
    public synchronized String pushCameraFrame(byte[] data, int width, int height, int stride, String format, int rotationDegrees, int elapsedMs) throws CertifyException {
        return Natives.livenessPushCameraFrame(handle, data, width, height, stride, format, rotationDegrees, elapsedMs);
    }
    /** End the session and match its best frame against an enrolled template; JSON decision. */
    public synchronized String finish(float[] template) throws CertifyException { return Natives.livenessFinish(handle, template); }

    @Override
    public synchronized void close() {
        long h = handle;
        handle = 0;
        Natives.livenessFree(h);
    }
}
