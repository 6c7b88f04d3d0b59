package io.ember.image.build;

import io.ember.image.build.CodeArtifact.Entry;
import io.ember.image.build.CodeArtifact.Type;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Validates a zip's records into the artifact's tree of entries. */
record ArtifactIndex(TreeMap<String, Entry> entries, Map<String, ZipDirectory.Record> records) {
    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;
    private static final int MAX_NAME_BYTES = 4096, MAX_SEGMENT_BYTES = 255;

    static ArtifactIndex build(List<ZipDirectory.Record> records, CodeArtifact.Limits limits) throws BuildFailure {
        TreeMap<String, Entry> entries = new TreeMap<>();
        Map<String, ZipDirectory.Record> byPath = new HashMap<>();
        long total = 0;
        for (ZipDirectory.Record r : records) {
            String raw = r.name();
            String shown = DockerfileParser.printable(raw);
            boolean slash = raw.endsWith("/");
            String path = slash ? raw.substring(0, raw.length() - 1) : raw;
            check(path, shown);
            int unix = r.madeBy() >> 8 == 3 ? (int) (r.externalAttributes() >>> 16) : 0;
            Type type = switch (unix & S_IFMT) {
                case S_IFDIR -> Type.DIRECTORY;
                case S_IFLNK -> Type.SYMLINK;
                case S_IFREG, 0 -> slash || (r.externalAttributes() & 0x10) != 0 ? Type.DIRECTORY : Type.FILE;
                default -> throw fail(shown, "is a device, pipe or socket");
            };
            if (slash && type != Type.DIRECTORY) throw fail(shown, "ends with / but is not a directory");
            if ((r.flags() & 1) != 0) throw fail(shown, "is encrypted");
            if (type != Type.DIRECTORY && r.method() != 0 && r.method() != 8)
                throw fail(shown, "uses compression method " + r.method() + " (only stored and deflated are supported)");
            if (r.size() < 0 || r.size() > limits.maxFileBytes())
                throw fail(shown, "is larger than the per-file limit of " + limits.maxFileBytes() + " bytes");
            if (type == Type.SYMLINK && r.size() > 4096) throw fail(shown, "is a symbolic link with a target over 4096 bytes");
            total += type == Type.DIRECTORY ? 0 : r.size();
            if (total > limits.maxTotalBytes())
                throw new BuildFailure("invalid code artifact: its files add up to more than " + limits.maxTotalBytes() + " bytes uncompressed");
            Integer mode = (unix & 07777) != 0 ? unix & 07777 : null;
            if (entries.put(path, new Entry(path, type, type == Type.DIRECTORY ? 0 : r.size(), mode)) != null)
                throw fail(shown, "appears twice");
            if (type != Type.DIRECTORY) byPath.put(path, r);
        }
        // the directories that files imply, and the names that are both a file and a directory
        for (Entry e : List.copyOf(entries.values())) {
            String p = e.path();
            for (int i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
                String parent = p.substring(0, i);
                Entry existing = entries.get(parent);
                if (existing == null) entries.put(parent, new Entry(parent, Type.DIRECTORY, 0, null));
                else if (existing.type() != Type.DIRECTORY)
                    throw fail(DockerfileParser.printable(parent), "is both a file and a directory");
                else break;
            }
        }
        entries.put("", new Entry("", Type.DIRECTORY, 0, null));
        return new ArtifactIndex(entries, byPath);
    }

    private static void check(String path, String shown) throws BuildFailure {
        if (path.isEmpty()) throw fail(shown, "has an empty name");
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) throw fail(shown, "has a name over 4096 bytes");
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) throw fail(shown, "is an absolute path");
        if (path.indexOf('\\') >= 0) throw fail(shown, "contains a backslash (use / as the separator)");
        for (int i = 0; i < path.length(); i++)
            if (path.charAt(i) < 0x20 || path.charAt(i) == 0x7f) throw fail(shown, "contains a control character");
        for (String seg : path.split("/", -1)) {
            if (seg.equals("..")) throw fail(shown, "escapes the artifact with '..'");
            if (seg.isEmpty() || seg.equals(".")) throw fail(shown, "has an empty or '.' path segment");
            if (seg.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) throw fail(shown, "has a name segment over 255 bytes");
        }
    }

    private static BuildFailure fail(String shown, String why) {
        return new BuildFailure("invalid code artifact: entry '" + shown + "' " + why);
    }
}
