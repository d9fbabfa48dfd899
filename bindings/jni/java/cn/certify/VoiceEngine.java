package cn.certify;

/**
 * The voice engine. Thread-safe: enrollments and verifications from many threads run at
 * once (the native engine keeps a pool of model sessions); {@link #close} waits for calls in
 * progress and then frees the native engine once, after which calls throw CertifyException.
 */
public final class VoiceEngine implements AutoCloseable {
    private final SharedHandle handle;

    /** Load models from modelsDir; ONNX Runtime from runtimeLibrary (null: default search). */
    public VoiceEngine(String modelsDir, String runtimeLibrary) throws CertifyException {
        handle = new SharedHandle(Natives.voiceEngineNew(modelsDir, runtimeLibrary));
    }

    private VoiceEngine(long handle) {
        this.handle = new SharedHandle(handle);
    }

    /** Load the models from memory (file name to bytes, as read from Android assets), checked as files are. */
    public static VoiceEngine fromModelFiles(java.util.Map<String, byte[]> files, String runtimeLibrary) throws CertifyException {
        String[] names = files.keySet().toArray(new String[0]);
        byte[][] data = new byte[names.length][];
        for (int i = 0; i < names.length; i++) data[i] = files.get(names[i]);
        return new VoiceEngine(Natives.voiceEngineNewFromFiles(names, data, runtimeLibrary));
    }

    /** Enroll from five WAV recordings of the prompts: JSON {"template": ..., "issues": [[...], ...]}. */
    public String enroll(byte[][] wavs, String[] prompts) throws CertifyException {
        return handle.call(h -> Natives.voiceEnroll(h, wavs, prompts));
    }

    /** Verify a WAV recording of prompt against a template (the JSON "template" of enroll). */
    public String verify(String templateJson, byte[] wav, String prompt) throws CertifyException {
        return handle.call(h -> Natives.voiceVerify(h, templateJson, wav, prompt));
    }

    /**
     * As verify, with the speaker score normalised against cohortJson: other people's
     * voiceprints enrolled with the host, {"wideband": [[256 numbers], ...], "narrowband": [...]}
     * (the "speaker" and "speaker_narrowband" members of at least 20 stored templates).
     * The result's "speaker_normalized" is the score that decided.
     */
    public String verifyWithCohort(String templateJson, String cohortJson, byte[] wav, String prompt)
            throws CertifyException {
        return handle.call(h -> Natives.voiceVerifyWithCohort(h, templateJson, cohortJson, wav, prompt));
    }

    @Override
    public void close() {
        handle.close(Natives::voiceEngineFree);
    }
}
