package io.ember.vmm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The guest console on disk, bounded: {@code console.log} grows to {@code perFile} bytes, then
 * becomes {@code console.log.1} (replacing the older one). At most 2 x perFile bytes ever exist.
 */
final class ConsoleLog implements Closeable {
    static final long DEFAULT_PER_FILE = 512 * 1024;

    private final Path file;
    private final Path previous;
    private final long perFile;
    private FileChannel out;
    private long size;

    ConsoleLog(Path file, long perFile) throws IOException {
        this.file = file;
        this.previous = file.resolveSibling(file.getFileName() + ".1");
        this.perFile = perFile;
        open();
        if (size >= perFile) rotate();
    }

    private void open() throws IOException {
        // The VM's directory is its (jailed) VMM's: never write through a link it may have put in place of the log
        out = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                java.nio.file.LinkOption.NOFOLLOW_LINKS), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        size = out.size();
    }

    synchronized void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = (int) Math.min(len, perFile - size);
            ByteBuffer buf = ByteBuffer.wrap(b, off, n);
            while (buf.hasRemaining()) out.write(buf);
            size += n;
            off += n;
            len -= n;
            if (size >= perFile) rotate();
        }
    }

    private void rotate() throws IOException {
        out.close();
        Files.move(file, previous, StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    /** How much of the console's end is searched for a panic: the panic line comes within the last few lines. */
    static final int PANIC_TAIL = 16 * 1024;
    private static final java.util.regex.Pattern PANIC =
            java.util.regex.Pattern.compile("Kernel panic - not syncing: ?([^\\r\\n]*)");

    /**
     * The last "Kernel panic - not syncing: ..." line at the end of the console log (and of the rotated file before
     * it, when the log was just rotated), cut to 200 printable characters: the guest wrote it, so it is only text.
     */
    static java.util.Optional<String> lastPanic(Path file) {
        Path previous = file.resolveSibling(file.getFileName() + ".1");
        String tail = tail(previous, PANIC_TAIL) + tail(file, PANIC_TAIL);
        java.util.regex.Matcher m = PANIC.matcher(tail);
        String found = null;
        while (m.find()) found = m.group(1);
        if (found == null) return java.util.Optional.empty();
        String why = found.replaceAll("\\s*\\]---\\s*$", "").replaceAll("[^\\x20-\\x7e]", "?").strip();
        if (why.length() > 200) why = why.substring(0, 200) + "...";
        return java.util.Optional.of("Kernel panic - not syncing: " + why);
    }

    private static String tail(Path file, int bytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(bytes, size));
            ch.position(size - buf.capacity());
            while (buf.hasRemaining() && ch.read(buf) >= 0) { }
            return new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
