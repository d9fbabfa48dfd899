/* C tests: voice prompts, enrollment and verification. */
#include "harness.h"
#include <math.h>

static const char *ENROLL[5] = {"01234567", "89012345", "67890123", "45678901", "23456789"};

/* {"wideband": [n pseudo-random unit vectors of 192 numbers (CAM++'s length)]}, malloc'd. */
static char *cohort_json(int n) {
  size_t cap = (size_t)n * 192 * 16 + 64, len = 0;
  char *out = malloc(cap);
  unsigned long long state = 7;
  len += (size_t)snprintf(out + len, cap - len, "{\"wideband\":[");
  for (int m = 0; m < n; m++) {
    double v[192], norm = 0;
    for (int i = 0; i < 192; i++) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v[i] = (double)(state >> 40) / (double)(1ULL << 24) - 0.5;
      norm += v[i] * v[i];
    }
    norm = sqrt(norm);
    len += (size_t)snprintf(out + len, cap - len, "%s[", m ? "," : "");
    for (int i = 0; i < 192; i++) len += (size_t)snprintf(out + len, cap - len, "%s%.6f", i ? "," : "", v[i] / norm);
    len += (size_t)snprintf(out + len, cap - len, "]");
  }
  snprintf(out + len, cap - len, "]}");
  return out;
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  char models[4096], lib[4096], path[4300];
  snprintf(models, sizeof models, "%s/models", root);
  snprintf(lib, sizeof lib, "%s/.deps/onnxruntime/libonnxruntime.so", root);

  char *prompts = NULL;
  CHECK(certify_voice_prompts(NULL, &prompts) == CERTIFY_STATUS_OK && prompts, "enrollment prompts");
  int digits[10] = {0}, count = 0;
  for (const char *p = prompts; p && *p; p++) {
    if (*p >= '0' && *p <= '9') digits[*p - '0']++;
    if (*p == '"') count++;
  }
  CHECK(count == 10, "five quoted prompts");
  for (int d = 0; d < 10; d++) CHECK(digits[d] >= 3, "every digit at least three times");
  char *one = NULL;
  CHECK(certify_voice_prompts(prompts, &one) == CERTIFY_STATUS_OK && strlen(one) == 12, "one certification prompt");
  char quoted[16];
  snprintf(quoted, sizeof quoted, "%.10s", one + 1);
  CHECK(strstr(prompts, quoted) == NULL, "not an enrollment prompt");
  certify_string_free(one);
  certify_string_free(prompts);
  CHECK(certify_voice_prompts("[1,", &one) == CERTIFY_STATUS_JSON_INVALID, "bad JSON");

  CertifyVoiceEngine *engine = NULL;
  CHECK(certify_voice_engine_new("/nonexistent", lib, &engine) == CERTIFY_STATUS_MODEL_MISSING && !engine, "missing models");
  CHECK(certify_voice_engine_new(models, lib, &engine) == CERTIFY_STATUS_OK && engine, "engine loads");
  if (!engine) return report();
  if (getenv("CERTIFY_TEST_QUICK")) {
    /* Under valgrind five enrollments take minutes: check the boundary's argument paths. */
    char *d = NULL;
    CHECK(certify_voice_verify(engine, "{}", (const uint8_t *)"RIFF", 4, "73920581", &d) == CERTIFY_STATUS_JSON_INVALID && !d, "bad template");
    CHECK(certify_voice_enroll(engine, NULL, NULL, ENROLL, 5, &d) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL recordings");
    certify_voice_engine_free(engine);
    return report();
  }
  unsigned char *wavs[5];
  size_t lens[5];
  for (int i = 0; i < 5; i++) {
    snprintf(path, sizeof path, "%s/.deps/testdata/voice/cmn_m1_enroll%d.wav", root, i);
    wavs[i] = read_file(path, &lens[i]);
    CHECK(wavs[i] != NULL, "recording present (run scripts/setup.sh)");
    if (!wavs[i]) return report();
  }
  char *enrolled = NULL;
  CHECK(certify_voice_enroll(engine, (const uint8_t *const *)wavs, lens, ENROLL, 5, &enrolled) == CERTIFY_STATUS_OK, "enroll");
  char *template = enrolled ? json_member(enrolled, "template") : NULL;
  CHECK(template && template[0] == '{', "a template");
  CHECK(enrolled && strstr(enrolled, "\"issues\":[[],[],[],[],[]]"), "no issues");
  size_t tl = 0, sl = 0;
  snprintf(path, sizeof path, "%s/.deps/testdata/voice/cmn_m1_test0.wav", root);
  unsigned char *probe = read_file(path, &tl);
  snprintf(path, sizeof path, "%s/.deps/testdata/voice/silence.wav", root);
  unsigned char *silence = read_file(path, &sl);
  char *d = NULL;
  if (template && probe && silence) {
    CHECK(certify_voice_verify(engine, template, probe, tl, "73920581", &d) == CERTIFY_STATUS_OK, "verify");
    CHECK(d && strstr(d, "\"passed\":true") && strstr(d, "\"digits_heard\":\"73920581\""), "genuine speaker, right digits");
    /* The same engine with its models from memory (an app's assets) decides the same. */
    const char *names[] = {"SHA256SUMS", "silero_vad_16k_op15.onnx", "resemblyzer_ge2e.onnx", "campplus_cn_en_common.onnx"};
    unsigned char *files[4];
    size_t sizes[4];
    for (int i = 0; i < 4; i++) {
      snprintf(path, sizeof path, "%s/%s", models, names[i]);
      files[i] = read_file(path, &sizes[i]);
    }
    CertifyVoiceEngine *mem = NULL;
    CHECK(certify_voice_engine_new_from_files(names, (const uint8_t *const *)files, sizes, 4, lib, &mem) == CERTIFY_STATUS_OK && mem, "voice engine from model bytes");
    char *d2 = NULL;
    if (mem) CHECK(certify_voice_verify(mem, template, probe, tl, "73920581", &d2) == CERTIFY_STATUS_OK, "verify from bytes");
    char *s1 = d ? json_member(d, "speaker_score") : NULL, *s2 = d2 ? json_member(d2, "speaker_score") : NULL;
    CHECK(s1 && s2 && strcmp(s1, s2) == 0, "the same speaker score from bytes");
    free(s1);
    free(s2);
    certify_string_free(d2);
    certify_voice_engine_free(mem);
    mem = NULL;
    files[2][sizes[2] / 2] ^= 1;
    CHECK(certify_voice_engine_new_from_files(names, (const uint8_t *const *)files, sizes, 4, lib, &mem) == CERTIFY_STATUS_MODEL_CHECKSUM && !mem, "a tampered voice model is refused");
    for (int i = 0; i < 4; i++) free(files[i]);
    certify_string_free(d);
    d = NULL;
    CHECK(certify_voice_verify(engine, template, wavs[0], lens[0], "73920581", &d) == CERTIFY_STATUS_OK && strstr(d, "\"passed\":false"), "replayed enrollment fails");
    certify_string_free(d);
    d = NULL;
    CHECK(certify_voice_verify(engine, template, silence, sl, "73920581", &d) == CERTIFY_STATUS_OK && strstr(d, "no_speech"), "silence");
    certify_string_free(d);
    d = NULL;
    CHECK(certify_voice_verify(engine, template, (const uint8_t *)"RIFFjunk", 8, "73920581", &d) == CERTIFY_STATUS_AUDIO_BAD_WAV && !d, "bad WAV");
    CHECK(certify_voice_verify(engine, "{}", probe, tl, "73920581", &d) == CERTIFY_STATUS_JSON_INVALID, "bad template");
    CHECK(certify_voice_verify(engine, template, probe, tl, "123", &d) == CERTIFY_STATUS_INVALID_ARGUMENT, "bad prompt");
    CHECK(certify_voice_verify(engine, template, probe, tl, NULL, &d) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL prompt");
    /* With a cohort of 24 other voiceprints (pseudo-random unit vectors here), the
       normalised score decides; a cohort too small, or not one, is refused. */
    char *cohort = cohort_json(24);
    CHECK(certify_voice_verify_with_cohort(engine, template, cohort, probe, tl, "73920581", &d) == CERTIFY_STATUS_OK, "verify with a cohort");
    CHECK(d && strstr(d, "\"passed\":true") && !strstr(d, "\"speaker_normalized\":null"), "the normalised score decided");
    certify_string_free(d);
    d = NULL;
    char *few = cohort_json(5);
    CHECK(certify_voice_verify_with_cohort(engine, template, few, probe, tl, "73920581", &d) == CERTIFY_STATUS_INVALID_ARGUMENT && !d, "too small a cohort");
    CHECK(certify_voice_verify_with_cohort(engine, template, "[1,2]", probe, tl, "73920581", &d) == CERTIFY_STATUS_JSON_INVALID && !d, "not a cohort");
    CHECK(certify_voice_verify(engine, template, probe, tl, "73920581", &d) == CERTIFY_STATUS_OK && strstr(d, "\"speaker_normalized\":null"), "no normalised score without a cohort");
    certify_string_free(d);
    d = NULL;
    free(cohort);
    free(few);
  }
  CHECK(certify_voice_enroll(engine, (const uint8_t *const *)wavs, lens, ENROLL, 3, &d) == CERTIFY_STATUS_INVALID_ARGUMENT, "three recordings");
  CHECK(certify_voice_enroll(engine, NULL, lens, ENROLL, 5, &d) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL recordings");
  free(template);
  certify_string_free(enrolled);
  for (int i = 0; i < 5; i++) free(wavs[i]);
  free(probe);
  free(silence);
  certify_voice_engine_free(engine);
  certify_voice_engine_free(NULL);
  return report();
}
