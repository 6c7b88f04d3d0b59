package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.FileEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Files in a microVM: cp, ls, mkdir, rm. Local problems (a missing local file) exit 1, like coreutils. */
final class FileCommands {
    private FileCommands() {}

    static RemotePath remote(CommandSpec spec, String arg, boolean pathRequired) {
        RemotePath r = RemotePath.parse(arg).orElseThrow(() ->
                new ParameterException(spec.commandLine(), "expected ID:PATH (e.g. mvm-...:/workspace/f), got '" + arg + "'"));
        if (pathRequired && r.path().isEmpty()) throw new ParameterException(spec.commandLine(), "no PATH after ID: in '" + arg + "'");
        return r;
    }

    @Command(name = "cp", description = {"Copy a file into or out of a microVM, streaming.",
            "  ember cp LOCAL ID:PATH     (LOCAL - reads stdin; PATH ending in / keeps the name)",
            "  ember cp ID:PATH LOCAL     (LOCAL - writes stdout; an existing directory keeps the name)"})
    static final class Cp implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "SOURCE") String source;
        @Parameters(index = "1", paramLabel = "TARGET") String target;
        @Option(names = "--mode", paramLabel = "OCTAL", description = "permissions of the uploaded file (default: the local file's)")
        String mode;

        @Override
        public Integer call() throws IOException {
            Optional<RemotePath> from = RemotePath.parse(source);
            Optional<RemotePath> to = RemotePath.parse(target);
            if (from.isPresent() == to.isPresent()) {
                throw new ParameterException(spec.commandLine(), "exactly one of SOURCE and TARGET must be ID:PATH");
            }
            return to.isPresent() ? upload(remote(spec, target, true)) : download(remote(spec, source, true));
        }

        private int upload(RemotePath to) throws IOException {
            Integer bits = mode == null ? null : parseMode();
            try (EmberClient c = root.client()) {
                if (source.equals("-")) {
                    c.uploadFile(to.microvmId(), to.path(), root.io().in(), bits);
                    return 0;
                }
                Path local = Path.of(source);
                if (!Files.isRegularFile(local)) {
                    root.io().err().println("cp: cannot copy '" + source + "': "
                            + (Files.isDirectory(local) ? "is a directory (only files are copied)" : "no such file"));
                    return 1;
                }
                String path = to.path().endsWith("/") ? to.path() + local.getFileName() : to.path();
                c.uploadFile(to.microvmId(), path, local, bits != null ? bits : permissions(local));
                return 0;
            }
        }

        private int download(RemotePath from) {
            try (EmberClient c = root.client()) {
                if (target.equals("-")) {
                    c.downloadFile(from.microvmId(), from.path(), root.io().out());
                    root.io().out().flush();
                    return 0;
                }
                Path local = Path.of(target);
                if (Files.isDirectory(local)) local = local.resolve(from.fileName());
                c.downloadFile(from.microvmId(), from.path(), local);
                return 0;
            }
        }

        private int parseMode() {
            try {
                int bits = Integer.parseInt(mode, 8);
                if (bits >= 0 && bits <= 07777) return bits;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new ParameterException(spec.commandLine(), "--mode must be octal permission bits like 0644, got '" + mode + "'");
        }

        private static Integer permissions(Path local) {
            try {
                int bits = 0;
                for (PosixFilePermission p : Files.getPosixFilePermissions(local)) bits |= 0400 >> p.ordinal();
                return bits;
            } catch (UnsupportedOperationException | IOException e) {
                return null; // the server's default then
            }
        }
    }

    @Command(name = "ls", description = "List a directory in a microVM (ID alone lists /workspace).")
    static final class Ls implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ID[:PATH]") String target;

        @Override
        public Integer call() {
            RemotePath r = RemotePath.parse(target).or(() -> RemotePath.parse(target + ":"))
                    .orElseGet(() -> remote(spec, target, false));
            String path = r.path().isEmpty() ? "/workspace" : r.path();
            try (EmberClient c = root.client()) {
                List<FileEntry> entries = c.list(r.microvmId(), path);
                if (root.format(EmberCommand.Format.text) == EmberCommand.Format.json) {
                    Output.print(root.io().out(), Map.of("entries", entries.stream().map(Ls::json).toList()), EmberCommand.Format.json);
                } else {
                    for (FileEntry e : entries) {
                        root.io().out().printf("%s %10d %s %s%n", modeString(e), e.size(), e.modifiedAt(), e.name());
                    }
                }
            }
            return 0;
        }

        private static Map<String, Object> json(FileEntry e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("type", e.type());
            m.put("size", e.size());
            m.put("mode", String.format("%04o", e.mode()));
            m.put("modifiedAt", e.modifiedAt());
            return m;
        }

        static String modeString(FileEntry e) {
            StringBuilder b = new StringBuilder(switch (e.type()) {
                case "directory" -> "d";
                case "symlink" -> "l";
                case "file" -> "-";
                default -> "?";
            });
            String rwx = "rwxrwxrwx";
            for (int i = 0; i < 9; i++) b.append((e.mode() & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
            return b.toString();
        }
    }

    @Command(name = "mkdir", description = "Create a directory in a microVM.")
    static final class Mkdir implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = {"-p", "--parents"}, description = "create parents; an existing directory is fine") boolean parents;
        @Parameters(index = "0", paramLabel = "ID:PATH") String target;

        @Override
        public Integer call() {
            RemotePath r = remote(spec, target, true);
            try (EmberClient c = root.client()) {
                c.mkdir(r.microvmId(), r.path(), parents);
            }
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove a file (or, with -r, a directory tree) in a microVM.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = {"-r", "--recursive"}, description = "remove directories and their contents") boolean recursive;
        @Parameters(index = "0", paramLabel = "ID:PATH") String target;

        @Override
        public Integer call() {
            RemotePath r = remote(spec, target, true);
            try (EmberClient c = root.client()) {
                c.remove(r.microvmId(), r.path(), recursive);
            }
            return 0;
        }
    }
}
