/* C tests: challenges, evidence signing on the device and single-use verification. */
#include "harness.h"

#define ID "11010519491231002X"
#define T0 1591322400 /* 2020-06-05 10:00 China time */

int main(void) {
  char *ch = NULL, *other = NULL;
  CHECK(certify_challenge_issue(ID, "face", 120, T0, &ch) == CERTIFY_STATUS_OK && ch, "challenge");
  CHECK(strstr(ch, "\"issued_at\":1591322400") && strstr(ch, "\"expires_at\":1591322520"), "explicit now and ttl");
  CHECK(certify_challenge_issue(ID, "face", 120, CERTIFY_NOW_SYSTEM, &other) == CERTIFY_STATUS_OK, "system clock");
  char *bad = NULL;
  CHECK(certify_challenge_issue(ID, "iris", 120, T0, &bad) == CERTIFY_STATUS_INVALID_ARGUMENT && !bad, "unknown modality");
  CHECK(certify_challenge_issue("110105194912310021", "face", 120, T0, &bad) == CERTIFY_STATUS_ID_BAD_CHECK_DIGIT, "bad subject");

  unsigned char seed[32];
  for (int i = 0; i < 32; i++) seed[i] = (unsigned char)i;
  CertifyEvidenceSigner *signer = NULL, *same = NULL;
  CHECK(certify_evidence_signer_new(seed, &signer) == CERTIFY_STATUS_OK, "signer from seed");
  CHECK(certify_evidence_signer_new(seed, &same) == CERTIFY_STATUS_OK, "again");
  uint8_t *k1 = NULL, *k2 = NULL;
  size_t k1_len = 0, k2_len = 0;
  CHECK(certify_evidence_signer_public_key(signer, &k1, &k1_len) == CERTIFY_STATUS_OK && certify_evidence_signer_public_key(same, &k2, &k2_len) == CERTIFY_STATUS_OK && k1_len == 32 && k2_len == 32 && memcmp(k1, k2, 32) == 0, "deterministic key");
  CHECK(certify_evidence_signer_public_key(signer, NULL, &k2_len) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL out-parameter");
  certify_bytes_free(k2, k2_len);
  certify_evidence_signer_free(same);

  uint8_t *token = NULL;
  size_t len = 0;
  CHECK(certify_evidence_signer_sign(signer, ch, ID, true, true, 412, 60, T0 + 20, &token, &len) == CERTIFY_STATUS_OK && len > 64, "sign");
  CertifyEvidenceVerifier *v = NULL;
  CHECK(certify_evidence_verifier_new(k1, &v) == CERTIFY_STATUS_OK, "verifier");
  certify_bytes_free(k1, k1_len);
  char *claims = NULL;
  CHECK(certify_evidence_verifier_verify(v, token, len, other, T0 + 30, &claims) == CERTIFY_STATUS_EVIDENCE_CHALLENGE_MISMATCH && !claims, "other challenge");
  uint8_t *early = NULL;
  size_t early_len = 0;
  CHECK(certify_evidence_signer_sign(signer, ch, ID, true, true, 412, 60, T0 - 10, &early, &early_len) == CERTIFY_STATUS_OK, "sign early");
  CHECK(certify_evidence_verifier_verify(v, early, early_len, ch, T0 + 30, &claims) == CERTIFY_STATUS_EVIDENCE_NOT_YET_VALID, "signed before the challenge");
  certify_bytes_free(early, early_len);
  CHECK(certify_evidence_verifier_verify(v, token, len, ch, T0 + 200, &claims) == CERTIFY_STATUS_EVIDENCE_EXPIRED, "expired");
  CHECK(certify_evidence_verifier_verify(v, token, len, ch, T0 + 30, &claims) == CERTIFY_STATUS_OK && claims, "verified");
  CHECK(claims && strstr(claims, "\"subject\":\"" ID "\"") && strstr(claims, "\"score_milli\":412") && strstr(claims, "\"decision\":\"match\""), "claims");
  CHECK(certify_evidence_verifier_verify(v, token, len, ch, T0 + 31, &bad) == CERTIFY_STATUS_EVIDENCE_REPLAYED && !bad, "single use");
  token[len / 2] ^= 1;
  CHECK(certify_evidence_verifier_verify(v, token, len, ch, T0 + 30, &bad) != CERTIFY_STATUS_OK, "tampered token refused");
  CHECK(certify_evidence_verifier_verify(v, (const uint8_t *)"junk", 4, ch, T0 + 30, &bad) == CERTIFY_STATUS_EVIDENCE_MALFORMED, "junk");
  CHECK(certify_evidence_verifier_verify(v, token, len, "{", T0 + 30, &bad) == CERTIFY_STATUS_JSON_INVALID, "bad challenge JSON");
  CHECK(certify_evidence_verifier_verify(NULL, token, len, ch, T0 + 30, &bad) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL verifier");
  CHECK(certify_evidence_signer_sign(signer, "{}", ID, true, true, 1, 60, T0, &token, &len) == CERTIFY_STATUS_JSON_INVALID, "sign bad challenge");
  certify_bytes_free(token, len);
  certify_bytes_free(NULL, 0);
  certify_string_free(claims);
  certify_string_free(ch);
  certify_string_free(other);
  certify_evidence_verifier_free(v);
  certify_evidence_signer_free(signer);
  certify_evidence_verifier_free(NULL);
  certify_evidence_signer_free(NULL);
  return report();
}
