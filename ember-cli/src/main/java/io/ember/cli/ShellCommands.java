package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.Shell;
import io.ember.sdk.ShellOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** CreateMicrovmShellAuthToken, and {@code ember shell}: the microVM's shell in this terminal. */
final class ShellCommands {
    private ShellCommands() {}

    /** The model's bound on expirationInMinutes. */
    static final int MAX_MINUTES = 60;
    /** {@code ember shell} asks for a token that only has to last until the socket is open. */
    static final int SHELL_TOKEN_MINUTES = 5;

    @Command(name = "create-microvm-shell-auth-token",
            description = "Create a token for the microVM's shell WebSocket (CreateMicrovmShellAuthToken).")
    static final class CreateToken implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--microvm-identifier", required = true, paramLabel = "ID|ARN") String id;
        @Option(names = "--expiration-in-minutes", required = true, paramLabel = "N", description = "1 to 60") int minutes;

        @Override
        public Integer call() {
            if (minutes < 1 || minutes > MAX_MINUTES) {
                throw new ParameterException(spec.commandLine(), "--expiration-in-minutes must be between 1 and "
                        + MAX_MINUTES + ", got " + minutes);
            }
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.createMicrovmShellAuthToken(id, minutes), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "shell", description = {
            "Open an interactive shell in a microVM (the guest's login shell, or --command) on a terminal.",
            "With a terminal on stdin it is put in raw mode (restored on exit) and resizes follow the window;",
            "piped stdin is sent as typed, then Ctrl-D. Exits with the remote status (128+signal when killed)."})
    static final class Open implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Parameters(index = "0", paramLabel = "ID", description = "microVM id or ARN") String id;
        @Option(names = "--command", paramLabel = "CMD", description = "run this with /bin/sh -c instead of a login shell")
        String command;

        @Override
        public Integer call() throws Exception {
            Main.Io io = root.io();
            boolean terminal = io.in() == System.in && Tty.stdinIsTerminal();
            int[] size = terminal ? Tty.size() : null;
            ShellOptions options = size == null ? ShellOptions.of(24, 80) : ShellOptions.of(size[0], size[1]);
            if (command != null) options = options.withCommand(command);
            try (EmberClient c = root.client()) {
                String token = c.createMicrovmShellAuthToken(id, SHELL_TOKEN_MINUTES).value();
                PrintStream out = io.out();
                try (Shell shell = c.openShell(id, token, options, data -> {
                    out.write(data, 0, data.length);
                    out.flush();
                }); Tty tty = terminal ? Tty.raw() : null) {
                    if (terminal) followWindowSize(shell);
                    Thread.ofPlatform().daemon().name("ember-shell-stdin").start(() -> forward(io.in(), shell, !terminal));
                    return shell.exit().get().shellStatus();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
                }
            }
        }

        /** Keystrokes as they come; at the end of piped input, Ctrl-D (the remote shell then exits). */
        private static void forward(InputStream in, Shell shell, boolean eofAtEnd) {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) shell.send(buf, 0, n);
                if (eofAtEnd) shell.sendEof();
            } catch (IOException | UncheckedIOException e) {
                // the shell ended (or the socket broke): its exit, or its failure, is what the command reports
            }
        }

        /** SIGWINCH: the remote terminal takes the new size. */
        private static void followWindowSize(Shell shell) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), sig -> {
                    int[] s = Tty.size();
                    if (s == null) return;
                    try {
                        shell.resize(s[0], s[1]);
                    } catch (UncheckedIOException closed) {
                        // the shell has ended
                    }
                });
            } catch (IllegalArgumentException unsupported) {
                // no SIGWINCH here: the size stays as it was at the start
            }
        }
    }
}
