package io.ember.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serveMetadata against the real C agent in host mode, its endpoint on 127.0.0.1 (--metadata-port). */
class AgentClientMetadataTest {
    @TempDir
    Path dir;
    RealAgent agent;
    int port;
    final List<String> asked = new CopyOnWriteArrayList<>();

    private GuestAgent start(MetadataService service) throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        agent = new RealAgent(dir, "--metadata-port", Integer.toString(port));
        agent.client.serveMetadata(name -> {
            asked.add(String.valueOf(name));
            return service.answer(name);
        });
        return agent.client;
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) agent.close();
    }

    @Test
    void theEndpointIsAnsweredByTheServiceOnceHelloShowsTheFeature() throws Exception {
        GuestAgent client = start(name -> switch (String.valueOf(name)) {
            case "null" -> MetadataAnswer.names(List.of("db", "api/key"));
            case "db" -> MetadataAnswer.value("s3cret\u00e9".getBytes(StandardCharsets.UTF_8));
            case "boom" -> throw new IllegalStateException("store down");
            default -> MetadataAnswer.error(403, "secret '" + name + "' is not in this microVM's execution role");
        });
        // Before HELLO the host does not know the agent has the feature: nothing serves the endpoint yet.
        assertThat(get("/latest/secrets/db")).startsWith("HTTP/1.1 503");
        AgentInfo info = client.hello(Duration.ofSeconds(5));
        assertThat(info.agent()).contains("ember-agent");
        String ok = awaitServed("/latest/secrets/db");
        assertThat(ok).startsWith("HTTP/1.1 200").endsWith("\r\n\r\ns3cret\u00e9");
        assertThat(get("/latest/secrets")).startsWith("HTTP/1.1 200").endsWith("\r\n\r\ndb\napi/key\n");
        assertThat(get("/latest/secrets/other")).startsWith("HTTP/1.1 403").contains("not in this microVM's execution role");
        assertThat(get("/latest/secrets/boom")).startsWith("HTTP/1.1 500").endsWith("internal error\n");
        assertThat(asked).contains("db", "null", "other", "boom");
        // A second HELLO (a ping) opens no second stream: the agent would refuse it, and the endpoint still answers.
        client.hello(Duration.ofSeconds(5));
        assertThat(get("/latest/secrets/db")).startsWith("HTTP/1.1 200");
        assertThat(client.failure()).isNotDone();
    }

    @Test
    void manyRequestsAtOnceAreAllAnswered() throws Exception {
        GuestAgent client = start(name -> {
            try {
                Thread.sleep(50); // slow store: requests overlap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return MetadataAnswer.value(("v-" + name).getBytes(StandardCharsets.UTF_8));
        });
        client.hello(Duration.ofSeconds(5));
        awaitServed("/latest/secrets/warm");
        List<Thread> threads = new java.util.ArrayList<>();
        List<String> answers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 12; i++) {
            int n = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    answers.add(get("/latest/secrets/s" + n));
                } catch (IOException e) {
                    answers.add(e.toString());
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertThat(answers).hasSize(12).allSatisfy(a -> assertThat(a).startsWith("HTTP/1.1 200"));
        for (int i = 0; i < 12; i++) {
            int n = i;
            assertThat(answers).anySatisfy(a -> assertThat(a).endsWith("\r\n\r\nv-s" + n));
        }
        assertThat(client.failure()).isNotDone();
    }

    /** The endpoint's first answer other than 503 (the METADATA stream opens right after HELLO, asynchronously). */
    private String awaitServed(String path) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            String r = get(path);
            if (!r.startsWith("HTTP/1.1 503") || System.nanoTime() > deadline) return r;
            Thread.sleep(20);
        }
    }

    private String get(String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 169.254.169.254\r\nX-Ember-Metadata: true\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
