package io.ember.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.agent.AgentClient;
import io.ember.agent.AgentException;
import io.ember.agent.ExecRequest;
import io.ember.agent.GuestAgent;
import io.ember.agent.GuestSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real QEMU (TCG), the busybox guest without any network device: the host reaches servers on the guest's loopback
 * through the agent channel (CONNECT). Needs an agent with the `tcp` feature in the assets' initramfs.
 */
class GuestTcpTest {
    @TempDir
    Path tmp;
    final GuestAssets assets = GuestAssets.require();
    final QemuDriver driver = new QemuDriver(QemuConfig.defaults().withFileBackedMemory(true));
    Vm vm;
    GuestAgent agent;

    @BeforeEach
    void boot() throws Exception {
        vm = driver.launch(assets.spec("vm-tcp", tmp.resolve("tcp"), "busybox", "host-tcp"));
        agent = AgentClient.connect(vm.agentSocket(), Duration.ofSeconds(5));
        try {
            agent.hello(QemuDriverTest.BOOT);
        } catch (AgentException e) {
            throw new AssertionError(e.getMessage() + "; console:\n" + Files.readString(vm.consoleLog()), e);
        }
    }

    @AfterEach
    void stop() {
        if (agent != null) agent.close();
        if (vm != null) {
            vm.terminate(Duration.ofSeconds(2));
            assertThat(ProcessHandle.of(vm.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    /** Connects once the server the guest was told to start listens (ECONNREFUSED until then). */
    GuestSocket connectWhenUp(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return agent.connectTcp(port, Duration.ofSeconds(5));
            } catch (AgentException e) {
                if (e.errno() != 111 || System.nanoTime() > deadline) throw e;
                Thread.sleep(50);
            }
        }
    }

    static String get(GuestSocket s, String path) throws IOException {
        s.output().write(("GET " + path + " HTTP/1.0\r\nHost: guest\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.output().close();
        return new String(s.input().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void httpGetToBusyboxHttpdOnTheGuestsLoopback() throws Exception {
        QemuDriverTest.run(agent, "sh", "-c", "mkdir -p /tmp/www && echo 'hello from the guest' > /tmp/www/index.html");
        agent.spawn(new ExecRequest(List.of("busybox", "httpd", "-f", "-p", "8080", "-h", "/tmp/www"),
                QemuDriverTest.ENV, "/", null, false), "/tmp/httpd.log");
        try (GuestSocket s = connectWhenUp(8080)) {
            String answer = get(s, "/index.html");
            assertThat(answer).startsWith("HTTP/1.").contains(" 200 ").endsWith("hello from the guest\n");
        }
        double[] ms = new double[30];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            try (GuestSocket s = agent.connectTcp(8080, Duration.ofSeconds(5))) {
                assertThat(get(s, "/index.html")).contains(" 200 ");
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.printf("HTTP GET through CONNECT (new connection each): median %.2f ms over %d%n", median(ms), ms.length);
        // no route out: the guest has only the loopback
        assertThat(QemuDriverTest.run(agent, "sh", "-c", "ls /sys/class/net")).isEqualTo("lo\n");
    }

    @Test
    void echoThroughBusyboxNc_8MiB_andRoundTrips() throws Exception {
        agent.spawn(new ExecRequest(List.of("sh", "-c", "exec busybox nc -ll -p 9000 -e cat"), QemuDriverTest.ENV, "/",
                null, false), "/tmp/nc.log");
        double[] rtt = new double[50];
        try (GuestSocket s = connectWhenUp(9000)) {
            byte[] ping = new byte[64], back = new byte[64];
            for (int i = 0; i < rtt.length; i++) {
                Arrays.fill(ping, (byte) i);
                long t0 = System.nanoTime();
                s.output().write(ping);
                readFully(s.input(), back);
                rtt[i] = (System.nanoTime() - t0) / 1e6;
                assertThat(back).isEqualTo(ping);
            }
        }
        System.out.printf("64-byte echo round trip on an open connection: median %.2f ms over %d%n", median(rtt), rtt.length);

        byte[] data = new byte[8 << 20];
        new Random(11).nextBytes(data);
        try (GuestSocket s = connectWhenUp(9000)) {
            long t0 = System.nanoTime();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (OutputStream out = s.output()) {
                    for (int off = 0; off < data.length; off += 65536) out.write(data, off, 65536);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] got = s.input().readAllBytes();
            writer.get(120, TimeUnit.SECONDS);
            double secs = (System.nanoTime() - t0) / 1e9;
            assertThat(got.length).isEqualTo(data.length);
            assertThat(got).isEqualTo(data);
            System.out.printf("8 MiB echoed through busybox nc -e cat: %.2f s, %.1f MB/s each way%n", secs, data.length / 1e6 / secs);
        }
    }

    static void readFully(InputStream in, byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) throw new IOException("end of stream after " + n + " bytes");
            n += r;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
