package io.ember.image.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds in a real busybox microVM (QEMU, TCG here): the steps run in the guest, through its agent. */
class BuildStepsVmTest {
    @TempDir
    static Path tmp;
    static TestVm vm;
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

    @BeforeAll
    static void boot() throws Exception {
        vm = new TestVm(TestVm.defaultAssets(), tmp.resolve("vm"), "steps");
    }

    @AfterAll
    static void stop() {
        if (vm != null) vm.close();
    }

    void build(TestVm in, String name, TestZip zip, String dockerfile) throws Exception {
        Path p = zip.file("Dockerfile", dockerfile).write(tmp.resolve(name + ".zip"));
        try (CodeArtifact code = CodeArtifact.open(p)) {
            new BuildSteps(in.agent, code, log, Duration.ofSeconds(60)).run(Dockerfile.parse(code.dockerfile(), Map.of()));
        }
    }

    @Test
    void build_copiesADirectory_setsWorkdirAndEnv_andRunReadsThem() throws Exception {
        TestZip zip = new TestZip().file("app/greeting.txt", "hello from the zip").file("app/bin/show", "#!/bin/sh\ncat greeting.txt\n".getBytes(), 0100755)
                .dir("app/secret", 0700).file("app/secret/k", "k".getBytes(), 0100600);
        build(vm, "ok", zip, """
                FROM busybox
                ENV GREETING_FILE=greeting.txt
                WORKDIR /srv/app
                COPY app/ .
                ARG WHO=builder
                RUN echo "cwd=$(pwd) who=$WHO home=$HOME file=$(cat $GREETING_FILE)" && ./bin/show && echo to-stderr >&2
                RUN stat -c '%a %u' /srv/app/bin/show /srv/app/secret /srv/app/secret/k /srv/app/greeting.txt > /srv/modes
                COPY --chown=1234:99 app/greeting.txt /owned/
                """);
        String out = output.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("cwd=/srv/app who=builder home=/root file=hello from the zip\n")
                .contains("hello from the zip").contains("to-stderr");
        assertThat(vm.sh("cat /srv/modes")).isEqualTo("755 0\n700 0\n600 0\n644 0\n");
        assertThat(vm.sh("stat -c '%u:%g %a' /owned/greeting.txt")).isEqualTo("1234:99 644\n");
        assertThat(lines).containsExactly("Step 1/8 : FROM busybox", "Step 2/8 : ENV GREETING_FILE=greeting.txt",
                "Step 3/8 : WORKDIR /srv/app", "Step 4/8 : COPY app/ .", "Step 5/8 : ARG WHO=builder",
                "Step 6/8 : RUN echo \"cwd=$(pwd) who=$WHO home=$HOME file=$(cat $GREETING_FILE)\" && ./bin/show && echo to-stderr >&2",
                "Step 7/8 : RUN stat -c '%a %u' /srv/app/bin/show /srv/app/secret /srv/app/secret/k /srv/app/greeting.txt > /srv/modes",
                "Step 8/8 : COPY --chown=1234:99 app/greeting.txt /owned/");
    }

    @Test
    void build_failingRun_namesTheLineAndExitCode_withItsOutputInTheLog() {
        assertThatThrownBy(() -> build(vm, "fail", new TestZip(), "FROM busybox\nRUN echo before\nRUN echo last words; exit 7\nRUN echo never > /never\n"))
                .isInstanceOf(BuildFailure.class).hasMessage("Dockerfile line 3: RUN echo last words; exit 7 exited with code 7");
        assertThat(output.toString(StandardCharsets.UTF_8)).isEqualTo("before\nlast words\n");
        assertThatThrownBy(() -> vm.sh("test -e /never")).isInstanceOf(AssertionError.class);
    }

    @Test
    void build_missingCopySource_namesTheLineAndThePath() {
        assertThatThrownBy(() -> build(vm, "missing", new TestZip().file("here.txt", "x"),
                "FROM busybox\nRUN touch /ran\nCOPY here.txt /a/\nCOPY not-here.txt /b/\n"))
                .isInstanceOf(BuildFailure.class).hasMessage("Dockerfile line 4: COPY failed: 'not-here.txt' not found in the code artifact");
        assertThatThrownBy(() -> vm.sh("test -e /ran")).isInstanceOf(AssertionError.class);
    }

    @Test
    void build_user_runsLaterStepsAsThatUser() throws Exception {
        try (TestVm userVm = new TestVm(TestVm.defaultAssets(), tmp.resolve("vm-user"), "user")) {
            build(userVm, "user", new TestZip().file("f.txt", "mine"), """
                    FROM busybox
                    RUN echo 'app:x:1500:1500::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1500:' >> /etc/group && mkdir -p /home/app && chown app:app /home/app
                    COPY --chown=app f.txt /home/app/
                    USER app
                    WORKDIR /home/app
                    RUN id -u > ids && id -g >> ids && echo "$HOME" >> ids && cat f.txt >> ids
                    """);
            assertThat(userVm.sh("cat /home/app/ids")).isEqualTo("1500\n1500\n/home/app\nmine");
            assertThat(userVm.sh("stat -c '%u:%g' /home/app/ids /home/app/f.txt")).isEqualTo("1500:1500\n1500:1500\n");
        }
    }
}
