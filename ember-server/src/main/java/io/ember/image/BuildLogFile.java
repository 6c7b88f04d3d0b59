package io.ember.image;

import io.ember.image.build.BuildLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The build log of one version: appended to, never rewritten (readers follow by offset), bounded with a note. */
final class BuildLogFile implements BuildLog, AutoCloseable {
    static final long MAX_BYTES = 8L << 20;
    private static final Logger log = LoggerFactory.getLogger(BuildLogFile.class);
    private static final byte[] TRUNCATED = "\n[ember] build log truncated at 8 MiB; later output is dropped\n"
            .getBytes(StandardCharsets.UTF_8);

    private final OutputStream out;
    private final long start = System.nanoTime();
    private long written;
    private boolean truncated;

    BuildLogFile(Path file) throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        written = Files.size(file);
    }

    @Override
    public synchronized void line(String text) {
        String stamp = String.format("[%7.1fs] ", (System.nanoTime() - start) / 1e9);
        byte[] b = (stamp + text + "\n").getBytes(StandardCharsets.UTF_8);
        output(b, 0, b.length);
    }

    @Override
    public synchronized void output(byte[] chunk, int off, int len) {
        if (truncated || len <= 0) return;
        try {
            if (written + len > MAX_BYTES - TRUNCATED.length) {
                int fit = (int) Math.max(0, MAX_BYTES - TRUNCATED.length - written);
                out.write(chunk, off, fit);
                out.write(TRUNCATED);
                written += fit + TRUNCATED.length;
                truncated = true;
            } else {
                out.write(chunk, off, len);
                written += len;
            }
            out.flush();
        } catch (IOException e) {
            log.warn("cannot write the build log: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
