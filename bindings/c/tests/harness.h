/* Shared helpers of the C test programs: a CHECK counter, file reading, and a small JSON
 * member extractor (enough to pass state from one certify_call response to the next). */
#ifndef CERTIFY_TEST_HARNESS_H
#define CERTIFY_TEST_HARNESS_H
#include "certify.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0, failed = 0;
#define CHECK(cond, what)                                                                  \
  do {                                                                                     \
    if (cond) { passed++; }                                                                \
    else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what); }     \
  } while (0)

static inline int report(void) {
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

static inline unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  fclose(f);
  if (buf) buf[n] = 0;
  *len = (size_t)n;
  return buf;
}

/* The text of the value of the first member named `key` at any depth (malloc'd; NULL when
 * absent). Handles strings with escapes, objects and arrays. */
static inline char *json_member(const char *json, const char *key) {
  char pattern[128];
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
  size_t n = (size_t)(q - p);
  char *out = malloc(n + 1);
  memcpy(out, p, n);
  out[n] = 0;
  return out;
}

/* certify_call with a printf-style request; returns the response (free with
 * certify_string_free) or NULL, storing the status in *status. */
static inline char *call(const char *op, int64_t now, CertifyStatus *status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static inline char *call(const char *op, int64_t now, CertifyStatus *status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *req = malloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(req, (size_t)n + 1, fmt, ap);
  va_end(ap);
  char *resp = NULL;
  *status = certify_call(op, req, now, &resp);
  free(req);
  return resp;
}

/* The refusal code of a response (0 when "refused" is null). */
static inline int refused_code(const char *response) {
  if (!response) return -1;
  const char *r = strstr(response, "\"refused\":");
  if (!r) return -1;
  r += strlen("\"refused\":");
  if (strncmp(r, "null", 4) == 0) return 0;
  const char *c = strstr(r, "\"code\":");
  return c ? atoi(c + strlen("\"code\":")) : -1;
}
#endif
