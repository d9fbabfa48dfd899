package cn.certify;

/**
 * The face engine. Thread-safe: calls from many threads run at once (the native engine
 * serialises each model's sessions itself); {@link #close} waits for calls in progress and
 * then frees the native engine once, after which calls throw CertifyException (the engine is closed).
 */
public final class FaceEngine implements AutoCloseable {
    private final SharedHandle handle;

    /** Load models from modelsDir; ONNX Runtime from runtimeLibrary (null: default search). */
    public FaceEngine(String modelsDir, String runtimeLibrary) throws CertifyException {
        this(modelsDir, runtimeLibrary, null);
    }

    /**
     * Load the engine with options (JSON, every member optional):
     * {@code {"antispoof":"human_antispoof","antispoof_dir":"...","antispoof_threshold":0.5,"match_threshold":0.5}}.
     */
    public FaceEngine(String modelsDir, String runtimeLibrary, String optionsJson) throws CertifyException {
        handle = new SharedHandle(Natives.faceEngineNew(modelsDir, runtimeLibrary, optionsJson));
    }

    private FaceEngine(long handle) {
        this.handle = new SharedHandle(handle);
    }

    /**
     * Load the models from memory (file name to bytes, as read from Android assets with
     * {@code AssetManager.open}), each checked against its pinned sha256 and the shipped
     * SHA256SUMS when it is among them; options as for the constructor (null: defaults).
     */
    public static FaceEngine fromModelFiles(java.util.Map<String, byte[]> files, String runtimeLibrary, String optionsJson) throws CertifyException {
        String[] names = files.keySet().toArray(new String[0]);
        byte[][] data = new byte[names.length][];
        for (int i = 0; i < names.length; i++) data[i] = files.get(names[i]);
        return new FaceEngine(Natives.faceEngineNewFromFiles(names, data, runtimeLibrary, optionsJson));
    }

    private <T> T shared(SharedHandle.Call<T> call) throws CertifyException {
        return handle.call(call);
    }

    /** The 128-float template of the single good face in a JPEG/PNG. */
    public float[] template(byte[] image) throws CertifyException { return shared(h -> Natives.faceTemplate(h, image)); }
    /**
     * The template of a raw camera frame: format "nv21" (Android's camera default) or "rgba",
     * the row stride in bytes, and the clockwise rotation (0, 90, 180, 270) that makes it upright.
     */
    public float[] templateFromFrame(byte[] data, int width, int height, int stride, String format, int rotationDegrees) throws CertifyException {
        return shared(h -> Natives.faceTemplateFromFrame(h, data, width, height, stride, format, rotationDegrees));
    }
    /** Compare two templates at the engine's match threshold: distance, threshold, decision. */
    public FaceComparison compare(float[] a, float[] b) throws CertifyException {
        return shared(h -> Natives.faceCompare(h, a, b));
    }

    /**
     * Compare a live template with an authoritative reference portrait (JPEG/PNG from the
     * card photo store, the police photo check or the counter) at the portrait threshold:
     * what real-name verification and enrollment decide on. The portrait is not kept.
     */
    public FaceComparison comparePortrait(float[] live, byte[] portrait) throws CertifyException {
        return shared(h -> Natives.faceComparePortrait(h, live, portrait));
    }

    /** Euclidean distance between two templates. */
    public float distance(float[] a, float[] b) throws CertifyException { return compare(a, b).distance; }

    /** Whether two templates are the same person at the engine's match threshold. */
    public boolean samePerson(float[] a, float[] b) throws CertifyException { return compare(a, b).samePerson; }

    /** Whether a live template is the person of a reference portrait ({@link #comparePortrait}). */
    public boolean matchesPortrait(float[] live, byte[] portrait) throws CertifyException {
        return comparePortrait(live, portrait).samePerson;
    }

    /**
     * The automatic enrollment review of three JPEG/PNG uploads (identity card front, card
     * back, a selfie holding the card), with the live face also compared with the
     * authority's reference portrait (null when the host has none: then hold a passing
     * upload for staff). JSON: passed, issues (codes), advice_zh, advice_en, template (128
     * floats when passed), card_distance, reference_distance, had_reference, review (the
     * value the enrollment.submit operation takes). Images are not kept.
     */
    public String reviewEnrollment(byte[] cardFront, byte[] cardBack, byte[] selfie, byte[] reference) throws CertifyException {
        return shared(h -> Natives.faceReviewEnrollment(h, cardFront, cardBack, selfie, reference));
    }

    /**
     * The quality check of a JPEG/PNG photo, to show before the person tries again. JSON:
     * usable, issues (each with code, blocking, advice_zh, advice_en), advice_zh and
     * advice_en (the blocking problems' advice joined). The image is not kept.
     */
    public String checkPhoto(byte[] image) throws CertifyException {
        return shared(h -> Natives.faceCheckPhoto(h, image));
    }

    /** The template of the portrait printed on an identity card's front; null when there is no single readable one. */
    public float[] cardPortraitTemplate(byte[] cardFront) throws CertifyException {
        float[] t = shared(h -> Natives.faceCardPortrait(h, cardFront));
        return t.length == 0 ? null : t;
    }

    /** Start a liveness session: actionsJson like ["nod","blink"] (null: random; "[]": silent mode, which needs an anti-spoof model), at nowUnix. */
    public LivenessSession startLiveness(String actionsJson, long nowUnix) throws CertifyException {
        return shared(h -> new LivenessSession(Natives.livenessStart(h, actionsJson, nowUnix)));
    }

    /** Free the native engine once calls in progress have returned (later calls throw). */
    @Override
    public void close() {
        handle.close(Natives::faceEngineFree);
    }
}
