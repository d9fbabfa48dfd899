/* C tests: the whole flow through certify_call, with the host keeping the state (the JSON
 * the responses return) between calls, and explicit times. */
#include "harness.h"

#define WANG "610526195503011236"
#define ZHAO "610526195207152042"
#define LIU "610526194801023310"
#define KEY "\"2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b\""
#define T0 1591322400LL /* 2020-06-05 10:00 China time */
#define POLICY "{\"kind\":\"window\",\"opens\":\"2020-06-03\",\"closes\":\"2020-07-31\",\"suspend_from\":\"2020-08\"}"
#define ENTRY(id, name) "{\"id\":\"" id "\",\"name\":\"" name "\",\"scheme\":\"enterprise\",\"unit\":\"蒲城县社保局\",\"monthly_pension\":300000,\"pension_start\":\"2012-03\"}"
#define FACTS(id, name) "{\"person\":\"" id "\",\"roster_entry\":" ENTRY(id, name) ",\"scheme\":\"enterprise\",\"payment\":{\"status\":\"active\"}}"

static CertifyStatus st;

/* Replace *state with the member `key` of `response`; frees the response. */
static void keep(char **state, char *response, const char *key) {
  char *v = response ? json_member(response, key) : NULL;
  if (v) { free(*state); *state = v; }
  certify_string_free(response);
}

