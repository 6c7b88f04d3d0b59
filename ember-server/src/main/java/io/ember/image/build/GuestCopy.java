package io.ember.image.build;

import io.ember.agent.AgentException;
import io.ember.agent.FileStat;
import io.ember.image.build.CodeArtifact.Entry;
import io.ember.image.build.CodeArtifact.Type;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * COPY and ADD: files from the code artifact streamed into the guest with the agent's file calls, Docker's rules
 * for sources (globs, directories copied by content) and destinations (trailing slash, existing directory).
 */
final class GuestCopy {
    private static final int ENOENT = 2;
    private static final int ARGV_BYTES = 256 * 1024; // per chown/chmod call, well under the agent's frame limit
    private final BuildSteps steps;
    private final CodeArtifact code;

    GuestCopy(BuildSteps steps, CodeArtifact code) {
        this.steps = steps;
        this.code = code;
    }

    /** The artifact entries the step's sources name; fails naming the line and the path when one matches nothing. */
    List<Entry> resolve(Step.Copy c) throws BuildFailure {
        String what = c.add() ? "ADD" : "COPY";
        List<Entry> out = new ArrayList<>();
        for (String source : c.sources()) {
            String path = clean(c, source);
            if (!isGlob(path)) {
                out.add(code.entry(path).orElseThrow(() -> BuildFailure.at(c.line(), what + " failed: '"
                        + DockerfileParser.printable(source) + "' not found in the code artifact")));
                continue;
            }
            Pattern p = glob(path);
            int depth = path.split("/").length;
            int before = out.size();
            for (Entry e : code.entries())
                if (!e.path().isEmpty() && e.path().split("/").length == depth && p.matcher(e.path()).matches()) out.add(e);
            if (out.size() == before)
                throw BuildFailure.at(c.line(), what + " failed: no file in the code artifact matches '"
                        + DockerfileParser.printable(source) + "'");
        }
        return out;
    }

    void copy(Step.Copy c) throws BuildFailure {
        String what = c.add() ? "ADD" : "COPY";
        List<Entry> sources = resolve(c);
        boolean intoDir = c.destIsDirectory() || sources.size() > 1;
        if (sources.size() > 1 && !c.destIsDirectory())
            throw BuildFailure.at(c.line(), "when " + what + " has more than one source, the destination must be a directory and end with /");
        Run run = new Run(c, what);
        for (Entry e : sources) {
            if (e.type() == Type.SYMLINK) throw run.symlink(e);
            if (e.type() == Type.DIRECTORY) {
                run.dir(c.dest(), null);
                for (Entry child : code.under(e.path())) {
                    String target = join(c.dest(), e.path().isEmpty() ? child.path() : child.path().substring(e.path().length() + 1));
                    switch (child.type()) {
                        case DIRECTORY -> run.dir(target, child.mode());
                        case FILE -> run.file(target, child);
                        case SYMLINK -> throw run.symlink(child);
                    }
                }
                continue;
            }
            if (c.add()) refuseArchive(c, e);
            boolean dir = intoDir || isDirectory(c, what, c.dest());
            run.file(dir ? join(c.dest(), e.name()) : c.dest(), e);
        }
        run.finish();
    }

    /** The state of one COPY: directories known to exist, and what to chmod and chown at the end. */
    private final class Run {
        final Step.Copy c;
        final String what;
        final Set<String> dirs = new HashSet<>();
        final Map<Integer, List<String>> chmods = new LinkedHashMap<>();
        final List<String> owned = new ArrayList<>();

        Run(Step.Copy c, String what) {
            this.c = c;
            this.what = what;
        }

        void dir(String path, Integer mode) throws BuildFailure {
            if (dirs.add(path)) {
                boolean existed = exists(path);
                try {
                    steps.agent().mkdir(path, true);
                } catch (AgentException e) {
                    throw BuildSteps.fail(c.line(), what + ": cannot create directory " + path, e);
                }
                if (!existed || mode != null) owned.add(path);
            }
            Integer m = c.chmod() != null ? c.chmod() : mode;
            if (m != null && m != 0755) chmods.computeIfAbsent(m, k -> new ArrayList<>()).add(path);
        }

        void file(String path, Entry e) throws BuildFailure {
            String parent = path.substring(0, Math.max(1, path.lastIndexOf('/')));
            if (!dirs.contains(parent)) {
                dirs.add(parent);
                try {
                    steps.agent().mkdir(parent, true);
                } catch (AgentException x) {
                    throw BuildSteps.fail(c.line(), what + ": cannot create directory " + parent, x);
                }
            }
            int mode = c.chmod() != null ? c.chmod() : e.mode() != null ? e.mode() : 0644;
            try (InputStream in = code.open(e)) {
                steps.agent().writeFile(path, mode, in);
            } catch (AgentException x) {
                if (x.getCause() instanceof IOException io) // the artifact's data, read by the agent client
                    throw BuildFailure.at(c.line(), what + " " + e.path() + ": invalid code artifact: " + io.getMessage());
                throw BuildSteps.fail(c.line(), what + " " + e.path() + " to " + path, x);
            } catch (IOException | UncheckedIOException x) {
                throw BuildFailure.at(c.line(), what + " " + e.path() + ": invalid code artifact: " + x.getMessage());
            }
            owned.add(path);
        }

