/* C tests of the certify C API, against libcertify.so or libcertify.a.
 * Build and run: bindings/c/run_tests.sh (gcc, -fsanitize=address,undefined). */
#include "certify.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0, failed = 0;
#define CHECK(cond, what)                                                     \
  do {                                                                        \
    if (cond) { passed++; }                                                   \
    else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what); } \
  } while (0)

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc((size_t)n);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void test_status(void) {
  CHECK(strcmp(certify_status_message(CERTIFY_STATUS_OK), "ok") == 0, "ok message");
  CHECK(strstr(certify_status_message(CERTIFY_STATUS_ID_BAD_CHECK_DIGIT), "check") != NULL, "check digit message");
  CHECK(strcmp(certify_status_message(12345), "unknown status") == 0, "unknown status message");
}

static void test_id(void) {
  CertifyIdInfo info;
  CHECK(certify_id_check("11010519491231002X", &info) == CERTIFY_STATUS_OK, "valid id");
  CHECK(strcmp(info.normalized, "11010519491231002X") == 0, "normalized");
  CHECK(info.birth_year == 1949 && info.birth_month == 12 && info.birth_day == 31, "birth date");
  CHECK(info.sex == 2 && info.kind == 1 && strcmp(info.region_code, "110105") == 0, "sex, kind, region");
  CHECK(certify_id_check("110105491231002", &info) == CERTIFY_STATUS_OK && strcmp(info.normalized, "11010519491231002X") == 0, "15-digit upgrade");
  CertifyIdInfo untouched;
  memset(&untouched, 0x5a, sizeof untouched);
  CHECK(certify_id_check("110105194912310021", &untouched) == CERTIFY_STATUS_ID_BAD_CHECK_DIGIT, "bad check digit");
  CHECK(((unsigned char *)&untouched)[0] == 0x5a, "nothing written on failure");
  CHECK(certify_id_check("", &info) == CERTIFY_STATUS_ID_EMPTY, "empty");
  CHECK(certify_id_check("12345", &info) == CERTIFY_STATUS_ID_BAD_LENGTH, "length");
  CHECK(certify_id_check(NULL, &info) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL input");
  CHECK(certify_id_check("11010519491231002X", NULL) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL out");
  CHECK(certify_id_check("\xff\xfe\x80", &info) == CERTIFY_STATUS_INVALID_UTF8, "invalid UTF-8");
}

static void test_names(void) {
  bool m = false;
  CHECK(certify_name_matches("劉曉瑜", "刘晓瑜", &m) == CERTIFY_STATUS_OK && m, "traditional matches simplified");
  CHECK(certify_name_matches("刘晓瑜", "刘婉芸", &m) == CERTIFY_STATUS_OK && !m, "different names");
  CHECK(certify_name_matches("", "刘晓瑜", &m) == CERTIFY_STATUS_NAME_EMPTY, "empty name");
  CHECK(certify_name_matches("刘", NULL, &m) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL name");
}

static void test_cycle(void) {
  const char *pucheng = "{\"kind\":\"window\",\"opens\":\"2020-06-03\",\"closes\":\"2020-07-31\",\"suspend_from\":\"2020-08\"}";
  CertifyCycleStatus s;
  CHECK(certify_cycle_status(pucheng, NULL, "2012-03", "2020-08-01", &s) == CERTIFY_STATUS_OK, "cycle ok");
  CHECK(s.kind == 3 && strcmp(s.date, "2020-07-31") == 0 && strcmp(s.suspend_from, "2020-08") == 0, "overdue from August");
  CHECK(certify_cycle_status(pucheng, "2020-06-10", "2012-03", "2020-08-01", &s) == CERTIFY_STATUS_OK && s.kind == 1, "certified");
  CHECK(certify_cycle_status("{\"kind\":\"weekly\"}", NULL, "2012-03", "2020-08-01", &s) == CERTIFY_STATUS_POLICY_INVALID, "bad policy");
  CHECK(certify_cycle_status(pucheng, NULL, "2012-3", "2020-08-01", &s) == CERTIFY_STATUS_DATE_INVALID, "bad month");
  CHECK(certify_cycle_status(pucheng, NULL, "2012-03", NULL, &s) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL today");
}

static void test_face(const char *root) {
  char models[4096], lib[4096], photos[4096], path[4200];
  snprintf(models, sizeof models, "%s/models", root);
  snprintf(lib, sizeof lib, "%s/.deps/onnxruntime/libonnxruntime.so", root);
  snprintf(photos, sizeof photos, "%s/.deps/testdata/face", root);
  CertifyFaceEngine *engine = NULL;
  CHECK(certify_face_engine_new("/nonexistent", lib, &engine) == CERTIFY_STATUS_MODEL_MISSING && engine == NULL, "missing models");
  CHECK(certify_face_engine_new(models, lib, NULL) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL out engine");
  CHECK(certify_face_engine_new(models, lib, &engine) == CERTIFY_STATUS_OK && engine != NULL, "engine loads");
  if (!engine) return;
  float a[CERTIFY_FACE_TEMPLATE_LEN], b[CERTIFY_FACE_TEMPLATE_LEN], c[CERTIFY_FACE_TEMPLATE_LEN];
  const char *names[3] = {"obama.jpg", "obama2.jpg", "biden.jpg"};
  float *outs[3] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", photos, names[i]);
    unsigned char *img = read_file(path, &len);
    CHECK(img != NULL, "photo present (run scripts/setup.sh)");
    if (!img) continue;
    CHECK(certify_face_template(engine, img, len, outs[i], CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_OK, names[i]);
    float small[4];
    CHECK(certify_face_template(engine, img, len, small, 4) == CERTIFY_STATUS_BUFFER_TOO_SMALL, "buffer too small");
    CHECK(certify_face_template(engine, img, 100, a + 0, 0) == CERTIFY_STATUS_BUFFER_TOO_SMALL, "buffer checked first");
    free(img);
  }
  unsigned char garbage[64] = {0x89, 'P', 'N', 'G'};
  CHECK(certify_face_template(engine, garbage, sizeof garbage, c + 0, 0) == CERTIFY_STATUS_BUFFER_TOO_SMALL, "garbage, small buffer");
  float t[CERTIFY_FACE_TEMPLATE_LEN];
  CHECK(certify_face_template(engine, garbage, sizeof garbage, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_IMAGE_DECODE, "garbage image");
  CHECK(certify_face_template(engine, NULL, 10, t, CERTIFY_FACE_TEMPLATE_LEN) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL image");
  float d = -1;
  bool same = false;
  CHECK(certify_face_compare(engine, a, b, CERTIFY_FACE_TEMPLATE_LEN, &d, &same) == CERTIFY_STATUS_OK && same && d < 0.5f, "same person matches");
  CHECK(certify_face_compare(engine, a, c, CERTIFY_FACE_TEMPLATE_LEN, &d, &same) == CERTIFY_STATUS_OK && !same && d > 0.5f, "different people do not");
  CHECK(certify_face_compare(engine, a, c, 3, &d, &same) == CERTIFY_STATUS_INVALID_ARGUMENT, "wrong length");
  CHECK(certify_face_compare(NULL, a, c, CERTIFY_FACE_TEMPLATE_LEN, &d, &same) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL engine");
  certify_face_engine_free(engine);
  certify_face_engine_free(NULL);
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  test_status();
  test_id();
  test_names();
  test_cycle();
  test_face(root);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
