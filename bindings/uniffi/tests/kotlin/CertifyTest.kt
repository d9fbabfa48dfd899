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
    val lib = "$root/.deps/onnxruntime/libonnxruntime.so"
    FaceEngine("$root/models", lib).use { engine ->
        val photo = { n: String -> File("$root/.deps/testdata/face/$n").readBytes() }
        val a = engine.template(photo("obama.jpg"))
        val b = engine.template(photo("obama2.jpg"))
        val c = engine.template(photo("biden.jpg"))
        check(engine.compare(a, b).samePerson, "same person matches")
        check(!engine.compare(a, c).samePerson, "different people do not")
        expectCode(613u, "garbage image") { engine.template(byteArrayOf(1, 2, 3)) }
    }
    expectCode(601u, "missing models") { FaceEngine("/nonexistent", lib) }
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
