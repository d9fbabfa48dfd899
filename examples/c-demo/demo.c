/* certify from C: a pensioner registers, locks the account with three wrong passwords,
 * resets it, enrolls, certifies with signed evidence, and the deadline run suspends a
 * neighbour who did not. Build and run: examples/c-demo/run.sh
 *
 * The host keeps the state (the JSON the responses return); certify decides. */
#include "certify.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WANG "610526195503011236"
#define LIU "610526194801023310"
#define KEY "\"2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b\""
#define T0 1591322400LL /* 2020-06-05 10:00 China time */
#define POLICY "{\"kind\":\"window\",\"opens\":\"2020-06-03\",\"closes\":\"2020-07-31\",\"suspend_from\":\"2020-08\"}"
#define ENTRY "{\"id\":\"" WANG "\",\"name\":\"王建国\",\"scheme\":\"public_institution\",\"unit\":\"蒲城县教育局\",\"monthly_pension\":300000,\"pension_start\":\"2012-03\"}"

/* The value of the first member `key` (malloc'd), enough for these responses. */
static char *member(const char *json, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = strstr(json, pattern);
  if (!p) return NULL;
  p += strlen(pattern);
  const char *q = p;
  int depth = 0, in_string = 0;
  for (; *q; q++) {
    if (in_string) {
      if (*q == '\\' && q[1]) q++;
      else if (*q == '"') { in_string = 0; if (depth == 0) { q++; break; } }
      continue;
    }
    if (*q == '"') in_string = 1;
    else if (*q == '{' || *q == '[') depth++;
    else if (*q == '}' || *q == ']') { if (depth == 0) break; if (--depth == 0) { q++; break; } }
    else if (*q == ',' && depth == 0) break;
  }
  char *out = malloc((size_t)(q - p) + 1);
  memcpy(out, p, (size_t)(q - p));
  out[q - p] = 0;
  return out;
}

/* certify_call with a printf-style request; exits on a failed call. */
static char *call(const char *op, long long now, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *req = malloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(req, (size_t)n + 1, fmt, ap);
  va_end(ap);
  char *resp = NULL;
  CertifyStatus s = certify_call(op, req, now, &resp);
  free(req);
  if (s != CERTIFY_STATUS_OK) {
    fprintf(stderr, "%s: [%u] %s\n", op, (unsigned)s, certify_status_message(s));
    exit(1);
  }
  return resp;
}

/* Print the refusal of a response, if any; return its code (0: none). */
static int refusal(const char *step, const char *resp) {
  char *r = member(resp, "refused");
  int code = 0;
  if (r && strcmp(r, "null") != 0) {
    char *c = member(r, "code"), *m = member(r, "message");
    code = atoi(c);
    printf("  %-34s refused [%d] %s\n", step, code, m);
    free(c);
    free(m);
  } else {
    printf("  %-34s ok\n", step);
  }
  free(r);
  return code;
}

static void replace(char **state, char *resp, const char *key) {
  char *v = member(resp, key);
  if (v && strcmp(v, "null") != 0) { free(*state); *state = v; } else free(v);
}

/* A whole file (malloc'd), or NULL. */
static unsigned char *slurp(const char *dir, const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *data = malloc((size_t)n);
  *len = fread(data, 1, (size_t)n, f);
  fclose(f);
  return data;
}

/* The face engine's review of the enrollment upload (card front, back, selfie with the card)
 * against the authority's portrait: the `review` value for enrollment.submit, and whether the
 * live face is the portrait's person (for real-name verification). Exits if it cannot run. */
