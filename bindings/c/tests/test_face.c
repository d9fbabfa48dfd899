/* C tests: face engine (templates, 1:1 compare) and liveness sessions fed frame by frame. */
#include "harness.h"

static char photos[4096];

static unsigned char *photo(const char *name, size_t *len) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", photos, name);
  unsigned char *img = read_file(path, len);
  CHECK(img != NULL, "photo present (run scripts/setup.sh)");
  return img;
}

static void test_templates(CertifyFaceEngine *engine, float *a, float *b, float *c) {
  const char *names[3] = {"obama.jpg", "obama2.jpg", "biden.jpg"};
  float *outs[3] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    size_t len = 0;
    unsigned char *img = photo(names[i], &len);
    if (!img) continue;
    CHECK(certify_face_template(engine, img, len, outs[i], CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_OK, names[i]);
    float small[4];
    CHECK(certify_face_template(engine, img, len, small, 4) == CERTIFY_STATUS_BUFFER_TOO_SMALL, "buffer too small");
    free(img);
  }
  unsigned char garbage[64] = {0x89, 'P', 'N', 'G'};
  float t[CERTIFY_FACE_TEMPLATE_LEN];
  CHECK(certify_face_template(engine, garbage, sizeof garbage, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_IMAGE_DECODE, "garbage image");
  CHECK(certify_face_template(engine, garbage, 0, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_IMAGE_EMPTY, "empty image");
  CHECK(certify_face_template(engine, NULL, 10, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL image");
  float d = -1, threshold = -1;
  bool same = false;
  CHECK(certify_face_compare(engine, a, CERTIFY_FACE_TEMPLATE_LEN, b, CERTIFY_FACE_TEMPLATE_LEN, &d, &threshold, &same) == CERTIFY_STATUS_OK && same && d < threshold, "same person matches");
  CHECK(threshold > 0.49f && threshold < 0.51f, "the match threshold (0.50 by default) comes with the decision");
  CHECK(certify_face_compare(engine, a, CERTIFY_FACE_TEMPLATE_LEN, c, CERTIFY_FACE_TEMPLATE_LEN, &d, &threshold, &same) == CERTIFY_STATUS_OK && !same && d >= threshold, "different people do not");
  CHECK(certify_face_compare(engine, a, CERTIFY_FACE_TEMPLATE_LEN, c, 3, &d, &threshold, &same) == CERTIFY_STATUS_INVALID_ARGUMENT, "wrong length");
  CHECK(certify_face_compare(NULL, a, CERTIFY_FACE_TEMPLATE_LEN, c, CERTIFY_FACE_TEMPLATE_LEN, &d, &threshold, &same) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL engine");
  CHECK(certify_face_compare(engine, a, CERTIFY_FACE_TEMPLATE_LEN, c, CERTIFY_FACE_TEMPLATE_LEN, &d, NULL, &same) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL out-parameter");
  /* An authoritative portrait (another photo of the same man) decides at its threshold. */
  size_t plen = 0;
  unsigned char *portrait = photo("obama3.jpg", &plen);
  if (portrait) {
    CHECK(certify_face_compare_portrait(engine, a, CERTIFY_FACE_TEMPLATE_LEN, portrait, plen, &d, &threshold, &same) == CERTIFY_STATUS_OK && same && d < 0.5f, "portrait matches its person");
    CHECK(threshold > 0.49f && threshold < 0.51f, "at the portrait threshold (0.50 by default)");
    CHECK(certify_face_compare_portrait(engine, c, CERTIFY_FACE_TEMPLATE_LEN, portrait, plen, &d, &threshold, &same) == CERTIFY_STATUS_OK && !same && d > 0.5f, "portrait refuses another person");
    CHECK(certify_face_compare_portrait(engine, a, CERTIFY_FACE_TEMPLATE_LEN, garbage, sizeof garbage, &d, &threshold, &same) == CERTIFY_STATUS_IMAGE_DECODE, "garbage portrait");
    CHECK(certify_face_compare_portrait(engine, a, 3, portrait, plen, &d, &threshold, &same) == CERTIFY_STATUS_INVALID_ARGUMENT, "portrait: wrong length");
    free(portrait);
  }
}

/* The frames of a live head shaking and nodding (written by the live_frames example from a
 * real photograph re-rendered in 3-D; run_tests.sh makes them), NULL-terminated. */
static unsigned char **live_frames(const char *root, size_t *lens, int max, int *count) {
  unsigned char **frames = calloc((size_t)max + 1, sizeof *frames);
  *count = 0;
  for (int i = 0; i < max; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/target/live-frames/frame_%03d.jpg", root, i);
    FILE *f = fopen(path, "rb");
    if (!f) break;
    fclose(f);
    frames[i] = read_file(path, &lens[i]);
    (*count)++;
  }
  return frames;
}

static char root_dir[4096];

/* A live head passes and matches only its owner; three different photographs of the same
 * person (the relative's attack) are refused as discontinuous, with a reason and advice. */
static void test_liveness(CertifyFaceEngine *engine, const float *enrolled, const float *stranger) {
  size_t lens[128] = {0};
  int count = 0;
  unsigned char **frames = live_frames(root_dir, lens, 120, &count);
  CHECK(count > 20, "live frames present (bindings/c/run_tests.sh writes them)");
  const float *templates[2] = {enrolled, stranger};
  /* Under valgrind (quick mode) the whole live runs take many minutes: ASan covers them. */
  int runs = getenv("CERTIFY_TEST_QUICK") ? 0 : 2;
  for (int who = 0; who < runs && count > 20; who++) {
    CertifyLivenessSession *s = NULL;
    CHECK(certify_liveness_start(engine, "[\"shake_head\",\"nod\"]", 1591322400, &s) == CERTIFY_STATUS_OK && s, "session starts");
    char *actions = NULL;
    CHECK(certify_liveness_actions(s, &actions) == CERTIFY_STATUS_OK && strcmp(actions, "[\"shake_head\",\"nod\"]") == 0, "actions in order");
    certify_string_free(actions);
    char *event = NULL;
    int done = 0, passed_at = -1;
    for (int i = 0; i < count; i++) {
      /* Explicit times (test only): 10 frames a second. */
      CHECK(certify_liveness_push_frame(s, frames[i], lens[i], 100 * (i + 1), &event) == CERTIFY_STATUS_OK, "frame accepted");
      if (getenv("CERTIFY_TEST_VERBOSE")) fprintf(stderr, "frame %d: %s\n", i, event ? event : "(none)");
      if (event && strstr(event, "\"event\":\"action_done\"")) done++;
      if (event && strstr(event, "\"event\":\"passed\"") && passed_at < 0) passed_at = i;
      certify_string_free(event);
      event = NULL;
    }
    CHECK(done >= 1 && passed_at >= 0, "actions done and the session passed");
    char *decision = NULL;
    CHECK(certify_liveness_finish(s, templates[who], CERTIFY_FACE_TEMPLATE_LEN, &decision) == CERTIFY_STATUS_OK, "finish");
    CHECK(decision && strstr(decision, "\"liveness_passed\":true") && strstr(decision, "\"identity_consistent\":true"), "liveness passed, one person");
    if (who == 0) CHECK(decision && strstr(decision, "\"passed\":true") && strstr(decision, "\"same_person\":true"), "enrolled person passes");
    else CHECK(decision && strstr(decision, "\"passed\":false") && strstr(decision, "\"reason\":\"face_mismatch\""), "someone else's template fails");
    certify_string_free(decision);
    decision = NULL;
    CHECK(certify_liveness_finish(s, enrolled, CERTIFY_FACE_TEMPLATE_LEN, &decision) == CERTIFY_STATUS_SESSION_FINISHED && !decision, "finishes once");
    CHECK(certify_liveness_push_frame(s, frames[0], lens[0], 9000, &event) == CERTIFY_STATUS_SESSION_FINISHED && !event, "no frames after finish");
    certify_liveness_free(s);
  }
  for (int i = 0; i < count; i++) free(frames[i]);
  free(frames);
  /* Still photographs of the pensioner, each sent four times: refused, with advice. */
  size_t l1 = 0, l2 = 0, l4 = 0;
  unsigned char *frontal = photo("obama.jpg", &l1), *turned = photo("obama2.jpg", &l2), *closed = photo("obama3.jpg", &l4);
  if (!frontal || !turned || !closed) { free(frontal); free(turned); free(closed); return; }
  CertifyLivenessSession *s = NULL;
  CHECK(certify_liveness_start(engine, "[\"shake_head\",\"open_mouth\"]", 1591322400, &s) == CERTIFY_STATUS_OK, "second session");
  const unsigned char *stills[3] = {frontal, closed, turned};
  const size_t still_lens[3] = {l1, l4, l2};
  char *event = NULL;
  int passed_any = 0, refused = 0;
  for (int i = 0; i < 12; i++) {
    CHECK(certify_liveness_push_frame(s, stills[i / 4], still_lens[i / 4], 100 * (i + 1), &event) == CERTIFY_STATUS_OK, "still frame");
    if (strstr(event, "\"event\":\"passed\"")) passed_any = 1;
    if (strstr(event, "\"reason\":\"") && strstr(event, "advice_zh")) refused = 1;
    certify_string_free(event);
  }
  CHECK(refused && !passed_any, "photographs are refused with a reason and advice");
  char *decision = NULL;
  CHECK(certify_liveness_finish(s, enrolled, CERTIFY_FACE_TEMPLATE_LEN, &decision) == CERTIFY_STATUS_OK, "finish stills");
  CHECK(decision && strstr(decision, "\"passed\":false") && strstr(decision, "\"distance\":null") && !strstr(decision, "\"reason\":null"), "stills do not pass, are not matched, and say why");
  certify_string_free(decision);
  certify_liveness_free(s);
  /* The library's monotonic clock times frames; silent mode needs an anti-spoof model. */
  CHECK(certify_liveness_start(engine, "[\"nod\",\"blink\"]", CERTIFY_NOW_SYSTEM, &s) == CERTIFY_STATUS_OK, "monotonic session");
  CHECK(certify_liveness_push_frame(s, frontal, l1, CERTIFY_ELAPSED_MONOTONIC, &event) == CERTIFY_STATUS_OK && strstr(event, "in_progress"), "frame timed by the library");
  certify_string_free(event);
  certify_liveness_free(s);
  CertifyLivenessSession *silent = NULL;
  CHECK(certify_liveness_start(engine, "[]", CERTIFY_NOW_SYSTEM, &silent) == CERTIFY_STATUS_ANTISPOOF_REQUIRED && !silent, "silent mode needs anti-spoof");
  /* Bad arguments. */
  unsigned char garbage[16] = {0xFF, 0xD8, 0xFF};
  CHECK(certify_liveness_start(engine, NULL, CERTIFY_NOW_SYSTEM, &s) == CERTIFY_STATUS_OK, "random actions, system clock");
  CHECK(certify_liveness_actions(s, &event) == CERTIFY_STATUS_OK && event[0] == '[', "drawn actions");
  certify_string_free(event);
  event = NULL;
  CHECK(certify_liveness_push_frame(s, garbage, sizeof garbage, 10, &event) == CERTIFY_STATUS_IMAGE_DECODE && !event, "garbage frame");
  CHECK(certify_liveness_push_frame(s, NULL, 10, 10, &event) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL frame");
  CHECK(certify_liveness_push_frame(NULL, frontal, l1, 10, &event) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL session");
  CHECK(certify_liveness_finish(s, enrolled, 3, &decision) == CERTIFY_STATUS_INVALID_ARGUMENT, "short template");
  certify_liveness_free(s);
  certify_liveness_free(NULL);
  CertifyLivenessSession *none = NULL;
  CHECK(certify_liveness_start(engine, "[\"juggle\"]", 0, &none) == CERTIFY_STATUS_INVALID_ARGUMENT && !none, "unknown action");
  CHECK(certify_liveness_start(engine, "[nod", 0, &none) == CERTIFY_STATUS_JSON_INVALID && !none, "bad JSON");
  CHECK(certify_liveness_start(NULL, NULL, 0, &none) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL engine");
  free(frontal);
  free(turned);
  free(closed);
}

/* Raw camera frames: a grey NV21 frame has no face; malformed frames get their codes. */
static void test_camera_frames(CertifyFaceEngine *engine) {
  enum { W = 320, H = 240 };
  static unsigned char grey[W * H * 3 / 2];
  memset(grey, 128, sizeof grey);
  float t[CERTIFY_FACE_TEMPLATE_LEN];
  CertifyCameraFrame frame = {grey, sizeof grey, W, H, W, CERTIFY_FRAME_FORMAT_NV21, 90};
  CHECK(certify_face_template_from_frame(engine, &frame, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_FACE_QUALITY, "grey frame: no face");
  CertifyCameraFrame short_frame = frame;
  short_frame.len = 100;
  CHECK(certify_face_template_from_frame(engine, &short_frame, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_IMAGE_BAD_FRAME, "short frame");
  CertifyCameraFrame odd = frame;
  odd.rotation_degrees = 45;
  CHECK(certify_face_template_from_frame(engine, &odd, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_INVALID_ARGUMENT, "odd rotation");
  odd = frame;
  odd.format = 7;
  CHECK(certify_face_template_from_frame(engine, &odd, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_INVALID_ARGUMENT, "unknown format");
  CHECK(certify_face_template_from_frame(engine, NULL, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL frame");
  CHECK(certify_face_template_from_frame(engine, &frame, t, 3) == CERTIFY_STATUS_BUFFER_TOO_SMALL, "small output");
  CertifyLivenessSession *s = NULL;
  char *event = NULL;
  CHECK(certify_liveness_start(engine, "[\"nod\",\"blink\"]", CERTIFY_NOW_SYSTEM, &s) == CERTIFY_STATUS_OK, "session for frames");
  CHECK(certify_liveness_push_camera_frame(s, &frame, CERTIFY_ELAPSED_MONOTONIC, &event) == CERTIFY_STATUS_OK && event &&
            strstr(event, "face_missing") && strstr(event, "advice_zh"), "a faceless frame is reported with advice");
  certify_string_free(event);
  event = NULL;
  CHECK(certify_liveness_push_camera_frame(s, &short_frame, 10, &event) == CERTIFY_STATUS_IMAGE_BAD_FRAME && !event, "short frame in a session");
  certify_liveness_free(s);
}

/* The enrollment review: the holder's own set passes against the authority's portrait; a
 * stranger's forged set (his face on the card) is consistent in itself and fails against
 * it, with the reason and Chinese advice; the card portrait is found on the card. */
static void test_enrollment_review(CertifyFaceEngine *engine) {
  char dir[4200], path[4300];
  snprintf(dir, sizeof dir, "%s/target/enrollment-images", root_dir);
  const char *names[] = {"card_front.png", "card_back.png", "selfie.png", "reference.png", "forged_front.png", "forged_selfie.png"};
  unsigned char *img[6];
  size_t len[6];
  for (int i = 0; i < 6; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    img[i] = read_file(path, &len[i]);
    CHECK(img[i] != NULL, "enrollment image present (bindings/c/run_tests.sh writes them)");
    if (!img[i]) return;
  }
  char *json = NULL;
  CHECK(certify_face_review_enrollment(engine, img[0], len[0], img[1], len[1], img[2], 10, NULL, 0, &json) == CERTIFY_STATUS_IMAGE_DECODE && !json, "a truncated selfie is refused");
  CHECK(certify_face_review_enrollment(engine, NULL, 0, img[1], len[1], img[2], len[2], NULL, 0, &json) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL card");
  /* Under valgrind (quick mode) the reviews' detector runs take minutes: ASan covers them. */
  if (getenv("CERTIFY_TEST_QUICK")) {
    for (int i = 0; i < 6; i++) free(img[i]);
    return;
  }
  CHECK(certify_face_review_enrollment(engine, img[0], len[0], img[1], len[1], img[2], len[2], img[3], len[3], &json) == CERTIFY_STATUS_OK && json, "own set reviewed");
  CHECK(json && strstr(json, "\"passed\":true") && strstr(json, "\"had_reference\":true") && strstr(json, "\"result\":\"passed\"") && !strstr(json, "\"template\":null"), "own set passes with a template");
  certify_string_free(json);
  json = NULL;
  CHECK(certify_face_review_enrollment(engine, img[4], len[4], img[1], len[1], img[5], len[5], NULL, 0, &json) == CERTIFY_STATUS_OK && json, "forged set without a reference");
  CHECK(json && strstr(json, "\"passed\":true") && strstr(json, "\"had_reference\":false"), "a forged set is consistent in itself: the host must hold it for staff");
  certify_string_free(json);
  json = NULL;
  CHECK(certify_face_review_enrollment(engine, img[4], len[4], img[1], len[1], img[5], len[5], img[3], len[3], &json) == CERTIFY_STATUS_OK && json, "forged set reviewed");
  CHECK(json && strstr(json, "\"passed\":false") && strstr(json, "\"issues\":[\"face_mismatch\"]") && strstr(json, "人脸与身份证照片不符") && strstr(json, "\"template\":null"), "forged set fails against the authority's portrait, with advice");
  certify_string_free(json);
  json = NULL;
  float t[CERTIFY_FACE_TEMPLATE_LEN], live[CERTIFY_FACE_TEMPLATE_LEN];
  bool found = false, match = false;
  float distance = 0;
  CHECK(certify_face_card_portrait(engine, img[0], len[0], t, CERTIFY_FACE_TEMPLATE_LEN, &found) == CERTIFY_STATUS_OK && found, "card portrait found");
  CHECK(certify_face_template(engine, img[3], len[3], live, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_OK, "reference template");
  float threshold = 0;
  CHECK(certify_face_compare(engine, t, CERTIFY_FACE_TEMPLATE_LEN, live, CERTIFY_FACE_TEMPLATE_LEN, &distance, &threshold, &match) == CERTIFY_STATUS_OK && distance < 1.0f, "the card portrait is the holder's face");
  CHECK(certify_face_card_portrait(engine, img[1], len[1], t, CERTIFY_FACE_TEMPLATE_LEN, &found) == CERTIFY_STATUS_OK && !found, "no portrait on the back");
  for (int i = 0; i < 6; i++) free(img[i]);
}

/* The photo check: a dark photo is refused by the template call with 620, and the check
 * says why (too_dark) with Chinese and English advice; a good photo is usable. */
static void test_photo_check(CertifyFaceEngine *engine) {
  char path[4300];
  snprintf(path, sizeof path, "%s/target/enrollment-images/dark_photo.png", root_dir);
  size_t dark_len = 0, good_len = 0;
  unsigned char *dark = read_file(path, &dark_len);
  unsigned char *good = photo("obama.jpg", &good_len);
  CHECK(dark != NULL && good != NULL, "dark and good photos present (bindings/c/run_tests.sh writes the dark one)");
  if (!dark || !good) {
    free(dark);
    free(good);
    return;
  }
  float t[CERTIFY_FACE_TEMPLATE_LEN];
  CHECK(certify_face_template(engine, dark, dark_len, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_FACE_QUALITY, "a dark photo gives no template");
  char *json = NULL;
  CHECK(certify_face_check_photo(engine, dark, dark_len, &json) == CERTIFY_STATUS_OK && json, "dark photo checked");
  CHECK(json && strstr(json, "\"usable\":false") && strstr(json, "\"code\":\"too_dark\"") && strstr(json, "光线太暗") &&
            strstr(json, "too dark: move to the light"), "the check names the problem with its advice");
  certify_string_free(json);
  json = NULL;
  CHECK(certify_face_check_photo(engine, good, good_len, &json) == CERTIFY_STATUS_OK && json && strstr(json, "\"usable\":true"), "a good photo is usable");
  certify_string_free(json);
  json = NULL;
  CHECK(certify_face_check_photo(engine, good, 10, &json) == CERTIFY_STATUS_IMAGE_DECODE && !json, "a truncated photo is refused");
  CHECK(certify_face_check_photo(engine, NULL, 0, &json) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL image");
  CHECK(certify_face_check_photo(engine, good, good_len, NULL) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL out");
  CHECK(certify_face_check_photo(NULL, good, good_len, &json) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL engine");
  free(dark);
  free(good);
}

/* Models from memory (an app's assets): the same templates as from the directory; a model
 * with one byte changed is refused. */
static void test_models_from_memory(CertifyFaceEngine *engine, const char *root, const char *lib) {
  const char *names[] = {"SHA256SUMS", "mp_face_detection_short_range.onnx", "face_detection_back_256x256_barracuda.onnx",
                         "mp_face_landmark.onnx", "faceapi_recognition_dlib128.onnx"};
  enum { N = 5 };
  unsigned char *data[N];
  size_t lens[N];
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/models", root);
  for (int i = 0; i < N; i++) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    data[i] = read_file(path, &lens[i]);
    CHECK(data[i] != NULL, "model file read");
    if (!data[i]) return;
  }
  CertifyFaceEngine *mem = NULL;
  CHECK(certify_face_engine_new_from_files(names, (const unsigned char *const *)data, lens, N, lib, NULL, &mem) == CERTIFY_STATUS_OK && mem, "engine from model bytes");
  size_t len = 0;
  unsigned char *img = photo("obama.jpg", &len);
  float a[CERTIFY_FACE_TEMPLATE_LEN], b[CERTIFY_FACE_TEMPLATE_LEN], d = 1;
  bool same = false;
  if (mem && img) {
    CHECK(certify_face_template(mem, img, len, a, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_OK, "template from the bytes engine");
    CHECK(certify_face_template(engine, img, len, b, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_OK, "template from the directory engine");
    float threshold = 0;
    CHECK(certify_face_compare(engine, a, CERTIFY_FACE_TEMPLATE_LEN, b, CERTIFY_FACE_TEMPLATE_LEN, &d, &threshold, &same) == CERTIFY_STATUS_OK && d < 1e-4f, "the same templates");
  }
  certify_face_engine_free(mem);
  mem = NULL;
  data[3][lens[3] / 2] ^= 1;
  CHECK(certify_face_engine_new_from_files(names, (const unsigned char *const *)data, lens, N, lib, NULL, &mem) == CERTIFY_STATUS_MODEL_CHECKSUM && !mem, "a tampered model is refused");
  data[3][lens[3] / 2] ^= 1;
  CHECK(certify_face_engine_new_from_files(names, (const unsigned char *const *)data, lens, N - 1, lib, NULL, &mem) == CERTIFY_STATUS_MODEL_MISSING && !mem, "a missing model is refused");
  free(img);
  for (int i = 0; i < N; i++) free(data[i]);
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  char models[4096], lib[4096];
  snprintf(models, sizeof models, "%s/models", root);
  snprintf(lib, sizeof lib, "%s/.deps/onnxruntime/libonnxruntime.so", root);
  snprintf(photos, sizeof photos, "%s/.deps/testdata/face", root);
  snprintf(root_dir, sizeof root_dir, "%s", root);
  CertifyFaceEngine *engine = NULL;
  CHECK(certify_face_engine_new("/nonexistent", lib, &engine) == CERTIFY_STATUS_MODEL_MISSING && engine == NULL, "missing models");
  CHECK(certify_face_engine_new(models, lib, NULL) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL out engine");
  CHECK(certify_face_engine_new(models, lib, &engine) == CERTIFY_STATUS_OK && engine != NULL, "engine loads");
  if (engine) {
    float a[CERTIFY_FACE_TEMPLATE_LEN], b[CERTIFY_FACE_TEMPLATE_LEN], c[CERTIFY_FACE_TEMPLATE_LEN];
    test_templates(engine, a, b, c);
    test_liveness(engine, b, c);
    test_camera_frames(engine);
    test_enrollment_review(engine);
    test_photo_check(engine);
    if (!getenv("CERTIFY_TEST_QUICK")) test_models_from_memory(engine, root, lib);
    certify_face_engine_free(engine);
  }
  /* Options: the shipped anti-spoof model with a threshold no face reaches. */
  CertifyFaceEngine *strict = NULL;
  int quick = getenv("CERTIFY_TEST_QUICK") != NULL;
  CHECK(certify_face_engine_new_with_options(models, lib, "{\"bogus\":1}", &strict) == CERTIFY_STATUS_JSON_INVALID && !strict, "unknown option refused");
  CHECK(certify_face_engine_new_with_options(models, lib, "{\"antispoof\":\"magic\"}", &strict) == CERTIFY_STATUS_INVALID_ARGUMENT && !strict, "unknown model refused");
  if (!quick)
    CHECK(certify_face_engine_new_with_options(models, lib, "{\"antispoof\":\"human_antispoof\",\"antispoof_threshold\":0.999}", &strict) == CERTIFY_STATUS_OK && strict, "engine with anti-spoof");
  if (strict) {
    size_t lens[128] = {0};
    int count = 0;
    unsigned char **frames = live_frames(root, lens, 120, &count);
    float t[CERTIFY_FACE_TEMPLATE_LEN];
    size_t len = 0;
    unsigned char *img = photo("obama2.jpg", &len);
    CHECK(img && certify_face_template(strict, img, len, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_OK, "template");
    CertifyLivenessSession *s = NULL;
    CHECK(certify_liveness_start(strict, "[\"shake_head\",\"nod\"]", 1591322400, &s) == CERTIFY_STATUS_OK, "session");
    for (int i = 0; i < count; i++) {
      char *event = NULL;
      certify_liveness_push_frame(s, frames[i], lens[i], 100 * (i + 1), &event);
      certify_string_free(event);
    }
    char *decision = NULL;
    CHECK(certify_liveness_finish(s, t, CERTIFY_FACE_TEMPLATE_LEN, &decision) == CERTIFY_STATUS_OK, "finish");
    CHECK(decision && strstr(decision, "\"reason\":\"spoof_suspected\"") && !strstr(decision, "\"antispoof\":null"), "the anti-spoof score decides");
    certify_string_free(decision);
    certify_liveness_free(s);
    CertifyLivenessSession *silent = NULL;
    CHECK(certify_liveness_start(strict, "[]", CERTIFY_NOW_SYSTEM, &silent) == CERTIFY_STATUS_OK && silent, "silent mode with anti-spoof");
    certify_liveness_free(silent);
    for (int i = 0; i < count; i++) free(frames[i]);
    free(frames);
    free(img);
  }
  certify_face_engine_free(strict);
  certify_face_engine_free(NULL);
  return report();
}
