package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.ExecHandler;
import io.ember.sdk.ExecRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "exec", description = {
        "Run a command in a microVM, streaming its output.",
        "Exits with the remote status (128+signal when killed, 124 on timeout). Put -- before the command."})
final class ExecCommand implements Callable<Integer> {
    /**
     * stdin travels base64 inside the JSON request, which the server caps at 1 MiB (so about 750 KiB
     * of input); reading more than that here would only be refused there.
     */
    static final int MAX_STDIN_BYTES = 1 << 20;

    @ParentCommand EmberCommand root;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "microVM id or ARN") String id;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "argv to run") List<String> command;
    @Option(names = "--env", paramLabel = "K=V", description = "add to the environment (repeatable)") Map<String, String> env;
    @Option(names = "--secret-env", paramLabel = "ENV=SECRET",
            description = "set ENV to the value of the secret SECRET, resolved on the server through the microVM's role (repeatable)")
    Map<String, String> secretEnv;
    @Option(names = "--workdir", paramLabel = "DIR", description = "working directory (default /workspace)") String workdir;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "kill after this long (server default 3600)") Integer timeout;
    @Option(names = "--stdin", description = "send this program's stdin (under ~750 KiB) to the command") boolean stdin;

    @Override
    public Integer call() {
        ExecRequest req = ExecRequest.command(command).withEnv(env).withWorkingDirectory(workdir)
                .withTimeoutSeconds(timeout).withStdin(stdin ? readStdin() : null).withSecretEnvironment(secretEnv);
        try (EmberClient c = root.client()) {
            return c.exec(id, req, ExecHandler.forwardingTo(root.io().out(), root.io().err())).shellStatus();
        }
    }

    private byte[] readStdin() {
        try {
            byte[] data = root.io().in().readNBytes(MAX_STDIN_BYTES + 1);
            if (data.length > MAX_STDIN_BYTES) {
                throw new ParameterException(spec.commandLine(), "--stdin takes well under 1 MiB; copy larger input with"
                        + " `ember cp - " + id + ":PATH` and redirect the command's input from that file");
            }
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