static char *review_upload(const char *root, int *portrait_matches) {
  char models[4096], lib[4096], images[4096];
  snprintf(models, sizeof models, "%s/models", root);
  snprintf(lib, sizeof lib, "%s/.deps/onnxruntime/libonnxruntime.so", root);
  snprintf(images, sizeof images, "%s/target/enrollment-images", root);
  CertifyFaceEngine *engine = NULL;
  CertifyStatus s = certify_face_engine_new(models, lib, &engine);
  if (s != CERTIFY_STATUS_OK) {
    fprintf(stderr, "face engine: [%u] %s (run scripts/setup.sh run)\n", (unsigned)s, certify_status_message(s));
    exit(1);
  }
  const char *names[] = {"card_front.png", "card_back.png", "selfie.png", "reference.png"};
  unsigned char *img[4];
  size_t len[4] = {0};
  for (int i = 0; i < 4; i++) {
    img[i] = slurp(images, names[i], &len[i]);
    if (!img[i]) { fprintf(stderr, "%s/%s missing (examples/c-demo/run.sh writes it)\n", images, names[i]); exit(1); }
  }
  char *json = NULL;
  s = certify_face_review_enrollment(engine, img[0], len[0], img[1], len[1], img[2], len[2], img[3], len[3], &json);
  if (s != CERTIFY_STATUS_OK) { fprintf(stderr, "review: [%u] %s\n", (unsigned)s, certify_status_message(s)); exit(1); }
  char *passed = member(json, "passed"), *distance = member(json, "reference_distance"), *advice = member(json, "advice_zh");
  printf("  %-34s passed=%s, live face vs authority portrait %s %s\n", "face engine: enrollment review", passed, distance, advice);
  *portrait_matches = strcmp(passed, "true") == 0;
  /* A passing review names the host's stored template; a failing one carries its issues. */
  char *review = *portrait_matches ? member("{\"r\":{\"result\":\"passed\",\"template_ref\":\"t-1\"}}", "r") : member(json, "review");
  free(passed);
  free(distance);
  free(advice);
  certify_string_free(json);
  for (int i = 0; i < 4; i++) free(img[i]);
  certify_face_engine_free(engine);
  return review;
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  CertifyIdInfo id;
  if (certify_id_check(WANG, &id) != CERTIFY_STATUS_OK) return 1;
  printf("%s: born %d-%02d-%02d, region %s\n", id.normalized, id.birth_year, id.birth_month, id.birth_day, id.region_code);

  char *account = NULL, *challenge = NULL, *code = NULL, *r;
  r = call("sms.issue", T0, "{\"phone\":\"13800138000\",\"purpose\":\"register\",\"sms_key\":" KEY ",\"captcha_passed\":true}");
  refusal("SMS code sent", r);
  code = member(r, "code");
  replace(&challenge, r, "challenge");
  certify_string_free(r);
  r = call("account.register", T0 + 30,
           "{\"phone\":\"13800138000\",\"sms_code\":%s,\"name\":\"王建國\",\"id_number\":\"" WANG "\",\"password\":\"pension2020\","
           "\"password_repeat\":\"pension2020\",\"challenge\":%s,\"roster_entry\":" ENTRY ",\"sms_key\":" KEY "}",
           code, challenge);
  refusal("register (name typed traditional)", r);
  replace(&account, r, "account");
  certify_string_free(r);
  for (int i = 0; i < 3; i++) {
    r = call("account.login_password", T0 + 60 + i, "{\"account\":%s,\"password\":\"wrong-pass-1\"}", account);
    refusal("login with a wrong password", r);
    replace(&account, r, "account");
    certify_string_free(r);
  }
  r = call("account.login_password", T0 + 86400 + 70, "{\"account\":%s,\"password\":\"pension2020\"}", account);
  refusal("login a day later", r);
  replace(&account, r, "account");
  certify_string_free(r);
  int portrait_matches = 0;
  char *review = review_upload(root, &portrait_matches);
  r = call("realname.verify", T0 + 86400 + 80,
           "{\"account\":%s,\"name\":\"王建国\",\"id_number\":\"" WANG "\",\"roster_entry\":" ENTRY ",\"portrait_matches\":%s}", account,
           portrait_matches ? "true" : "false");
  refusal("real-name verification", r);
  replace(&account, r, "account");
  certify_string_free(r);

  char *kase = NULL;
  r = call("enrollment.new", T0, "{\"modality\":\"face\"}");
  replace(&kase, r, "case");
  certify_string_free(r);
  r = call("enrollment.submit", T0 + 86400 + 90, "{\"case\":%s,\"review\":%s}", kase, review);
  free(review);
  refusal("face enrollment review", r);
  replace(&kase, r, "case");
  certify_string_free(r);

  /* The app signs the outcome of liveness + 1:1 match; the server verifies it once. */
  long long now = T0 + 2 * 86400;
  char *ch = NULL, *claims = NULL;
  uint8_t seed[32] = {7}, *key = NULL, *token = NULL;
  size_t key_len = 0, token_len = 0;
  CertifyEvidenceSigner *signer = NULL;
  CertifyEvidenceVerifier *verifier = NULL;
  certify_challenge_issue(WANG, "face", 300, now, &ch);
  certify_evidence_signer_new(seed, &signer);
  certify_evidence_signer_public_key(signer, &key, &key_len);
  certify_evidence_verifier_new(key, &verifier);
  certify_bytes_free(key, key_len);
  certify_evidence_signer_sign(signer, ch, WANG, true, true, 372, 120, now + 15, &token, &token_len);
  if (certify_evidence_verifier_verify(verifier, token, token_len, ch, now + 20, &claims) != CERTIFY_STATUS_OK) return 1;
  char *again = NULL;
  CertifyStatus replay = certify_evidence_verifier_verify(verifier, token, token_len, ch, now + 21, &again);
  printf("  %-34s refused [%u] %s\n", "the same evidence again", (unsigned)replay, certify_status_message(replay));
  r = call("certification.by_app", now + 30,
           "{\"operator\":%s,\"facts\":{\"person\":\"" WANG "\",\"roster_entry\":" ENTRY ",\"scheme\":\"public_institution\","
           "\"payment\":{\"status\":\"active\"}},\"enrollment\":%s,\"evidence\":%s,\"policy\":" POLICY "}",
           account, kase, claims);
  refusal("certify in the app", r);
  certify_string_free(r);

  r = call("deadline.run", now, "{\"policy\":" POLICY ",\"run_date\":\"2020-08-01\",\"rows\":["
           "{\"id\":\"" WANG "\",\"monthly_pension\":300000,\"pension_start\":\"2012-03\",\"payment\":{\"status\":\"active\"},\"last_certified\":\"2020-06-07\"},"
           "{\"id\":\"" LIU "\",\"monthly_pension\":250000,\"pension_start\":\"2008-01\",\"payment\":{\"status\":\"active\"}}]}");
  char *summary = member(r, "summary");
  printf("  deadline run 2020-08-01: %s\n", summary);
  free(summary);
  certify_string_free(r);
  r = call("payment.resume", now, "{\"payment\":{\"status\":\"suspended\",\"reason\":\"certification_lapse\",\"from\":\"2020-08\"},"
           "\"ground\":\"certified\",\"resume_from\":\"2020-11\",\"schedule\":[[\"2008-01\",250000]]}");
  char *resumption = member(r, "resumption");
  printf("  Liu certifies in October: %s\n", resumption);
  free(resumption);
  certify_string_free(r);

  certify_bytes_free(token, token_len);
  certify_string_free(claims);
  certify_string_free(ch);
  certify_evidence_signer_free(signer);
  certify_evidence_verifier_free(verifier);
  free(account);
  free(challenge);
  free(code);
  free(kase);
  return replay == CERTIFY_STATUS_EVIDENCE_REPLAYED ? 0 : 1;
}
