package io.ember.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code ember} command. {@link #run} is the whole program without {@code System.exit}, so tests
 * drive it in-process with their own streams. Exit codes: the command's own (exec: the remote
 * status), 2 for usage errors, 254 for errors the server answered, 255 for anything else.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, System.getenv());
    }

    /** With the environment given instead of this process's (where the CLI finds its endpoint and keys). */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, new Io(in, out, err, env), new ServerCommand());
    }

    /** With the {@code server} verb given, so tests can start a server on fake machines. */
    static int run(String[] args, Io io, ServerCommand server) {
        PrintStream out = io.out();
        PrintStream err = io.err();
        EmberCommand root = new EmberCommand(io);
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cl = new CommandLine(root, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == ServerCommand.class ? cls.cast(server) : defaults.create(cls);
            }
        });
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        cl.setOut(outWriter);
        cl.setErr(errWriter);
        cl.setExecutionExceptionHandler(new Failures(root));
        try {
            return cl.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
            out.flush();
            err.flush();
        }
    }

    /** The program's streams and environment, injectable for tests. */
    record Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {}
}
