// The cost of the two ways an Android app can call certify, side by side in one JVM on the
// same libcertify_android.so (benches/bindings.sh runs it): the hand-written JNI layer
// (cn.certify.*) and UniFFI's generated Kotlin over JNA (uniffi.certify.*). Small calls show
// the per-call overhead; a liveness frame and a face template show what it weighs against
// the engine's own work. Prints medians; asserts nothing about time.
import java.io.File

fun median(xs: DoubleArray): Double { xs.sort(); return xs[xs.size / 2] }

/** Median nanoseconds per call over [rounds] rounds of [calls] calls, after a warm-up. */
fun perCall(calls: Int, rounds: Int = 7, body: () -> Unit): Double {
    repeat(calls) { body() }
    return median(DoubleArray(rounds) {
        val t = System.nanoTime()
        repeat(calls) { body() }
        (System.nanoTime() - t).toDouble() / calls
    })
}

/** Median milliseconds of [n] runs of [body]. */
fun millis(n: Int, body: (Int) -> Unit): Double = median(DoubleArray(n) { i ->
    val t = System.nanoTime()
    body(i)
    (System.nanoTime() - t) / 1e6
})

/** The 640×480 JPEG of the other binding benches (benches/ffi.rs writes it); made here the same way if absent. */
fun benchFrame(root: String): ByteArray {
    val file = File("$root/target/bench-frame-640x480.jpg")
    if (!file.exists()) {
        val photo = javax.imageio.ImageIO.read(File("$root/.deps/testdata/face/obama.jpg"))
        val w = photo.width * 480 / photo.height
        val frame = java.awt.image.BufferedImage(640, 480, java.awt.image.BufferedImage.TYPE_INT_RGB)
        val g = frame.createGraphics()
        g.color = java.awt.Color(90, 90, 90)
        g.fillRect(0, 0, 640, 480)
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR)
        g.drawImage(photo, (640 - w) / 2, 0, w, 480, null)
        g.dispose()
        javax.imageio.ImageIO.write(frame, "jpg", file)
    }
    return file.readBytes()
}

fun main(args: Array<String>) {
    val root = args[0]
    val id = "11010519491231002X"
    val frame = benchFrame(root)
    var sink = 0

    val jniId = perCall(100_000) { sink += cn.certify.Certify.idCheck(id).length }
    val jnaId = perCall(100_000) { sink += uniffi.certify.idCheck(id).normalized.length }
    val jniName = perCall(100_000) { if (cn.certify.Certify.nameMatches("阿依古丽·买买提", "阿依古丽买买提")) sink++ }
    val jnaName = perCall(100_000) { if (uniffi.certify.nameMatches("阿依古丽·买买提", "阿依古丽买买提")) sink++ }

    val jniEngine = cn.certify.FaceEngine("$root/models", null)
    val jnaEngine = uniffi.certify.FaceEngine("$root/models", null)
    val t1 = jniEngine.template(frame)
    val t2 = jnaEngine.template(frame)
    val jniDistance = perCall(20_000) { if (jniEngine.distance(t1, t1) < 1f) sink++ }
    val jnaDistance = perCall(20_000) { if (jnaEngine.compare(t2, t2).distance < 1f) sink++ }
    val jniTemplate = millis(15) { sink += jniEngine.template(frame).size }
    val jnaTemplate = millis(15) { sink += jnaEngine.template(frame).size }
    val jniSession = jniEngine.startLiveness("[\"nod\"]", 1_600_000_000L)
    val jnaSession = jnaEngine.startLivenessWithActions(listOf("nod"), 1_600_000_000L)
    val jniFrame = millis(40) { i -> sink += jniSession.pushFrame(frame, 100 * i).length }
    val jnaFrame = millis(40) { i -> sink += jnaSession.pushFrame(frame, (100 * i).toUInt()).toString().length }
    jniSession.close(); jnaSession.close(); jniEngine.close(); jnaEngine.close()

    println("call                                  JNI (cn.certify)   UniFFI Kotlin over JNA")
    println("idCheck (string in, record out)        %8.0f ns        %8.0f ns".format(jniId, jnaId))
    println("nameMatches (two strings, bool)        %8.0f ns        %8.0f ns".format(jniName, jnaName))
    println("face distance (2 × 128 floats)         %8.0f ns        %8.0f ns".format(jniDistance, jnaDistance))
    println("face template (640×480 JPEG)           %8.2f ms        %8.2f ms".format(jniTemplate, jnaTemplate))
    println("liveness frame (640×480 JPEG)          %8.2f ms        %8.2f ms".format(jniFrame, jnaFrame))
    if (sink == 42) println()
}