static void test_failures(void) {
  char *r = NULL;
  CHECK(certify_call("account.steal", "{}", T0, &r) == CERTIFY_STATUS_UNKNOWN_OPERATION && !r, "unknown operation");
  CHECK(certify_call("account.login_password", "{", T0, &r) == CERTIFY_STATUS_JSON_INVALID && !r, "bad JSON");
  CHECK(certify_call("account.login_password", "{}", T0, &r) == CERTIFY_STATUS_JSON_INVALID, "missing members");
  CHECK(certify_call(NULL, "{}", T0, &r) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL op");
  CHECK(certify_call("enrollment.new", NULL, T0, &r) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL request");
  CHECK(certify_call("enrollment.new", "{\"modality\":\"face\"}", T0, NULL) == CERTIFY_STATUS_NULL_ARGUMENT, "NULL out");
  CHECK(certify_call("enrollment.new", "\xff\xfe", T0, &r) == CERTIFY_STATUS_INVALID_UTF8, "invalid UTF-8");
}

int main(void) {
  test_failures();
  char *r, *account = NULL, *challenge = NULL, *code = NULL;

  /* Registration: SMS code, a wrong code counts, then the right one. */
  r = call("sms.issue", T0, &st, "{\"phone\":\"13800138000\",\"purpose\":\"register\",\"sms_key\":" KEY ",\"captcha_passed\":true}");
  CHECK(st == CERTIFY_STATUS_OK && refused_code(r) == 0, "SMS code issued");
  keep(&code, r ? strdup(r) : NULL, "code");
  keep(&challenge, r, "challenge");
  CHECK(code && strlen(code) == 8, "six digits");
  const char *wrong = code && strcmp(code, "\"000000\"") == 0 ? "\"111111\"" : "\"000000\"";
#define FORM "\"phone\":\"13800138000\",\"name\":\"王建国\",\"id_number\":\"" WANG "\",\"password\":\"pension2020\",\"password_repeat\":\"pension2020\",\"roster_entry\":" ENTRY(WANG, "王建国") ",\"sms_key\":" KEY
  r = call("account.register", T0 + 30, &st, "{" FORM ",\"sms_code\":%s,\"challenge\":%s}", wrong, challenge);
  CHECK(refused_code(r) == CERTIFY_STATUS_SMS_MISMATCH, "wrong SMS code refused");
  CHECK(r && strstr(r, "\"failed_attempts\":1"), "the try is counted in the returned challenge");
  keep(&challenge, r, "challenge");
  r = call("account.register", T0 + 40, &st, "{" FORM ",\"sms_code\":%s,\"challenge\":%s}", code, challenge);
  CHECK(refused_code(r) == 0 && strstr(r, "\"event\":\"registered\""), "registered");
  keep(&account, r, "account");
  CHECK(account && !strstr(account, "pension2020"), "no password in the account");

  /* Three wrong passwords: locked for 24 hours; forgot-password unlocks. */
  int codes[3];
  for (int i = 0; i < 3; i++) {
    r = call("account.login_password", T0 + 100 + i, &st, "{\"account\":%s,\"password\":\"wrong-pass-1\"}", account);
    codes[i] = refused_code(r);
    keep(&account, r, "account");
  }
  CHECK(codes[0] == CERTIFY_STATUS_LOGIN_WRONG_CREDENTIALS && codes[2] == CERTIFY_STATUS_LOGIN_LOCKED, "third failure locks");
  r = call("account.login_password", T0 + 200, &st, "{\"account\":%s,\"password\":\"pension2020\"}", account);
  CHECK(refused_code(r) == CERTIFY_STATUS_LOGIN_LOCKED, "locked even with the right password");
  certify_string_free(r);
  r = call("account.lock_state", T0 + 102 + 86400, &st, "{\"account\":%s}", account);
  CHECK(r && strstr(r, "\"locked\":false"), "the lock lifts after 24 hours");
  certify_string_free(r);
  r = call("sms.issue", T0 + 300, &st, "{\"phone\":\"13800138000\",\"purpose\":\"reset_password\",\"sms_key\":" KEY "}");
  keep(&code, r ? strdup(r) : NULL, "code");
  keep(&challenge, r, "challenge");
  r = call("account.reset_password", T0 + 330, &st,
           "{\"account\":%s,\"challenge\":%s,\"sms_code\":%s,\"new_password\":\"pension2021\",\"password_repeat\":\"pension2021\",\"sms_key\":" KEY "}",
           account, challenge, code);
  CHECK(refused_code(r) == 0 && strstr(r, "\"event\":\"unlocked\""), "reset unlocks");
  keep(&account, r, "account");
  r = call("account.login_password", T0 + 400, &st, "{\"account\":%s,\"password\":\"pension2021\"}", account);
  CHECK(refused_code(r) == 0, "login with the new password");
  keep(&account, r, "account");

  /* Real name, then enrollment: three failed reviews go to staff, who approve. */
  r = call("realname.verify", T0 + 500, &st, "{\"account\":%s,\"name\":\"王建国\",\"id_number\":\"" WANG "\",\"roster_entry\":" ENTRY(WANG, "王建国") ",\"portrait_matches\":true}", account);
  CHECK(refused_code(r) == 0, "real name verified");
  keep(&account, r, "account");
  char *face_case = NULL;
  keep(&face_case, call("enrollment.new", T0, &st, "{\"modality\":\"face\"}"), "case");
  for (int i = 0; i < 3; i++) {
    r = call("enrollment.submit", T0 + 600 + i, &st, "{\"case\":%s,\"review\":{\"result\":\"failed\",\"issues\":[\"blurred\"]}}", face_case);
    keep(&face_case, r, "case");
  }
  r = call("enrollment.submit", T0 + 700, &st, "{\"case\":%s,\"review\":{\"result\":\"passed\",\"template_ref\":\"t-1\"}}", face_case);
  CHECK(refused_code(r) == CERTIFY_STATUS_ENROLLMENT_UPLOADS_CLOSED, "uploads closed in manual review");
  certify_string_free(r);
  r = call("enrollment.decide", T0 + 3600, &st, "{\"case\":%s,\"decision\":{\"decision\":\"approve\",\"template_ref\":\"t-1\"},\"staff_id\":\"staff-7\"}", face_case);
  CHECK(refused_code(r) == 0, "staff approve");
  keep(&face_case, r, "case");

  /* Certify with evidence signed on the device and verified here. */
  long long now = T0 + 86400;
  char *ch = NULL, *claims = NULL;
  CertifyEvidenceSigner *signer = NULL;
  CertifyEvidenceVerifier *verifier = NULL;
  uint8_t *key = NULL, *token = NULL;
  size_t key_len = 0, token_len = 0;
  certify_challenge_issue(WANG, "face", 300, now, &ch);
  certify_evidence_signer_new(NULL, &signer);
  certify_evidence_signer_public_key(signer, &key, &key_len);
  certify_evidence_verifier_new(key, &verifier);
  certify_bytes_free(key, key_len);
  CHECK(certify_evidence_signer_sign(signer, ch, WANG, true, true, 380, 120, now + 20, &token, &token_len) == CERTIFY_STATUS_OK, "signed");
  CHECK(certify_evidence_verifier_verify(verifier, token, token_len, ch, now + 30, &claims) == CERTIFY_STATUS_OK, "verified");
  r = call("certification.by_app", now + 40, &st,
           "{\"operator\":%s,\"facts\":" FACTS(WANG, "王建国") ",\"enrollment\":%s,\"evidence\":%s,\"policy\":" POLICY "}",
           account, face_case, claims);
  CHECK(refused_code(r) == 0 && strstr(r, "\"method\":\"app_face\"") && strstr(r, "\"by\":\"holder\""), "certified in the app");
  char *records = NULL;
  keep(&records, r, "record");
  certify_bytes_free(token, token_len);
  certify_string_free(claims);
  certify_string_free(ch);

  /* Proxy: certifying a relative needs them as a contact first. */
  char *contacts = NULL;
  r = call("contacts.add", now, &st, "{\"account\":%s,\"name\":\"赵秀英\",\"id_number\":\"" ZHAO "\",\"roster_entry\":" ENTRY(ZHAO, "赵秀英") "}", account);
  CHECK(refused_code(r) == 0, "contact added");
  keep(&contacts, r, "contacts");
  /* The relative consents (here: at the counter) before anyone may act for her. */
  keep(&contacts, call("contacts.confirm", now, &st, "{\"contacts\":%s,\"relative\":\"" ZHAO "\",\"by\":{\"by\":\"staff\",\"staff_id\":\"s1\"}}", contacts), "contacts");
  char *zcase = NULL;
  keep(&zcase, call("enrollment.new", now, &st, "{\"modality\":\"face\"}"), "case");
  keep(&zcase, call("enrollment.submit", now, &st, "{\"case\":%s,\"review\":{\"result\":\"passed\",\"template_ref\":\"t-2\"}}", zcase), "case");
  certify_challenge_issue(ZHAO, "face", 300, now, &ch);
  certify_evidence_signer_sign(signer, ch, WANG, true, true, 402, 120, now + 10, &token, &token_len);
  CHECK(certify_evidence_verifier_verify(verifier, token, token_len, ch, now + 20, &claims) == CERTIFY_STATUS_OK, "proxy evidence verified");
  r = call("certification.by_app", now + 30, &st,
           "{\"operator\":%s,\"facts\":" FACTS(ZHAO, "赵秀英") ",\"enrollment\":%s,\"evidence\":%s,\"policy\":" POLICY "}",
           account, zcase, claims);
  CHECK(refused_code(r) == CERTIFY_STATUS_NOT_A_CONTACT, "not a contact without the list");
  certify_string_free(r);
  r = call("certification.by_app", now + 30, &st,
           "{\"operator\":%s,\"contacts\":%s,\"facts\":" FACTS(ZHAO, "赵秀英") ",\"enrollment\":%s,\"evidence\":%s,\"policy\":" POLICY "}",
           account, contacts, zcase, claims);
  CHECK(refused_code(r) == 0 && strstr(r, "\"by\":\"proxy\"") && strstr(r, "\"account_holder\":\"" WANG "\""), "certified by proxy");
  char *proxy_record = NULL;
  keep(&proxy_record, r, "record");
  r = call("certification.history", now, &st, "{\"records\":[%s,%s],\"person\":\"" ZHAO "\"}", records, proxy_record);
  CHECK(r && strstr(r, "\"last_certified\":\"2020-06-06\"") && strstr(r, "\"person\":\"" ZHAO "\"") && !strstr(r, "\"person\":\"" WANG "\""), "history of one person");
  certify_string_free(r);

  /* Deadline run on August 1, back pay after a November certification, a late death declaration. */
  r = call("deadline.run", T0, &st,
           "{\"policy\":" POLICY ",\"run_date\":\"2020-08-01\",\"rows\":["
           "{\"id\":\"" WANG "\",\"monthly_pension\":300000,\"pension_start\":\"2012-03\",\"payment\":{\"status\":\"active\"},\"last_certified\":\"2020-06-06\"},"
           "{\"id\":\"" LIU "\",\"monthly_pension\":250000,\"pension_start\":\"2012-03\",\"payment\":{\"status\":\"active\"}}]}");
  CHECK(r && strstr(r, "{\"decision\":{\"action\":\"suspend\",\"deadline\":\"2020-07-31\",\"from\":\"2020-08\"},\"id\":\"" LIU "\"}"), "Liu suspended from August");
  CHECK(r && strstr(r, "\"suspended\":1") && strstr(r, "\"monthly_amount_suspended\":250000"), "summary");
  certify_string_free(r);
  r = call("payment.resume", T0, &st, "{\"payment\":{\"status\":\"suspended\",\"reason\":\"certification_lapse\",\"from\":\"2020-08\"},\"ground\":\"certified\",\"resume_from\":\"2020-11\",\"schedule\":[[\"2012-03\",250000]]}");
  CHECK(r && strstr(r, "\"back_pay\":750000") && strstr(r, "\"back_pay_months\":3"), "three months of back pay");
  certify_string_free(r);
  r = call("payment.declare", T0, &st, "{\"declaration\":{\"reason\":\"death\",\"event_date\":\"2020-09-15\",\"declared_on\":\"2020-12-02\"},\"payments\":[[\"2020-10\",250000],[\"2020-11\",250000]]}");
  CHECK(r && strstr(r, "\"total\":500000") && strstr(r, "\"from\":\"2020-10\""), "overpayment from the month after death");
  certify_string_free(r);
  r = call("payment.declare", T0, &st, "{\"declaration\":{\"reason\":\"certification_lapse\",\"event_date\":\"2020-09-15\",\"declared_on\":\"2020-12-02\"}}");
  CHECK(refused_code(r) == CERTIFY_STATUS_NOT_UNIT_DECLARED, "a lapse is not a unit declaration");
  certify_string_free(r);

  certify_bytes_free(token, token_len);
  certify_string_free(claims);
  certify_string_free(ch);
  certify_evidence_signer_free(signer);
  certify_evidence_verifier_free(verifier);
  free(account); free(challenge); free(code); free(face_case); free(records); free(contacts); free(zcase); free(proxy_record);
  return report();
}
