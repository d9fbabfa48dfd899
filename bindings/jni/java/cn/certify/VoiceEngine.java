package cn.certify;

/** The voice engine. Thread-safe; close it once when done. */
public final class VoiceEngine implements AutoCloseable {
    private long handle;

    /** Load models from modelsDir; ONNX Runtime from runtimeLibrary (null: default search). */
    public VoiceEngine(String modelsDir, String runtimeLibrary) throws CertifyException {
        handle = Certify.voiceEngineNew(modelsDir, runtimeLibrary);
    }

    private VoiceEngine(long handle) {
        this.handle = handle;
    }

    /** Load the models from memory (file name to bytes, as read from Android assets), checked as files are. */
    public static VoiceEngine fromModelFiles(java.util.Map<String, byte[]> files, String runtimeLibrary) throws CertifyException {
        String[] names = files.keySet().toArray(new String[0]);
        byte[][] data = new byte[names.length][];
        for (int i = 0; i < names.length; i++) data[i] = files.get(names[i]);
        return new VoiceEngine(Certify.voiceEngineNewFromFiles(names, data, runtimeLibrary));
    }

    /** Enroll from five WAV recordings of the prompts: JSON {"template": ..., "issues": [[...], ...]}. */
    public synchronized String enroll(byte[][] wavs, String[] prompts) throws CertifyException {
        return Certify.voiceEnroll(handle, wavs, prompts);
    }

    /** Verify a WAV recording of prompt against a template (the JSON "template" of enroll). */
    public synchronized String verify(String templateJson, byte[] wav, String prompt) throws CertifyException {
        return Certify.voiceVerify(handle, templateJson, wav, prompt);
    }

    @Override
    public synchronized void close() {
        long h = handle;
        handle = 0;
        Certify.voiceEngineFree(h);
    }
}
