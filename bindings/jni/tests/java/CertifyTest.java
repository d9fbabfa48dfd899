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

    /** The JSON text of the first member named key (any depth); null when absent. */
    static String member(String json, String key) {
        int p = json.indexOf("\"" + key + "\":");
        if (p < 0) return null;
        p += key.length() + 3;
        int depth = 0, q = p;
        boolean inString = false;
        for (; q < json.length(); q++) {
            char c = json.charAt(q);
            if (inString) {
                if (c == '\\') q++;
                else if (c == '"') { inString = false; if (depth == 0) { q++; break; } }
                continue;
            }
            if (c == '"') inString = true;
            else if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') { if (depth == 0) break; if (--depth == 0) { q++; break; } }
            else if (c == ',' && depth == 0) break;
        }
        return json.substring(p, q);
    }

    static int refused(String response) {
        String r = member(response, "refused");
        return r == null ? -1 : r.equals("null") ? 0 : Integer.parseInt(member(r, "code"));
    }

    /** The same JPEG marked "mirrored horizontally" (its EXIF orientation set to 2). */
    /** A live head shaking and nodding (written by the live_frames example; run_tests.sh). */
    static byte[][] liveFrames(String root) throws Exception {
        java.util.List<byte[]> frames = new java.util.ArrayList<>();
        for (int i = 0; ; i++) {
            java.nio.file.Path p = Paths.get(root, "target/live-frames", String.format("frame_%03d.jpg", i));
            if (!Files.exists(p)) break;
            frames.add(Files.readAllBytes(p));
        }
        return frames.toArray(new byte[0][]);
    }

    static final String WANG = "610526195503011236", LIU = "610526194801023310";
    static final String KEY = "\"" + "2b".repeat(32) + "\"";
    static final long T0 = 1591322400L; // 2020-06-05 10:00 China time
    static final String POLICY = "{\"kind\":\"window\",\"opens\":\"2020-06-03\",\"closes\":\"2020-07-31\",\"suspend_from\":\"2020-08\"}";
    static final String ENTRY = "{\"id\":\"" + WANG + "\",\"name\":\"王建国\",\"scheme\":\"enterprise\",\"unit\":\"蒲城县社保局\",\"monthly_pension\":300000,\"pension_start\":\"2012-03\"}";

    /** Registration, lockout, real name, enrollment, certification with evidence, deadline run, back pay. */
    static void testFlow() throws Exception {
        expectCode(105, "unknown operation", () -> Certify.call("account.steal", "{}", T0));
        expectCode(104, "bad JSON", () -> Certify.call("account.lock_state", "{", T0));
        String sms = Certify.call("sms.issue", "{\"phone\":\"13800138000\",\"purpose\":\"register\",\"sms_key\":" + KEY + ",\"captcha_passed\":true}", T0);
        check(refused(sms) == 0, "SMS code issued");
        String form = "\"phone\":\"13800138000\",\"name\":\"王建国\",\"id_number\":\"" + WANG + "\",\"password\":\"pension2020\","
            + "\"password_repeat\":\"pension2020\",\"roster_entry\":" + ENTRY + ",\"sms_key\":" + KEY;
        String reg = Certify.call("account.register", "{" + form + ",\"sms_code\":" + member(sms, "code") + ",\"challenge\":" + member(sms, "challenge") + "}", T0 + 30);
        check(refused(reg) == 0, "registered: " + reg);
        String account = member(reg, "account");
        int[] codes = new int[3];
        for (int i = 0; i < 3; i++) {
            String r = Certify.call("account.login_password", "{\"account\":" + account + ",\"password\":\"wrong-pass-1\"}", T0 + 100 + i);
            codes[i] = refused(r);
            account = member(r, "account");
        }
        check(codes[0] == 331 && codes[1] == 331 && codes[2] == 330, "three failures lock");
        String late = Certify.call("account.login_password", "{\"account\":" + account + ",\"password\":\"pension2020\"}", T0 + 102 + 86400);
        check(refused(late) == 0, "the lock lifts after 24 hours");
        account = member(late, "account");
        String rn = Certify.call("realname.verify", "{\"account\":" + account + ",\"name\":\"王建国\",\"id_number\":\"" + WANG
            + "\",\"roster_entry\":" + ENTRY + ",\"portrait_matches\":true}", T0 + 86500);
        check(refused(rn) == 0, "real name");
        account = member(rn, "account");
        String kase = member(Certify.call("enrollment.new", "{\"modality\":\"face\"}", T0), "case");
        kase = member(Certify.call("enrollment.submit", "{\"case\":" + kase + ",\"review\":{\"result\":\"passed\",\"template_ref\":\"t-1\"}}", T0), "case");
        long now = T0 + 2 * 86400;
        String ch = Certify.challengeIssue(WANG, "face", 300, now);
        try (EvidenceSigner signer = new EvidenceSigner(null); EvidenceVerifier verifier = new EvidenceVerifier(signer.publicKey())) {
            String claims = verifier.verify(signer.sign(ch, WANG, true, true, 380, 120, now + 10), ch, now + 20);
            String facts = "{\"person\":\"" + WANG + "\",\"roster_entry\":" + ENTRY + ",\"scheme\":\"enterprise\",\"payment\":{\"status\":\"active\"}}";
            String rec = Certify.call("certification.by_app", "{\"operator\":" + account + ",\"facts\":" + facts + ",\"enrollment\":" + kase
                + ",\"evidence\":" + claims + ",\"policy\":" + POLICY + "}", now + 30);
            check(refused(rec) == 0 && rec.contains("\"method\":\"app_face\""), "certified: " + rec);
        }
        String run = Certify.call("deadline.run", "{\"policy\":" + POLICY + ",\"run_date\":\"2020-08-01\",\"rows\":[{\"id\":\"" + LIU
            + "\",\"monthly_pension\":250000,\"pension_start\":\"2012-03\",\"payment\":{\"status\":\"active\"}}]}", T0);
        check(run.contains("\"action\":\"suspend\"") && run.contains("\"from\":\"2020-08\""), "suspended from August: " + run);
        String back = Certify.call("payment.resume", "{\"payment\":{\"status\":\"suspended\",\"reason\":\"certification_lapse\",\"from\":\"2020-08\"},"
            + "\"ground\":\"certified\",\"resume_from\":\"2020-11\",\"schedule\":[[\"2012-03\",250000]]}", T0);
        check(back.contains("\"back_pay\":750000"), "back pay: " + back);
    }

    static void testLiveness(FaceEngine engine, String root) throws Exception {
        byte[] front = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama.jpg"));
        byte[] closed = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama3.jpg"));
        byte[] turned = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama2.jpg"));
        float[] enrolled = engine.template(turned);
        byte[][] live = liveFrames(root);
        check(live.length > 20, "live frames present (run_tests.sh writes them)");
        try (LivenessSession s = engine.startLiveness("[\"shake_head\",\"nod\"]", T0)) {
            check(s.actions().equals("[\"shake_head\",\"nod\"]"), "actions");
            String last = null;
            // Explicit times (test only): 10 frames a second.
            for (int i = 0; i < live.length; i++) last = s.pushFrame(live[i], 100 * (i + 1));
            check(last.contains("\"event\":\"passed\""), "a live head passes: " + last);
            String d = s.finish(enrolled);
            check(d.contains("\"passed\":true") && d.contains("\"same_person\":true") && d.contains("\"reason\":null"), "decision: " + d);
            expectCode(106, "finishes once", () -> s.finish(enrolled));
        }
        // Three photographs of the same person: refused with a reason and Chinese advice.
        byte[][] stills = {front, front, front, front, closed, closed, closed, closed, turned, turned, turned, turned};
        try (LivenessSession s = engine.startLiveness("[\"open_mouth\",\"shake_head\"]", T0)) {
            String refused = null;
            for (int i = 0; i < stills.length; i++) {
                String ev = s.pushFrame(stills[i], 100 * (i + 1));
                if (refused == null && ev.contains("\"reason\":\"")) refused = ev;
            }
            // The same bytes again are frozen; another photo is a jump.
            check(refused != null && (refused.contains("\"reason\":\"frozen\"") || refused.contains("\"reason\":\"discontinuous\""))
                && refused.contains("请"), "stills refused: " + refused);
            String d = s.finish(enrolled);
            check(d.contains("\"passed\":false") && d.contains("\"distance\":null") && !d.contains("\"reason\":null"), "stills decision: " + d);
        }
        // Frames timed by the library's monotonic clock (elapsedMs < 0); silent needs anti-spoof.
        try (LivenessSession s = engine.startLiveness("[\"nod\",\"blink\"]", Certify.NOW_SYSTEM)) {
            check(s.pushFrame(front, -1).contains("in_progress"), "monotonic frame");
        }
        expectCode(621, "silent mode needs anti-spoof", () -> engine.startLiveness("[]", T0));
        // Options: the shipped anti-spoof model with a threshold no face reaches decides.
        try (FaceEngine strict = new FaceEngine(root + "/models", root + "/.deps/onnxruntime/libonnxruntime.so",
                "{\"antispoof\":\"human_antispoof\",\"antispoof_threshold\":0.999}");
             LivenessSession s = strict.startLiveness("[\"shake_head\",\"nod\"]", T0)) {
            for (int i = 0; i < live.length; i++) s.pushFrame(live[i], 100 * (i + 1));
            String d = s.finish(enrolled);
            check(d.contains("\"reason\":\"spoof_suspected\"") && !d.contains("\"antispoof\":null"), "anti-spoof decides: " + d);
        }
        expectCode(104, "unknown option", () -> new FaceEngine(root + "/models", null, "{\"bogus\":1}"));
        expectCode(102, "unknown action", () -> engine.startLiveness("[\"juggle\"]", T0));
        LivenessSession closedSession = engine.startLiveness(null, Certify.NOW_SYSTEM);
        expectCode(613, "garbage frame", () -> closedSession.pushFrame(new byte[] {1, 2, 3}, 10));
        closedSession.close();
        expectCode(100, "closed session", () -> closedSession.pushFrame(front, 10));
    }

    /** The holder's own enrollment set passes against the authority's portrait; a stranger's forged set fails. */
    static void testEnrollmentReview(FaceEngine engine, String root) throws Exception {
        java.util.function.Function<String, byte[]> img = n -> {
            try { return Files.readAllBytes(Paths.get(root, "target/enrollment-images", n + ".png")); }
            catch (java.io.IOException e) { throw new RuntimeException(e); }
        };
        byte[] reference = img.apply("reference"), back = img.apply("card_back");
        String own = engine.reviewEnrollment(img.apply("card_front"), back, img.apply("selfie"), reference);
        check("true".equals(member(own, "passed")) && "true".equals(member(own, "had_reference")) && !"null".equals(member(own, "template")), "own set passes: " + own);
        String alone = engine.reviewEnrollment(img.apply("forged_front"), back, img.apply("forged_selfie"), null);
        check("true".equals(member(alone, "passed")) && "false".equals(member(alone, "had_reference")), "a forged set is consistent in itself: " + alone);
        String forged = engine.reviewEnrollment(img.apply("forged_front"), back, img.apply("forged_selfie"), reference);
        check("false".equals(member(forged, "passed")) && "[\"face_mismatch\"]".equals(member(forged, "issues")) && forged.contains("身份证照片不符"), "forged set fails against the authority: " + forged);
        expectCode(100, "null selfie", () -> engine.reviewEnrollment(img.apply("card_front"), back, null, null));
        float[] card = engine.cardPortraitTemplate(img.apply("card_front"));
        check(card != null && engine.distance(card, engine.template(reference)) < 1.0f, "card portrait found");
        check(engine.cardPortraitTemplate(back) == null, "no portrait on the card back");
        // Calls from several threads at once, then close: later calls are refused, not a crash.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.List<java.util.concurrent.Future<float[]>> each = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) each.add(pool.submit(() -> engine.template(reference)));
        boolean same = true;
        for (java.util.concurrent.Future<float[]> f : each) same &= engine.distance(f.get(), card) < 1.0f;
        pool.shutdown();
        check(same, "templates from several threads");
    }

    /** A dark photo: 620 with its reasons; the check names the problem with advice in both languages. */
    static void testPhotoCheck(FaceEngine engine, String root) throws Exception {
        byte[] dark = Files.readAllBytes(Paths.get(root, "target/enrollment-images/dark_photo.png"));
        try {
            engine.template(dark);
            check(false, "a dark photo gives no template");
        } catch (CertifyException e) {
            check(e.getCode() == 620 && java.util.Arrays.asList(e.getReasons()).contains("too_dark") && e.getMessageZh().contains("光线太暗"),
                "dark photo refused with its reasons: " + e.getMessage() + " " + java.util.Arrays.toString(e.getReasons()));
        }
        String check = engine.checkPhoto(dark);
        check(check.contains("\"usable\":false") && check.contains("\"code\":\"too_dark\"") && check.contains("光线太暗") && check.contains("too dark"), "dark photo checked: " + check);
        byte[] good = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama.jpg"));
        check(engine.checkPhoto(good).contains("\"usable\":true"), "a good photo is usable");
        expectCode(613, "garbage photo", () -> engine.checkPhoto(new byte[] {1, 2, 3}));
        try {
            engine.checkPhoto(new byte[] {1, 2, 3});
        } catch (CertifyException e) {
            check(e.getReasons().length == 0, "no reasons for an undecodable image");
        }
    }

    /** {"wideband": [n pseudo-random unit vectors of 192 numbers, CAM++'s length]}. */
    static String cohortJson(int n) {
        java.util.Random random = new java.util.Random(7);
        StringBuilder out = new StringBuilder("{\"wideband\":[");
        for (int m = 0; m < n; m++) {
            double[] v = new double[192];
            double norm = 0;
            for (int i = 0; i < 192; i++) {
                v[i] = random.nextDouble() - 0.5;
                norm += v[i] * v[i];
            }
            norm = Math.sqrt(norm);
            out.append(m > 0 ? ",[" : "[");
            for (int i = 0; i < 192; i++) out.append(i > 0 ? "," : "").append(v[i] / norm);
            out.append("]");
        }
        return out.append("]}").toString();
    }

    static void testVoice(String root, String lib) throws Exception {
        String[] prompts = {"01234567", "89012345", "67890123", "45678901", "23456789"};
        String drawn = Certify.voicePrompts(null);
        check(drawn.split(",").length == 5, "five prompts: " + drawn);
        try (VoiceEngine engine = new VoiceEngine(root + "/models", lib)) {
            byte[][] wavs = new byte[5][];
            for (int i = 0; i < 5; i++) wavs[i] = Files.readAllBytes(Paths.get(root, ".deps/testdata/voice/cmn_m1_enroll" + i + ".wav"));
            String e = engine.enroll(wavs, prompts);
            String template = member(e, "template");
            check(template != null && template.startsWith("{"), "template");
            byte[] probe = Files.readAllBytes(Paths.get(root, ".deps/testdata/voice/cmn_m1_test0.wav"));
            String ok = engine.verify(template, probe, "73920581");
            check(ok.contains("\"passed\":true"), "genuine: " + ok);
            check(engine.verify(template, wavs[0], "73920581").contains("\"passed\":false"), "replay fails");
            expectCode(635, "bad WAV", () -> engine.verify(template, new byte[] {'R', 'I', 'F', 'F'}, "73920581"));
            expectCode(102, "prompts and recordings differ", () -> engine.enroll(wavs, new String[] {"01234567"}));
            // With a cohort of other voiceprints the normalised score decides.
            String cohort = cohortJson(24);
            String normalised = engine.verifyWithCohort(template, cohort, probe, "73920581");
            check(normalised.contains("\"passed\":true") && !normalised.contains("\"speaker_normalized\":null"), "with a cohort: " + normalised);
            expectCode(102, "too small a cohort", () -> engine.verifyWithCohort(template, cohortJson(3), probe, "73920581"));
            // The same engine with its models from memory decides the same.
            java.util.Map<String, byte[]> files = new java.util.HashMap<>();
            for (String n : new String[] {"SHA256SUMS", "silero_vad_16k_op15.onnx", "resemblyzer_ge2e.onnx", "campplus_cn_en_common.onnx"})
                files.put(n, Files.readAllBytes(Paths.get(root, "models", n)));
            try (VoiceEngine fromBytes = VoiceEngine.fromModelFiles(files, lib)) {
                String again = fromBytes.verify(template, probe, "73920581");
                check(member(again, "speaker_score").equals(member(ok, "speaker_score")), "the same score from model bytes: " + again);
            }
            // Verifications from several threads at once on one engine decide as one thread does.
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            java.util.List<java.util.concurrent.Future<String>> each = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) each.add(pool.submit(() -> engine.verify(template, probe, "73920581")));
            for (java.util.concurrent.Future<String> f : each) {
                String r = f.get();
                check(member(r, "speaker_score").equals(member(ok, "speaker_score")), "the same score from another thread: " + r);
            }
            pool.shutdown();
            engine.close();
            expectCode(100, "closed voice engine", () -> engine.verify(template, probe, "73920581"));
        }
    }

    static void testEvidence() throws Exception {
        String ch = Certify.challengeIssue("11010519491231002X", "face", 120, T0);
        check(ch.contains("\"issued_at\":" + T0), "explicit now");
        byte[] seed = new byte[32];
        try (EvidenceSigner a = new EvidenceSigner(seed); EvidenceSigner b = new EvidenceSigner(seed)) {
            check(java.util.Arrays.equals(a.publicKey(), b.publicKey()), "seeded keys are equal");
            EvidenceVerifier v = new EvidenceVerifier(a.publicKey());
            byte[] token = a.sign(ch, "11010519491231002X", true, true, 412, 60, T0 + 5);
            expectCode(503, "expired", () -> v.verify(token, ch, T0 + 500));
            check(v.verify(token, ch, T0 + 10).contains("\"score_milli\":412"), "verified");
            expectCode(505, "single use", () -> v.verify(token, ch, T0 + 11));
            expectCode(500, "junk", () -> v.verify(new byte[] {1}, ch, T0 + 11));
            expectCode(102, "short key", () -> new EvidenceVerifier(new byte[3]));
            v.close();
        }
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
        boolean allChinese = true;
        for (int c : Certify.allStatusCodes()) allChinese &= Certify.statusMessageZh(c).codePoints().anyMatch(cp -> cp >= 0x4e00 && cp <= 0x9fff);
        check(allChinese, "every code has a Chinese message");
        try {
            Certify.idCheck("110105194912310021");
            check(false, "bad check digit throws");
        } catch (CertifyException e) {
            check(e.getMessageZh().contains("身份证号码") && e.getMessageZh().contains("请"), "Chinese advice: " + e.getMessageZh());
        }
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
            FaceComparison same = engine.compare(t1, t2), other = engine.compare(t1, t3);
            check(same.samePerson && same.distance < same.threshold && Math.abs(same.threshold - 0.5f) < 1e-6f,
                "a comparison carries the match threshold it used: " + same);
            check(!other.samePerson && other.distance >= other.threshold, "and the distance it decided on: " + other);
            FaceComparison byPortrait = engine.comparePortrait(t1, Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama3.jpg")));
            check(byPortrait.samePerson && Math.abs(byPortrait.threshold - 0.5f) < 1e-6f, "a portrait comparison at the portrait threshold: " + byPortrait);
            byte[] portrait = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama3.jpg"));
            check(engine.matchesPortrait(t1, portrait), "portrait matches its person");
            check(!engine.matchesPortrait(t3, portrait), "portrait refuses another person");
            expectCode(613, "garbage portrait", () -> engine.matchesPortrait(t1, new byte[] {1, 2, 3}));
            expectCode(613, "garbage image", () -> engine.template(new byte[] {1, 2, 3}));
            expectCode(102, "short template", () -> engine.distance(new float[3], t1));
            expectCode(100, "null image", () -> engine.template(null));
            // A camera frame: the photo as RGBA rows with padding, as a camera hands it over.
            java.awt.image.BufferedImage photo = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(o1));
            int w = photo.getWidth(), h = photo.getHeight(), stride = w * 4 + 32;
            byte[] rgba = new byte[stride * h];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
                int p = photo.getRGB(x, y), at = y * stride + x * 4;
                rgba[at] = (byte) (p >> 16); rgba[at + 1] = (byte) (p >> 8); rgba[at + 2] = (byte) p; rgba[at + 3] = (byte) 255;
            }
            float[] fromFrame = engine.templateFromFrame(rgba, w, h, stride, "rgba", 0);
            check(engine.distance(t1, fromFrame) < 0.1f, "an RGBA camera frame gives the photo's template: " + engine.distance(t1, fromFrame));
            expectCode(614, "short frame", () -> engine.templateFromFrame(new byte[100], w, h, stride, "rgba", 0));
            expectCode(102, "odd rotation", () -> engine.templateFromFrame(rgba, w, h, stride, "rgba", 45));
            expectCode(102, "unknown format", () -> engine.templateFromFrame(rgba, w, h, stride, "bgr", 0));
            byte[] grey = new byte[320 * 240 * 3 / 2];
            java.util.Arrays.fill(grey, (byte) 128);
            expectCode(620, "a frame without a face", () -> engine.templateFromFrame(grey, 320, 240, 320, "nv21", 0));
            try {
                engine.templateFromFrame(grey, 320, 240, 320, "nv21", 0);
            } catch (CertifyException e) {
                // The engine's own advice for this photo, not the code's general text.
                check(e.getMessageZh().contains("人脸") && !e.getMessageZh().equals(Certify.statusMessageZh(620)), "photo advice: " + e.getMessageZh());
                check(e.getMessage().startsWith("[620] "), "message: " + e.getMessage());
            }
            testLiveness(engine, root);
            testEnrollmentReview(engine, root);
            testPhotoCheck(engine, root);
            engine.close();
            expectCode(100, "closed engine", () -> engine.template(o1));
        }
        // Models from memory (Android assets): the same templates; a flipped byte refused.
        java.util.Map<String, byte[]> files = new java.util.HashMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> models = Files.list(Paths.get(root, "models"))) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) models::iterator)
                if (Files.isRegularFile(p)) files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        byte[] o1 = Files.readAllBytes(Paths.get(root, ".deps/testdata/face/obama.jpg"));
        try (FaceEngine fromBytes = FaceEngine.fromModelFiles(files, lib, null); FaceEngine fromDir = new FaceEngine(root + "/models", lib)) {
            check(fromBytes.distance(fromBytes.template(o1), fromDir.template(o1)) < 1e-4f, "an engine from model bytes gives the directory's templates");
        }
        byte[] landmark = files.get("mp_face_landmark.onnx").clone();
        landmark[landmark.length / 2] ^= 1;
        files.put("mp_face_landmark.onnx", landmark);
        expectCode(602, "a tampered model from memory", () -> FaceEngine.fromModelFiles(files, lib, null));
        testVoice(root, lib);
        testEvidence();
        testFlow();
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
