import cn.certify.*;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;

/** One liveness frame through JNI (benches/bindings.sh): prints the p50 of 60 frames. */
public class LivenessBench {
    public static void main(String[] args) throws Exception {
        String root = args[0];
        byte[] frame = Files.readAllBytes(Paths.get(root, "target/bench-frame-640x480.jpg"));
        try (FaceEngine engine = new FaceEngine(root + "/models", null);
             LivenessSession s = engine.startLiveness("[\"nod\"]", 1600000000L)) {
            double[] ms = new double[60];
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                s.pushFrame(frame, 100 * i);
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf("java (JNI) liveness frame p50 %.2f ms%n", ms[ms.length / 2]);
        }
    }
}
