package io.ember.image.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The code zip: a Dockerfile at its root and the application's files, read with limits. Names are validated on
 * open (no absolute paths, no '..', no backslashes, no duplicates, no name both a file and a directory); sizes are
 * checked against the declared ones and enforced again while the data is read, so a lying zip cannot exceed them.
 * Symbolic links are kept as entries ({@link Type#SYMLINK}) and refused by COPY. Directories implied by a file's
 * path exist even without their own entry.
 */
public final class CodeArtifact implements AutoCloseable {

    public enum Type { FILE, DIRECTORY, SYMLINK }

    /**
     * @param path relative to the artifact's root, '/'-separated, without a trailing slash; "" is the root
     * @param mode the Unix permission bits recorded in the zip, or null when it recorded none
     */
    public record Entry(String path, Type type, long size, Integer mode) {
        /** The last path segment. */
        public String name() {
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    public record Limits(int maxEntries, long maxTotalBytes, long maxFileBytes) {
        public static Limits defaults() {
            return new Limits(10_000, 1L << 30, 512L << 20);
        }
    }

    private final FileChannel ch;
    private final TreeMap<String, Entry> entries;
    private final java.util.Map<String, ZipDirectory.Record> records;

    private CodeArtifact(FileChannel ch, TreeMap<String, Entry> entries, java.util.Map<String, ZipDirectory.Record> records) {
        this.ch = ch;
        this.entries = entries;
        this.records = records;
    }

    public static CodeArtifact open(Path zip) throws BuildFailure {
        return open(zip, Limits.defaults());
    }

    public static CodeArtifact open(Path zip, Limits limits) throws BuildFailure {
        FileChannel ch;
        try {
            ch = FileChannel.open(zip, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new BuildFailure("cannot read the code artifact: " + e.getMessage(), e);
        }
        try {
            ArtifactIndex index = ArtifactIndex.build(ZipDirectory.read(ch, limits.maxEntries()), limits);
            return new CodeArtifact(ch, index.entries(), index.records());
        } catch (IOException | BuildFailure e) {
            closeQuietly(ch);
            throw e instanceof BuildFailure b ? b : new BuildFailure("invalid code artifact: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** The text of the Dockerfile at the artifact's root ("Dockerfile", or "dockerfile" as Docker also accepts). */
    public String dockerfile() throws BuildFailure {
        Entry e = entry("Dockerfile").or(() -> entry("dockerfile"))
                .orElseThrow(() -> new BuildFailure("the code artifact has no Dockerfile at its root"));
        if (e.type() != Type.FILE) throw new BuildFailure("the Dockerfile in the code artifact is not a regular file");
        if (e.size() > Dockerfile.MAX_BYTES) throw new BuildFailure("the Dockerfile is larger than " + Dockerfile.MAX_BYTES + " bytes");
        try (InputStream in = open(e)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException x) {
            throw new BuildFailure("cannot read the Dockerfile from the code artifact: " + x.getMessage(), x);
        }
    }

    /** The entry at {@code path} ("" for the root), or empty. */
    public Optional<Entry> entry(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    /** Every entry, the root first, then in path order. */
    /** The sum of the entries' sizes, as the zip's index states them (bounded by {@link Limits} at open). */
    public long uncompressedSize() {
        long total = 0;
        for (Entry e : entries.values()) total += e.size();
        return total;
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    /** Everything under {@code dir}, recursively, parents before children. */
    public List<Entry> under(String dir) {
        List<Entry> out = new ArrayList<>();
        String prefix = dir.isEmpty() ? "" : dir + "/";
        for (Entry e : entries.tailMap(prefix, true).values()) {
            if (!e.path().startsWith(prefix)) break;
            if (!e.path().isEmpty()) out.add(e);
        }
        return out;
    }

    /**
     * The data of a file (or a symlink's target). The stream fails if the data is longer or shorter than declared
     * or its CRC does not match.
     */
    public InputStream open(Entry e) throws IOException {
        ZipDirectory.Record r = records.get(e.path());
        if (r == null || e.type() == Type.DIRECTORY) throw new IOException(e.path() + " is not a file");
        return EntryStream.open(ch, r);
    }

    /** The target of a symbolic link entry. */
    public String linkTarget(Entry e) throws IOException {
        try (InputStream in = open(e)) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        closeQuietly(ch);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
    }
}
