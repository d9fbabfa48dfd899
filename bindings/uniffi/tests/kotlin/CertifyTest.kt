// Kotlin tests of the UniFFI bindings on the host JVM (JNA), run by bindings/uniffi/run_tests.sh.
import uniffi.certify.*
import java.io.File
import kotlin.system.exitProcess

var passed = 0
var failed = 0

fun check(cond: Boolean, what: String) {
    if (cond) passed++ else { failed++; System.err.println("FAIL $what") }
}

fun expectCode(code: UInt, what: String, block: () -> Unit) {
    try {
        block()
        check(false, "$what: no exception")
    } catch (e: CertifyException.Failed) {
        check(e.code == code, "$what: code ${e.code} (${e.detail}) != $code")
    }
}

/** The JSON text of the first member named [key] at any depth, or null. */
fun member(json: String, key: String): String? {
    var p = json.indexOf("\"$key\":")
    if (p < 0) return null
    p += key.length + 3
    var depth = 0
    var inString = false
    var q = p
    while (q < json.length) {
        val c = json[q]
        if (inString) {
            if (c == '\\') q++ else if (c == '"') { inString = false; if (depth == 0) { q++; break } }
        } else if (c == '"') inString = true
        else if (c == '{' || c == '[') depth++
        else if (c == '}' || c == ']') { if (depth == 0) break; depth--; if (depth == 0) { q++; break } }
        else if (c == ',' && depth == 0) break
        q++
    }
    return json.substring(p, q)
}

fun refused(response: String): Int {
    val r = member(response, "refused") ?: return -1
    return if (r == "null") 0 else member(r, "code")!!.toInt()
}

/** Registration and the 3-failure lock through `call`, with explicit times. */
fun flow() {
    val t0 = 1591322400L
    val key = "\"" + "2b".repeat(32) + "\""
    val wang = "610526195503011236"
    val entry = """{"id":"$wang","name":"王建国","scheme":"enterprise","unit":"蒲城县社保局","monthly_pension":300000,"pension_start":"2012-03"}"""
    check("deadline.run" in operations(), "operations listed")
    expectCode(105u, "unknown operation") { call("account.steal", "{}", t0) }
    val sms = call("sms.issue", """{"phone":"13800138000","purpose":"register","sms_key":$key,"captcha_passed":true}""", t0)
    val reg = call("account.register", """{"phone":"13800138000","name":"王建国","id_number":"$wang","password":"pension2020",
        "password_repeat":"pension2020","roster_entry":$entry,"sms_key":$key,"sms_code":${member(sms, "code")},
        "challenge":${member(sms, "challenge")}}""", t0 + 30)
    check(refused(reg) == 0, "registered: $reg")
    var account = member(reg, "account")!!
    val codes = (0 until 3).map { i ->
        val r = call("account.login_password", """{"account":$account,"password":"wrong-pass-1"}""", t0 + 100 + i)
        account = member(r, "account")!!
        refused(r)
    }
    check(codes == listOf(331, 331, 330), "third failure locks: $codes")
    val locked = call("account.lock_state", """{"account":$account}""", t0 + 200)
    check(locked.contains("\"locked\":true"), "locked: $locked")
    val ch = issueChallenge(wang, "face", 120L, t0)
    val signer = EvidenceSigner.generate()
    val info = EvidenceVerifier(signer.publicKey()).verify(signer.sign(ch, wang, true, true, 401, 60L, t0 + 5), ch, t0 + 10)
    check(info.passed && info.claimsJson.contains("\"score_milli\":401"), "evidence at explicit times")
    expectCode(503u, "expired") { EvidenceVerifier(signer.publicKey()).verify(signer.sign(ch, wang, true, true, 1, 60L, t0 + 5), ch, t0 + 500) }
}

