package io.ember.vmm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test creates ({@code ip netns add}), and an HTTP server inside it on a TEST-NET gateway
 * address. Close deletes the namespace by name and stops the server by pid: nothing outside the test is touched.
 */
final class TestNetns implements AutoCloseable {
    final String name;
    private final List<Process> servers = new ArrayList<>();

    TestNetns(String suffix) throws Exception {
        name = "ember-vmmtest-" + ProcessHandle.current().pid() + "-" + suffix;
        sh("ip", "netns", "add", name);
    }

    Path path() {
        return Path.of("/run/netns", name);
    }

    /**
     * {@code python3 -m http.server} inside the namespace on {@code address:port}, serving {@code dir}; returns once
     * it listens (the tap holding the address must exist: the VM was launched).
     */
    void serve(String address, int port, Path dir) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", name, "python3", "-u", "-m", "http.server", "--bind", address,
                "--directory", dir.toString(), Integer.toString(port)).redirectErrorStream(true).start();
        servers.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("Serving HTTP"))
            throw new AssertionError("the test HTTP server in " + name + " did not start: " + line);
        Thread.ofVirtual().start(() -> { // drain its access log
            try {
                while (out.readLine() != null) { /* discard */ }
            } catch (IOException e) {
                // it was stopped
            }
        });
    }

    /** The pid of the first server (a process inside the namespace). */
    long serverPid() {
        return servers.getFirst().pid();
    }

    /** A directory with {@code index.txt} holding {@code text}. */
    static Path site(Path parent, String text) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("site-" + text));
        Files.writeString(dir.resolve("index.txt"), text + "\n");
        return dir;
    }

    /** {@code ip -n NAME args...}: its output, or an AssertionError. */
    String ip(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return sh(argv.toArray(String[]::new));
    }

    static String sh(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new AssertionError(String.join(" ", argv) + " failed: " + out);
        return out;
    }

    @Override
    public void close() throws Exception {
        for (Process p : servers) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        sh("ip", "netns", "del", name);
    }
}
