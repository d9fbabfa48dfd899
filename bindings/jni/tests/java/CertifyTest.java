import cn.certify.*;
import java.nio.file.Files;
import java.nio.file.Paths;

/** Java tests of the JNI bindings on the host JVM (run with -Xcheck:jni). */
public class CertifyTest {
    static int passed = 0, failed = 0;

    static void check(boolean cond, String what) {
        if (cond) passed++; else { failed++; System.err.println("FAIL " + what); }
    }

    interface Call { void run() throws Exception; }

    static void expectCode(int code, String what, Call c) {
        try { c.run(); check(false, what + ": no exception"); }
        catch (CertifyException e) { check(e.getCode() == code, what + ": " + e.getMessage()); }
        catch (Exception e) { check(false, what + ": " + e); }
    }

    public static void main(String[] args) throws Exception {
        String root = args.length > 0 ? args[0] : ".";
        check(Certify.idCheck("110105491231002").equals("11010519491231002X"), "15-digit upgrade");
        expectCode(203, "bad check digit", () -> Certify.idCheck("110105194912310021"));
        expectCode(100, "null id", () -> Certify.idCheck(null));
        check(Certify.nameMatches("劉曉瑜", "刘晓瑜"), "traditional name matches");
        expectCode(210, "empty name", () -> Certify.nameMatches(" ", "刘"));
        String pucheng = "{\"kind\":\"window\",\"opens\":\"2020-06-03\",\"closes\":\"2020-07-31\",\"suspend_from\":\"2020-08\"}";
        String s = Certify.cycleStatus(pucheng, null, "2012-03", "2020-08-01");
        check(s.contains("\"overdue\"") && s.contains("2020-08"), "Pucheng overdue: " + s);
        expectCode(400, "bad policy", () -> Certify.cycleStatus("{}", null, "2012-03", "2020-08-01"));
        boolean allMessages = true;
        for (int c : Certify.allStatusCodes()) allMessages &= !Certify.statusMessage(c).equals("unknown status");
        check(allMessages, "every code has a message");
        String lib = root + "/.deps/onnxruntime/libonnxruntime.so";
        expectCode(601, "missing models", () -> new FaceEngine("/nonexistent", lib));
        try (FaceEngine engine = new FaceEngine(root + "/models", lib)) {
            byte[] o1 = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama.jpg"));
            byte[] o2 = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama2.jpg"));
            byte[] b = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/biden.jpg"));
            float[] t1 = engine.template(o1), t2 = engine.template(o2), t3 = engine.template(b);
            check(t1.length == 128, "template length");
            check(engine.samePerson(t1, t2), "same person matches");
            check(!engine.samePerson(t1, t3), "different people do not");
            expectCode(613, "garbage image", () -> engine.template(new byte[] {1, 2, 3}));
            expectCode(102, "short template", () -> engine.distance(new float[3], t1));
            expectCode(100, "null image", () -> engine.template(null));
            engine.close();
            expectCode(100, "closed engine", () -> engine.template(o1));
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
