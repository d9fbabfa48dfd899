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

/* The same JPEG marked "mirrored horizontally" (EXIF orientation 2): the decoder flips it,
 * so the head turns the other way. Patches the photo's own Orientation entry when it has
 * one (big- or little-endian EXIF); otherwise inserts an EXIF segment after SOI. */
static unsigned char *mirrored(const unsigned char *jpeg, size_t len, size_t *out_len) {
  static const unsigned char be[] = {0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01};
  static const unsigned char le[] = {0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00};
  size_t scan = len < 65536 ? len : 65536;
  for (size_t i = 2; i + 10 < scan; i++) {
    int is_be = memcmp(jpeg + i, be, 8) == 0, is_le = memcmp(jpeg + i, le, 8) == 0;
    if (is_be || is_le) {
      unsigned char *out = malloc(len);
      memcpy(out, jpeg, len);
      out[i + 8] = is_be ? 0 : 2;
      out[i + 9] = is_be ? 2 : 0;
      *out_len = len;
      return out;
    }
  }
  static const unsigned char app1[] = {
      0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,            /* APP1, length 34 */
      'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,                /* TIFF header, IFD at 8 */
      0x01, 0x00,                                                  /* one entry */
      0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /* Orientation=2 */
      0x00, 0x00, 0x00, 0x00};                                     /* no next IFD */
  unsigned char *out = malloc(len + sizeof app1);
  memcpy(out, jpeg, 2);
  memcpy(out + 2, app1, sizeof app1);
  memcpy(out + 2 + sizeof app1, jpeg + 2, len - 2);
  *out_len = len + sizeof app1;
  return out;
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
  float d = -1;
  bool same = false;
  CHECK(certify_face_compare(engine, a, b, CERTIFY_FACE_TEMPLATE_LEN, &d, &same) == CERTIFY_STATUS_OK && same && d < 0.5f, "same person matches");
  CHECK(certify_face_compare(engine, a, c, CERTIFY_FACE_TEMPLATE_LEN, &d, &same) == CERTIFY_STATUS_OK && !same && d > 0.5f, "different people do not");
  CHECK(certify_face_compare(engine, a, c, 3, &d, &same) == CERTIFY_STATUS_INVALID_ARGUMENT, "wrong length");
  CHECK(certify_face_compare(NULL, a, c, CERTIFY_FACE_TEMPLATE_LEN, &d, &same) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL engine");
}

/* Frames: frontal (mouth closed), obama2 (mouth open, turned one way), the same mirrored
 * (turned the other way): open mouth, then shake the head. */
static void test_liveness(CertifyFaceEngine *engine, const float *enrolled, const float *stranger) {
  size_t l1 = 0, l2 = 0, l3 = 0, l4 = 0;
  unsigned char *frontal = photo("obama.jpg", &l1), *turned = photo("obama2.jpg", &l2), *closed = photo("obama3.jpg", &l4);
  if (!frontal || !turned || !closed) { free(frontal); free(turned); free(closed); return; }
  unsigned char *other_way = mirrored(turned, l2, &l3);
  const unsigned char *frames[] = {frontal, frontal, frontal, closed, turned, other_way};
  const size_t lens[] = {l1, l1, l1, l4, l2, l3};
  const float *templates[2] = {enrolled, stranger};
  for (int who = 0; who < 2; who++) {
    CertifyLivenessSession *s = NULL;
    CHECK(certify_liveness_start(engine, "[\"open_mouth\",\"shake_head\"]", 1591322400, &s) == CERTIFY_STATUS_OK && s, "session starts");
    char *actions = NULL;
    CHECK(certify_liveness_actions(s, &actions) == CERTIFY_STATUS_OK && strcmp(actions, "[\"open_mouth\",\"shake_head\"]") == 0, "actions in order");
    certify_string_free(actions);
    char *event = NULL;
    int done = 0, passed_at = -1;
    for (int i = 0; i < 6; i++) {
      CHECK(certify_liveness_push_frame(s, frames[i], lens[i], 400 * (i + 1), &event) == CERTIFY_STATUS_OK, "frame accepted");
      if (getenv("CERTIFY_TEST_VERBOSE")) fprintf(stderr, "frame %d: %s\n", i, event ? event : "(none)");
      if (event && strstr(event, "\"event\":\"action_done\"")) done++;
      if (event && strstr(event, "\"event\":\"passed\"") && passed_at < 0) passed_at = i;
      certify_string_free(event);
      event = NULL;
    }
    CHECK(done >= 1 && passed_at >= 0, "actions done and the session passed");
    char *decision = NULL;
    CHECK(certify_liveness_finish(s, templates[who], CERTIFY_FACE_TEMPLATE_LEN, &decision) == CERTIFY_STATUS_OK, "finish");
    CHECK(decision && strstr(decision, "\"liveness_passed\":true"), "liveness passed");
    if (who == 0) CHECK(decision && strstr(decision, "\"passed\":true") && strstr(decision, "\"same_person\":true"), "enrolled person passes");
    else CHECK(decision && strstr(decision, "\"passed\":false") && strstr(decision, "\"same_person\":false"), "someone else's template fails");
    certify_string_free(decision);
    decision = NULL;
    CHECK(certify_liveness_finish(s, enrolled, CERTIFY_FACE_TEMPLATE_LEN, &decision) == CERTIFY_STATUS_SESSION_FINISHED && !decision, "finishes once");
    CHECK(certify_liveness_push_frame(s, frontal, l1, 5000, &event) == CERTIFY_STATUS_SESSION_FINISHED && !event, "no frames after finish");
    certify_liveness_free(s);
  }
  /* Wrong order: shaking the head first does not pass an open-mouth-first challenge. */
  CertifyLivenessSession *s = NULL;
  CHECK(certify_liveness_start(engine, "[\"shake_head\",\"open_mouth\"]", 1591322400, &s) == CERTIFY_STATUS_OK, "second session");
  char *event = NULL;
  int passed_any = 0;
  for (int i = 0; i < 3; i++) {
    CHECK(certify_liveness_push_frame(s, frontal, l1, 400 * (i + 1), &event) == CERTIFY_STATUS_OK, "still frame");
    if (strstr(event, "\"passed\"")) passed_any = 1;
    certify_string_free(event);
  }
  char *decision = NULL;
  CHECK(certify_liveness_finish(s, enrolled, CERTIFY_FACE_TEMPLATE_LEN, &decision) == CERTIFY_STATUS_OK && !passed_any, "finish still");
  CHECK(decision && strstr(decision, "\"liveness_passed\":false") && strstr(decision, "\"distance\":null"), "a still face does not pass and is not matched");
  certify_string_free(decision);
  certify_liveness_free(s);
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
  free(other_way);
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  char models[4096], lib[4096];
  snprintf(models, sizeof models, "%s/models", root);
  snprintf(lib, sizeof lib, "%s/.deps/onnxruntime/libonnxruntime.so", root);
  snprintf(photos, sizeof photos, "%s/.deps/testdata/face", root);
  CertifyFaceEngine *engine = NULL;
  CHECK(certify_face_engine_new("/nonexistent", lib, &engine) == CERTIFY_STATUS_MODEL_MISSING && engine == NULL, "missing models");
  CHECK(certify_face_engine_new(models, lib, NULL) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL out engine");
  CHECK(certify_face_engine_new(models, lib, &engine) == CERTIFY_STATUS_OK && engine != NULL, "engine loads");
  if (engine) {
    float a[CERTIFY_FACE_TEMPLATE_LEN], b[CERTIFY_FACE_TEMPLATE_LEN], c[CERTIFY_FACE_TEMPLATE_LEN];
    test_templates(engine, a, b, c);
    test_liveness(engine, b, c);
    certify_face_engine_free(engine);
  }
  certify_face_engine_free(NULL);
  return report();
}
