package cn.certify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/** Loads the native library: from java.library.path, else from inside the jar. */
final class NativeLoader {
    private NativeLoader() {}

    /** The jar's directory for this machine, e.g. "linux-x86_64". */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64")) arch = "x86_64";
        if (arch.equals("arm64")) arch = "aarch64";
        String system = os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.contains("win") ? "windows" : os;
        return system + "-" + arch;
    }

    static void load(String name) {
        try {
            System.loadLibrary(name);
            return;
        } catch (UnsatisfiedLinkError notOnPath) {
            String file = System.mapLibraryName(name);
            String resource = "/native/" + platform() + "/" + file;
            try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new UnsatisfiedLinkError(file + " is neither on java.library.path nor in the jar at " + resource);
                }
                Path dir = Files.createTempDirectory("certify-native");
                Path lib = dir.resolve(file);
                Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
                lib.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                System.load(lib.toAbsolutePath().toString());
            } catch (IOException e) {
                throw new UnsatisfiedLinkError("cannot unpack " + resource + ": " + e.getMessage());
            }
        }
    }
}
