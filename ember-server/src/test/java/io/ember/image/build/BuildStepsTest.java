package io.ember.image.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.agent.ExecRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build logic against a fake guest; BuildStepsVmTest runs it in a real microVM. */
class BuildStepsTest {
    @TempDir
    Path tmp;
    final FakeAgent agent = new FakeAgent();
    final List<String> lines = new ArrayList<>();
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final BuildLog log = new BuildLog() {
        @Override
        public void line(String text) {
            lines.add(text);
        }

        @Override
        public void output(byte[] chunk, int off, int len) {
            output.write(chunk, off, len);
        }
    };

    static TestZip app() {
        return new TestZip().file("src/main.sh", "echo main".getBytes(), 0100755).file("src/lib/util.txt", "util")
                .dir("src/private", 0700).file("src/private/key", "k".getBytes(), 0100600)
                .file("a.txt", "A").file("b.txt", "B").dosFile("plain.txt", "plain");
    }

    void build(TestZip zip, String dockerfile) throws Exception {
        Path p = zip.file("Dockerfile", dockerfile).write(tmp.resolve("code.zip"));
        try (CodeArtifact code = CodeArtifact.open(p)) {
            new BuildSteps(agent, code, log, Duration.ofSeconds(30)).run(Dockerfile.parse(code.dockerfile(), Map.of()));
        }
    }

    void buildFails(TestZip zip, String dockerfile, String message) {
        assertThatThrownBy(() -> build(zip, dockerfile)).isInstanceOf(BuildFailure.class).hasMessage(message);
    }

    @Test
    void copyDirectory_recursivelyIntoARelativeDestination_keepingModes() throws Exception {
        build(app(), "FROM busybox\nWORKDIR /srv\nCOPY src app/\nCOPY plain.txt .\n");
        assertThat(agent.dirs).contains("/srv", "/srv/app", "/srv/app/lib", "/srv/app/private");
        assertThat(agent.text("/srv/app/main.sh")).isEqualTo("echo main");
        assertThat(agent.modes).containsEntry("/srv/app/main.sh", 0755).containsEntry("/srv/app/lib/util.txt", 0644)
                .containsEntry("/srv/app/private/key", 0600).containsEntry("/srv/plain.txt", 0644);
        assertThat(agent.text("/srv/app/lib/util.txt")).isEqualTo("util");
        assertThat(agent.text("/srv/plain.txt")).isEqualTo("plain");
        // the directory's own mode 0700 is applied in the guest, as root
        assertThat(agent.execs).extracting(ExecRequest::argv).containsExactly(List.of("chmod", "0700", "/srv/app/private"));
        assertThat(lines).containsExactly("Step 1/4 : FROM busybox", "Step 2/4 : WORKDIR /srv", "Step 3/4 : COPY src app/",
                "Step 4/4 : COPY plain.txt .");
    }

    @Test
    void copyFile_destinationRules() throws Exception {
        agent.dirs.add("/existing");
        build(app(), "FROM busybox\nCOPY a.txt /new/name\nCOPY a.txt /existing\nCOPY b.txt /into/\nCOPY [\"a.txt\", \"b.txt\", \"/both/\"]\nCOPY . /all\n");
        assertThat(agent.text("/new/name")).isEqualTo("A");
        assertThat(agent.text("/existing/a.txt")).isEqualTo("A");
        assertThat(agent.text("/into/b.txt")).isEqualTo("B");
        assertThat(agent.text("/both/a.txt")).isEqualTo("A");
        assertThat(agent.text("/both/b.txt")).isEqualTo("B");
        assertThat(agent.text("/all/src/lib/util.txt")).isEqualTo("util");
        assertThat(agent.text("/all/Dockerfile")).startsWith("FROM busybox");
    }

    @Test
    void copyGlob_matchesWithinOneDirectoryLevel() throws Exception {
        build(app(), "FROM busybox\nCOPY *.txt /g/\nCOPY src/*/util.tx? /h/\nCOPY [ab].txt /i/\n");
        assertThat(agent.files.keySet()).filteredOn(p -> p.startsWith("/g/")).containsExactly("/g/a.txt", "/g/b.txt", "/g/plain.txt");
        assertThat(agent.text("/h/util.txt")).isEqualTo("util");
        assertThat(agent.files.keySet()).filteredOn(p -> p.startsWith("/i/")).containsExactly("/i/a.txt", "/i/b.txt");
        buildFails(app(), "FROM busybox\nCOPY *.txt /g\n",
                "Dockerfile line 2: when COPY has more than one source, the destination must be a directory and end with /");
    }

    @Test
    void missingSource_failsNamingLineAndPath_beforeAnyRun() {
        buildFails(app(), "FROM busybox\nRUN echo first\n\nCOPY nothere.txt /x\n",
                "Dockerfile line 4: COPY failed: 'nothere.txt' not found in the code artifact");
        buildFails(app(), "FROM busybox\nADD *.md /x/\n", "Dockerfile line 2: ADD failed: no file in the code artifact matches '*.md'");
        buildFails(app(), "FROM busybox\nCOPY ../outside /x\n", "Dockerfile line 2: COPY source '../outside' is outside the code artifact");
        assertThat(agent.execs).isEmpty();
        assertThat(lines).isEmpty();
    }

