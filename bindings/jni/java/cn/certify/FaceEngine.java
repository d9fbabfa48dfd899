package cn.certify;

/** The face engine. Thread-safe; close it once when done. */
public final class FaceEngine implements AutoCloseable {
    private long handle;

    /** Load models from modelsDir; ONNX Runtime from runtimeLibrary (null: default search). */
    public FaceEngine(String modelsDir, String runtimeLibrary) throws CertifyException {
        this(modelsDir, runtimeLibrary, null);
    }

    /**
     * Load the engine with options (JSON, every member optional):
     * {@code {"antispoof":"human_antispoof","antispoof_dir":"...","antispoof_threshold":0.5,"match_threshold":0.5}}.
     */
    public FaceEngine(String modelsDir, String runtimeLibrary, String optionsJson) throws CertifyException {
        handle = Certify.faceEngineNew(modelsDir, runtimeLibrary, optionsJson);
    }

    /** The 128-float template of the single good face in a JPEG/PNG. */
    public synchronized float[] template(byte[] image) throws CertifyException { return Certify.faceTemplate(handle, image); }
    /**
     * The template of a raw camera frame: format "nv21" (Android's camera default) or "rgba",
     * the row stride in bytes, and the clockwise rotation (0, 90, 180, 270) that makes it upright.
     */
    public synchronized float[] templateFromFrame(byte[] data, int width, int height, int stride, String format, int rotationDegrees) throws CertifyException {
        return Certify.faceTemplateFromFrame(handle, data, width, height, stride, format, rotationDegrees);
    }
    /** Euclidean distance between two templates. */
    public synchronized float distance(float[] a, float[] b) throws CertifyException { return Certify.faceDistance(handle, a, b); }
    /** Whether two templates are the same person at the engine's threshold. */
    public synchronized boolean samePerson(float[] a, float[] b) throws CertifyException {
        return Certify.faceDistance(handle, a, b) < Certify.faceThreshold(handle);
    }

    /**
     * Whether a live template is the person of an authoritative reference portrait (JPEG/PNG
     * from the card photo store, the police photo check or the counter), at the portrait
     * threshold: what real-name verification and enrollment decide on.
     */
    public synchronized boolean matchesPortrait(float[] live, byte[] portrait) throws CertifyException {
        return Certify.facePortraitDistance(handle, live, portrait) < Certify.facePortraitThreshold(handle);
    }

    /** Start a liveness session: actionsJson like ["nod","blink"] (null: random; "[]": silent mode, which needs an anti-spoof model), at nowUnix. */
    public synchronized LivenessSession startLiveness(String actionsJson, long nowUnix) throws CertifyException {
        return new LivenessSession(Certify.livenessStart(handle, actionsJson, nowUnix));
    }

    @Override
    public synchronized void close() {
        long h = handle;
        handle = 0;
        Certify.faceEngineFree(h);
    }
}