fun main(args: Array<String>) {
    val root = if (args.isNotEmpty()) args[0] else "."
    val info = idCheck("110105491231002")
    check(info.normalized == "11010519491231002X", "15-digit upgrade")
    check(info.birthDate == "1949-12-31" && info.sex == "female", "birth date and sex")
    expectCode(203u, "bad check digit") { idCheck("110105194912310021") }
    expectCode(200u, "empty id") { idCheck("") }
    check(nameMatches("劉曉瑜", "刘晓瑜"), "traditional name matches")
    val pucheng = """{"kind":"window","opens":"2020-06-03","closes":"2020-07-31","suspend_from":"2020-08"}"""
    val s = cycleStatus(pucheng, null, "2012-03", "2020-08-01")
    check(s.status == "overdue" && s.suspendFrom == "2020-08", "Pucheng: suspended from August")
    expectCode(400u, "bad policy") { cycleStatus("{}", null, "2012-03", "2020-08-01") }
    val codes = allStatusCodes()
    check(codes.all { statusMessage(it) != "unknown status" }, "every code has a message")
    check(codes.all { c -> statusMessageZh(c).any { it in '\u4e00'..'\u9fff' } }, "every code has a Chinese message")
    val lib = "$root/.deps/onnxruntime/libonnxruntime.so"
    FaceEngine("$root/models", lib).use { engine ->
        val photo = { n: String -> File("$root/.deps/testdata/face/$n").readBytes() }
        val a = engine.template(photo("obama.jpg"))
        val b = engine.template(photo("obama2.jpg"))
        val c = engine.template(photo("biden.jpg"))
        check(engine.compare(a, b).samePerson, "same person matches")
        check(!engine.compare(a, c).samePerson, "different people do not")
        val byPortrait = engine.comparePortrait(a, photo("obama3.jpg"))
        check(byPortrait.samePerson && byPortrait.distance < byPortrait.threshold, "portrait comparison: $byPortrait")
        expectCode(613u, "garbage image") { engine.template(byteArrayOf(1, 2, 3)) }
        // A live head (frames written by the live_frames example) passes; photographs do not.
        val live = (0 until 200).map { File("$root/target/live-frames/frame_%03d.jpg".format(it)) }
            .takeWhile { it.exists() }.map { it.readBytes() }
        val run = engine.startLivenessWithActions(listOf("shake_head", "nod"))
        val steps = live.mapIndexed { i, f -> run.pushFrame(f, (100 * (i + 1)).toUInt()) }
        check(steps.last().event == "passed", "a live head passes: ${steps.last()}")
        val d = run.finish(b)
        check(d.passed && d.reason == null && d.identityConsistent && d.mode == "actions", "decision: $d")
        val stills = listOf("obama.jpg", "obama3.jpg", "obama2.jpg").flatMap { n -> List(4) { photo(n) } }
        val attack = engine.startLivenessWithActions(listOf("open_mouth", "shake_head"))
        val refused = stills.mapIndexed { i, f -> attack.pushFrame(f, (100 * (i + 1)).toUInt()) }.firstOrNull { it.reason != null }
        check(refused != null && refused.adviceZh.contains("请"), "photographs refused with advice: $refused")
        val no = attack.finish(b)
        check(!no.passed && no.reason == refused?.reason && no.distance == null, "stills decision: $no")
        expectCode(621u, "silent mode needs anti-spoof") { engine.startLivenessWithActions(listOf()) }
        // Enrollment review: a stranger's forged card set fails against the authority's portrait.
        val img = { n: String -> File("$root/target/enrollment-images/$n.png").readBytes() }
        val own = engine.reviewEnrollment(img("card_front"), img("card_back"), img("selfie"), img("reference"))
        check(own.passed && own.template?.size == 128 && own.hadReference, "own set passes: $own")
        val forged = engine.reviewEnrollment(img("forged_front"), img("card_back"), img("forged_selfie"), img("reference"))
        check(!forged.passed && forged.issues == listOf("face_mismatch") && forged.adviceZh[0].contains("请"), "forged set fails: $forged")
        check(engine.cardPortrait(img("card_back")) == null, "no portrait on the card back")
        // A dark photo: 620 with its reasons; the check says why, in both languages.
        try {
            engine.template(img("dark_photo"))
            check(false, "a dark photo gives no template")
        } catch (e: CertifyException.Failed) {
            check(e.code == 620u && e.reasons.contains("too_dark") && e.detailZh.contains("光线太暗"), "dark photo refused: $e ${e.reasons}")
        }
        val dark = engine.checkPhoto(img("dark_photo"))
        check(!dark.usable && dark.issues.any { it.code == "too_dark" && it.blocking } && dark.adviceEn.contains("too dark"), "dark photo checked: $dark")
        check(engine.checkPhoto(photo("obama.jpg")).usable, "a good photo is usable")
    }
    expectCode(601u, "missing models") { FaceEngine("/nonexistent", lib) }
    flow()
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
