package io.ember.cli;

import io.ember.sdk.EmberClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The caller's secrets (write-only) and execution roles (which secrets a microVM may read). */
final class SecretCommands {
    private SecretCommands() {}

    /** A secret travels inside a JSON request, which the server caps at 1 MiB. */
    static final int MAX_VALUE_BYTES = 64 * 1024;

    @Command(name = "put-secret", description = {"Store or replace a secret; no command or API ever prints its value.",
            "The value is read from --value-file FILE, else from stdin, never from the command line (where ps and shell"
                    + " history would show it); one trailing newline is dropped."})
    static final class Put implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        @Option(names = "--value-file", paramLabel = "FILE", description = "read the value from FILE (default: stdin)") Path valueFile;
        @Option(names = "--description", paramLabel = "TEXT") String description;

        @Override
        public Integer call() {
            String value = value();
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.putSecret(name, value, description), root.format(EmberCommand.Format.json));
            }
            return 0;
        }

        private String value() {
            byte[] raw;
            try (InputStream in = valueFile == null ? root.io().in() : Files.newInputStream(valueFile)) {
                raw = in.readNBytes(MAX_VALUE_BYTES + 1);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "cannot read --value-file " + valueFile + ": " + e.getMessage());
            }
            int end = raw.length;
            if (end > 0 && raw[end - 1] == '\n') end--;
            if (end > 0 && raw[end - 1] == '\r' && end < raw.length) end--;
            if (raw.length > MAX_VALUE_BYTES) throw new ParameterException(spec.commandLine(), "a secret holds at most 64 KiB");
            if (end == 0) {
                throw new ParameterException(spec.commandLine(), "the secret's value is empty: give it on stdin or with --value-file FILE");
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(Arrays.copyOf(raw, end))).toString();
            } catch (CharacterCodingException e) {
                throw new ParameterException(spec.commandLine(), "a secret's value must be UTF-8 text (base64-encode binary values)");
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        }
    }

    @Command(name = "list-secrets", description = "List your secrets (names and descriptions, never values), all pages unless --max-items.")
    static final class ListSecrets implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin MicrovmCommands.Paging paging;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Object result = paging.collect("secrets", (size, token) -> {
                    var page = c.listSecrets(size, token);
                    return new MicrovmCommands.Page(page.secrets(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "get-secret", description = "Describe a secret (never its value).")
    static final class Get implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.getSecret(name), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "delete-secret", description = "Delete a secret.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                c.deleteSecret(name);
            }
            return 0;
        }
    }

    @Command(name = "put-role", description = {"Create or replace an execution role: the secrets a microVM run with it may read.",
            "Pass the printed arn to run-microvm --execution-role-arn."})
    static final class PutRole implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        @Option(names = "--secrets", split = ",", paramLabel = "NAME,...", description = "secret names (comma-separated; none: an empty role)")
        List<String> secrets;
        @Option(names = "--description", paramLabel = "TEXT") String description;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.putRole(name, secrets == null ? List.of() : secrets, description),
                        root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "list-roles", description = "List your execution roles, all pages unless --max-items.")
    static final class ListRoles implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin MicrovmCommands.Paging paging;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Object result = paging.collect("roles", (size, token) -> {
                    var page = c.listRoles(size, token);
                    return new MicrovmCommands.Page(page.roles(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "get-role", description = "Describe an execution role.")
    static final class GetRole implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.getRole(name), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "delete-role", description = "Delete an execution role.")
    static final class DeleteRole implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                c.deleteRole(name);
            }
            return 0;
        }
    }

}