        BuildFailure symlink(Entry e) {
            return BuildFailure.at(c.line(), what + ": '" + DockerfileParser.printable(e.path())
                    + "' is a symbolic link in the code artifact; symbolic links are not supported");
        }

        void finish() throws BuildFailure {
            for (Map.Entry<Integer, List<String>> m : chmods.entrySet())
                batched(List.of("chmod", String.format("%04o", m.getKey())), m.getValue());
            if (c.chown() != null) batched(List.of("chown", "-h", owner(c.chown())), owned);
        }

        private void batched(List<String> command, List<String> paths) throws BuildFailure {
            List<String> argv = new ArrayList<>(command);
            int bytes = 0;
            for (String p : paths) {
                argv.add(p);
                bytes += p.length() + 1;
                if (bytes > ARGV_BYTES) {
                    steps.helper(c.line(), what, argv);
                    argv = new ArrayList<>(command);
                    bytes = 0;
                }
            }
            if (argv.size() > command.size()) steps.helper(c.line(), what, argv);
        }

        /** Docker: a user without a group also gets the user's numeric id as group. */
        private String owner(String chown) throws BuildFailure {
            if (chown.contains(":")) return chown;
            if (chown.matches("[0-9]+")) return chown + ":" + chown;
            String uid = steps.helper(c.line(), what + " --chown=" + chown, List.of("id", "-u", chown));
            if (!uid.matches("[0-9]{1,10}"))
                throw BuildFailure.at(c.line(), what + " --chown=" + chown + ": cannot find the user's id");
            return chown + ":" + uid;
        }

        private boolean exists(String path) throws BuildFailure {
            try {
                steps.agent().stat(path);
                return true;
            } catch (AgentException e) {
                if (e.errno() == ENOENT) return false;
                throw BuildSteps.fail(c.line(), what + ": " + path, e);
            }
        }
    }

    private boolean isDirectory(Step.Copy c, String what, String path) throws BuildFailure {
        try {
            FileStat st = steps.agent().stat(path);
            return st.type().equals("directory");
        } catch (AgentException e) {
            if (e.errno() == ENOENT) return false;
            throw BuildSteps.fail(c.line(), what + ": " + path, e);
        }
    }

    /** ADD would extract a local tar archive; Ember does not, and says so rather than copying it silently. */
    private void refuseArchive(Step.Copy c, Entry e) throws BuildFailure {
        byte[] head;
        try (InputStream in = code.open(e)) {
            head = in.readNBytes(512);
        } catch (IOException x) {
            throw BuildFailure.at(c.line(), "ADD " + e.path() + ": invalid code artifact: " + x.getMessage());
        }
        String kind = null;
        if (isTar(head)) kind = "a tar archive";
        else if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(code.open(e))) {
                if (isTar(in.readNBytes(512))) kind = "a gzip-compressed tar archive";
            } catch (IOException ignored) {
                // not a valid gzip stream: copied as is, as Docker does
            }
        } else if (startsWith(head, "BZh") || startsWith(head, "\u00fd7zXZ\u0000")) {
            kind = "a bzip2 or xz file (possibly a tar archive)";
        }
        if (kind != null)
            throw BuildFailure.at(c.line(), "ADD " + DockerfileParser.printable(e.path()) + " is " + kind
                    + ", which Docker would extract; Ember does not extract archives: use COPY and RUN tar -x");
    }

    private static boolean isTar(byte[] b) {
        return b.length >= 262 && new String(b, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar");
    }

    private static boolean startsWith(byte[] b, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length < m.length) return false;
        for (int i = 0; i < m.length; i++) if (b[i] != m[i]) return false;
        return true;
    }

    /** A source as a path in the artifact: leading '/' and './' dropped ('/' is the artifact's root, as in Docker). */
    private static String clean(Step.Copy c, String source) throws BuildFailure {
        List<String> parts = new ArrayList<>();
        for (String seg : source.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                if (parts.isEmpty())
                    throw BuildFailure.at(c.line(), (c.add() ? "ADD" : "COPY") + " source '"
                            + DockerfileParser.printable(source) + "' is outside the code artifact");
                parts.remove(parts.size() - 1);
            } else {
                parts.add(seg);
            }
        }
        return String.join("/", parts);
    }

    private static boolean isGlob(String p) {
        return p.indexOf('*') >= 0 || p.indexOf('?') >= 0 || p.indexOf('[') >= 0;
    }

    /** Go's filepath.Match, which Docker uses: * and ? never match '/', [...] is a class ([!...] or [^...] negated). */
    static Pattern glob(String p) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char ch = p.charAt(i);
            switch (ch) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int end = p.indexOf(']', i + 2);
                    if (end < 0) {
                        re.append("\\[");
                        break;
                    }
                    String cls = p.substring(i + 1, end);
                    boolean neg = cls.startsWith("!") || cls.startsWith("^");
                    if (neg) cls = cls.substring(1);
                    re.append('[').append(neg ? "^/" : "").append(cls.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                    i = end;
                }
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static String join(String dir, String rel) {
        return dir.equals("/") ? "/" + rel : dir + "/" + rel;
    }
}