    @Test
    void chown_appliesToExactlyWhatWasCopied_inTheGuest() throws Exception {
        agent.behaviour = r -> r.argv().get(0).equals("id") ? new FakeAgent.Result(0, "1001\n", false) : new FakeAgent.Result(0, "", false);
        build(app(), "FROM busybox\nCOPY --chown=app src/lib /opt/lib\nCOPY --chown=7:8 a.txt /usr/local/bin/\nCOPY --chown=9 b.txt /b\n");
        assertThat(agent.execs).extracting(ExecRequest::argv).containsExactly(
                List.of("id", "-u", "app"),
                List.of("chown", "-h", "app:1001", "/opt/lib", "/opt/lib/util.txt"),
                List.of("chown", "-h", "7:8", "/usr/local/bin/a.txt"),
                List.of("chown", "-h", "9:9", "/b"));
        assertThat(agent.execs).allSatisfy(r -> assertThat(r.user()).isNull());
    }

    @Test
    void chmod_overridesTheArtifactsModes() throws Exception {
        build(app(), "FROM busybox\nCOPY --chmod=750 src /s\n");
        assertThat(agent.modes).containsEntry("/s/main.sh", 0750).containsEntry("/s/private/key", 0750);
        assertThat(agent.execs).extracting(ExecRequest::argv)
                .containsExactly(List.of("chmod", "0750", "/s", "/s/lib", "/s/private"));
    }

    @Test
    void run_executesWithEnvWorkdirUserAndTimeout_streamingItsOutput() throws Exception {
        agent.files.put("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n".getBytes());
        agent.behaviour = r -> new FakeAgent.Result(0, "out of " + r.argv().get(r.argv().size() - 1) + "\n", false);
        build(app(), "FROM busybox\nENV A=1\nARG B=2\nWORKDIR /w\nRUN echo one\nUSER app\nRUN [\"/bin/two\", \"x\"]\n");
        ExecRequest one = agent.execs.get(0);
        assertThat(one.argv()).containsExactly("/bin/sh", "-c", "echo one");
        assertThat(one.env()).containsEntry("A", "1").containsEntry("B", "2").containsEntry("HOME", "/root")
                .containsEntry("PATH", DockerfileParser.DEFAULT_PATH);
        assertThat(one.cwd()).isEqualTo("/w");
        assertThat(one.user()).isNull();
        assertThat(one.timeout()).isEqualTo(Duration.ofSeconds(30));
        ExecRequest two = agent.execs.get(1);
        assertThat(two.argv()).containsExactly("/bin/two", "x");
        assertThat(two.user()).isEqualTo("app");
        assertThat(two.env()).containsEntry("HOME", "/home/app");
        assertThat(output.toString(StandardCharsets.UTF_8)).isEqualTo("out of echo one\nout of x\n");
        assertThat(agent.dirs).contains("/w");
    }

    @Test
    void run_failureAndTimeout_nameTheLineAndTheCommand() {
        agent.behaviour = r -> new FakeAgent.Result(3, "the last words\n", false);
        buildFails(app(), "FROM busybox\nRUN true\n", "Dockerfile line 2: RUN true exited with code 3");
        assertThat(output.toString(StandardCharsets.UTF_8)).isEqualTo("the last words\n");
        assertThat(lines).last().isEqualTo("Step 2/2 : RUN true");
        agent.behaviour = r -> new FakeAgent.Result(0, "", true);
        buildFails(app(), "FROM busybox\nRUN sleep 99\n", "Dockerfile line 2: RUN sleep 99 timed out after 30 s and was killed");
    }

    @Test
    void add_refusesTarArchivesButCopiesOtherFiles() throws Exception {
        byte[] tar = new byte[1024];
        System.arraycopy("ustar".getBytes(), 0, tar, 257, 5);
        buildFails(new TestZip().file("x.tar", tar, 0100644), "FROM busybox\nADD x.tar /x/\n",
                "Dockerfile line 2: ADD x.tar is a tar archive, which Docker would extract; Ember does not extract archives: use COPY and RUN tar -x");
        buildFails(new TestZip().file("x.tgz", gzip(tar), 0100644), "FROM busybox\nADD x.tgz /x/\n",
                "Dockerfile line 2: ADD x.tgz is a gzip-compressed tar archive, which Docker would extract; Ember does not extract archives: use COPY and RUN tar -x");
        byte[] notTar = gzip("just text".getBytes());
        build(new TestZip().file("t.gz", notTar, 0100644).file("tar-but-copied.tar", tar, 0100644),
                "FROM busybox\nADD t.gz /x/\nCOPY tar-but-copied.tar /y/\n");
        assertThat(agent.files.get("/x/t.gz")).isEqualTo(notTar);
        assertThat(agent.files.get("/y/tar-but-copied.tar")).isEqualTo(tar);
    }

    @Test
    void copy_refusesSymlinks() {
        buildFails(new TestZip().symlink("link", "/etc/shadow"), "FROM busybox\nCOPY . /app\n",
                "Dockerfile line 2: COPY: 'link' is a symbolic link in the code artifact; symbolic links are not supported");
    }

    @Test
    void copy_ontoAnExistingDirectoryFromTheZip_failsWithTheGuestsError() {
        agent.dirs.add("/d/a.txt");
        buildFails(app(), "FROM busybox\nCOPY a.txt /d/\n", "Dockerfile line 2: COPY a.txt to /d/a.txt: /d/a.txt is a directory");
    }

    @Test
    void copy_ofCorruptData_failsAsAnInvalidArtifact() throws Exception {
        buildFails(new TestZip().lying("big", new byte[4096], 10), "FROM busybox\nCOPY big /big\n",
                "Dockerfile line 2: COPY big: invalid code artifact: big: more data than its declared size of 10 bytes");
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }
}
