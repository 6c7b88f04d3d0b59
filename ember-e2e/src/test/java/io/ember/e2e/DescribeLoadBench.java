package io.ember.e2e;

import io.ember.auth.SigV4;
import io.ember.auth.SignedRequest;
import io.ember.server.EmberServer;
import io.ember.server.ServerConfig;
import io.ember.store.EventRecord;
import io.ember.store.MicrovmRecord;
import io.ember.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load benchmark (bench/describe-load), not a test: requests per second and latency percentiles of
 * GetMicrovm (signed, verified, replay-checked, read from the store) with 1,000 microVM records in the
 * store, driven by wrk, a real HTTP load tool, against the running server; and of the unsigned health check
 * side by side, to show what authentication and the store cost. Each GetMicrovm request is signed ahead
 * (the server refuses a repeated signature), spread over wrk's threads so that none repeats.
 */
public final class DescribeLoadBench {
    private static final int RECORDS = Integer.getInteger("bench.records", 1000);
    private static final int SIGNED = Integer.getInteger("bench.signed", 150_000);
    private static final String DURATION = System.getProperty("bench.duration", "15s");
    private static final int CONNECTIONS = Integer.getInteger("bench.connections", 32);
    private static final int THREADS = Integer.getInteger("bench.threads", 2);

    public static void main(String[] args) throws Exception {
        Path data = Files.createTempDirectory(Path.of("/tmp"), "ember-load-");
        List<String> ids = seed(data.resolve("ember.db"));
        ServerConfig config = new ServerConfig("127.0.0.1", 0, data, EmberTestServer.assetsDir(), EmberTestServer.accelerator(),
                "qemu-system-x86_64", 64);
        try (EmberServer server = EmberServer.start(config)) {
            String host = "127.0.0.1:" + server.port();
            String[] key = adminKey(data);
            Path requests = data.resolve("requests.txt");
            writeSigned(requests, host, ids, key);
            Path script = data.resolve("signed.lua");
            Files.writeString(script, LUA.replace("@FILE@", requests.toString()).replace("@THREADS@", Integer.toString(THREADS)));
            System.out.printf("Ember describe-microvm load (%d records in the store, wrk %d threads %d connections %s, host %d cores)%n",
                    RECORDS, THREADS, CONNECTIONS, DURATION, Runtime.getRuntime().availableProcessors());
            report("GET /ember/v1/health (unsigned, no store)", wrk("http://" + host + "/ember/v1/health", null));
            report("GetMicrovm (SigV4 verified, store read)", wrk("http://" + host + "/", script));
        } finally {
            deleteTree(data);
        }
    }

    /** {@code RECORDS} TERMINATED microVMs of the admin tenant, written before the server starts (it adopts nothing). */
    private static List<String> seed(Path db) {
        List<String> ids = new ArrayList<>();
        Random random = new Random(42);
        try (Store store = Store.open(db)) {
            Instant t = Instant.now().minusSeconds(3600);
            for (int i = 0; i < RECORDS; i++) {
                byte[] b = new byte[12];
                random.nextBytes(b);
                String id = "mvm-" + HexFormat.of().formatHex(b);
                store.insert(new MicrovmRecord(0, id, "arn:aws:lambda::000000000000:microvm:" + id, "busybox",
                        "arn:aws:lambda::aws:microvm-image:busybox", "1", "TERMINATED", "Terminated by user", 1, 128, null,
                        28_800, null, t, t.plusSeconds(60), null, "/nonexistent/" + id, null, "000000000000"),
                        new EventRecord(id, t, null, "TERMINATED", "USER", "seeded by the load benchmark"));
                ids.add(id);
            }
        }
        return ids;
    }

    private static String[] adminKey(Path data) throws IOException {
        String id = null, secret = null;
        for (String line : Files.readAllLines(data.resolve("credentials"))) {
            String[] kv = line.split("=", 2);
            if (kv.length != 2) continue;
            if (kv[0].strip().equals("aws_access_key_id")) id = kv[1].strip();
            if (kv[0].strip().equals("aws_secret_access_key")) secret = kv[1].strip();
        }
        return new String[] {id, secret};
    }

    /** One raw request per line, CRLF written as '|' (no header here holds one). */
    private static void writeSigned(Path file, String host, List<String> ids, String[] key) throws IOException {
        Random random = new Random(7);
        StringBuilder sb = new StringBuilder();
        String empty = SigV4.sha256Hex(new byte[0]);
        for (int i = 0; i < SIGNED; i++) {
            String path = "/2025-09-09/microvms/" + ids.get(random.nextInt(ids.size()));
            Map<String, List<String>> h = new TreeMap<>();
            h.put("host", List.of(host));
            h.put("x-amz-date", List.of(SigV4.amzDate(Instant.now())));
            h.put("amz-sdk-invocation-id", List.of(UUID.randomUUID().toString()));
            String auth = SigV4.authorization(new SignedRequest("GET", path, null, h, empty), key[0], key[1], "local", "lambda");
            sb.append("GET ").append(path).append(" HTTP/1.1|");
            h.forEach((k, v) -> sb.append(k).append(": ").append(v.getFirst()).append('|'));
            sb.append("Authorization: ").append(auth).append("||\n");
        }
        Files.writeString(file, sb, StandardCharsets.US_ASCII);
    }

    private static final String LUA = """
            local threads = {}
            local counter = 0
            function setup(thread)
              thread:set("index", counter)
              counter = counter + 1
            end
            function init(args)
              reqs = {}
              local n = 0
              for line in io.lines("@FILE@") do
                if n % @THREADS@ == index then reqs[#reqs + 1] = (line:gsub("|", "\\r\\n")) end
                n = n + 1
              end
              next_req = 0
            end
            function request()
              next_req = next_req + 1
              if next_req > #reqs then next_req = 1 end
              return reqs[next_req]
            end
            """;

    private static String wrk(String url, Path script) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + THREADS, "-c" + CONNECTIONS, "-d" + DURATION, "--latency"));
        if (script != null) cmd.addAll(List.of("-s", script.toString()));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("wrk failed: " + out);
        return out;
    }

    private static void report(String what, String out) {
        // Percentiles from the distribution only: thread statistics also print figures such as "69.99%".
        int d = out.indexOf("Latency Distribution");
        String wrk = d < 0 ? out : out.substring(d);
        String rate = find(out, "Requests/sec:\\s+([0-9.]+)"), errors = find(out, "Non-2xx or 3xx responses:\\s+(\\d+)");
        System.out.printf("%-44s %10s req/s   p50 %8s   p90 %8s   p99 %8s   non-2xx %s%n", what,
                rate, find(wrk, "^\\s*50%\\s+(\\S+)"), find(wrk, "^\\s*90%\\s+(\\S+)"),
                find(wrk, "^\\s*99%\\s+(\\S+)"), errors.replace("?", "0"));
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : "?";
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
