/* C tests: status table, identity numbers, names, cycles. */
#include "harness.h"

static void test_status(void) {
  CHECK(strcmp(certify_status_message(CERTIFY_STATUS_OK), "ok") == 0, "ok message");
  CHECK(strstr(certify_status_message(CERTIFY_STATUS_ID_BAD_CHECK_DIGIT), "check") != NULL, "check digit message");
  CHECK(strstr(certify_status_message(CERTIFY_STATUS_LOGIN_LOCKED), "24 hours") != NULL, "lock message");
  CHECK(strcmp(certify_status_message(12345), "unknown status") == 0, "unknown status message");
  CHECK(strstr(certify_status_message_zh(CERTIFY_STATUS_ID_BAD_CHECK_DIGIT), "身份证号码") != NULL, "Chinese message");
  CHECK(strstr(certify_status_message_zh(CERTIFY_STATUS_LOGIN_LOCKED), "忘记密码") != NULL, "Chinese lock message says what to do");
  CHECK(certify_status_message_zh(12345)[0] != '\0', "Chinese text for an unknown status");
  CHECK(strstr(certify_status_message(CERTIFY_STATUS_UNAUTHORIZED), "log in") != NULL, "server codes are in the same table");
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

int main(void) {
  test_status();
  test_id();
  test_names();
  test_cycle();
  return report();
}
