package io.ember.jail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jailer running ordinary programs in place of a VMM: what a program sees and may do inside a jail, the
 * bound on what it can write to the log, and exit statuses passed through. No QEMU needed (JailedVmmTest has it).
 */
class JailerTest {
    static Jail jail;

    @TempDir
    Path tmp;

    @BeforeAll
    static void openJail() throws Exception {
        String assets = System.getProperty("EMBER_ASSETS_DIR", System.getenv().getOrDefault("EMBER_ASSETS_DIR", "/var/cache/ember"));
        JailConfig d = JailConfig.defaults(Path.of(assets));
        jail = Jail.open(new JailConfig(d.jailer(), d.mountPoint(), d.idBase(), d.idCount(), "ember-test", d.memoryOverheadMib(),
                64, 256, d.io()));
    }

    record Run(int exit, String out) {}

    /** Runs {@code argv} jailed in a fresh work directory with {@code shared} readable; its output as qemu.log would hold it. */
    Run jailed(List<Path> shared, String... argv) throws Exception {
        return jailed(shared, List.of(), argv);
    }

    Run jailed(List<Path> shared, List<Path> devices, String... argv) throws Exception {
        String id = "t-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        Path work = Files.createDirectories(tmp.resolve(id));
        List<String> cmd = jail.command(new JailRequest(id, work, List.of(), shared, devices, 1, 64, null, List.of(argv),
                work.resolve("pid")));
        Path log = tmp.resolve(id + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("jailed %s ends", List.of(argv)).isTrue();
        } finally {
            p.destroyForcibly();
            jail.released(id);
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aJailedProgram_seesOnlyItsOwnRoot_asItsOwnUnprivilegedUser() throws Exception {
        Path secret = Files.writeString(tmp.resolve("not-shared.txt"), "host secret");
        Run r = jailed(List.of(), "/usr/bin/sh", "-c",
                "id -u; id -G; ls -A /; cat /etc/passwd 2>&1; cat " + secret + " 2>&1; hostname; ls /proc | grep -c '^[0-9]'; "
                        + "ip -o link 2>/dev/null | wc -l; cat /proc/self/status | grep -E '^(CapEff|NoNewPrivs)'");
        String[] lines = r.out().split("\n");
        assertThat(r.exit()).as(r.out()).isZero();
        long uid = Long.parseLong(lines[0].strip());
        assertThat(uid).isBetween((long) jail.config().idBase(), (long) jail.config().idBase() + jail.config().idCount());
        assertThat(r.out()).doesNotContain("host secret").doesNotContain("root:x:0:0")
                .contains("No such file or directory").contains("ember-vmm")
                .containsPattern("CapEff:\\s+0000000000000000").containsPattern("NoNewPrivs:\\s+1");
        assertThat(List.of(lines).subList(2, 12)).doesNotContain("etc", "home", "root", "var", "work");
    }

    @Test
    void aServerUnderUmask077_stillGivesItsVmmAReachableWorkDirectory() throws Exception {
        // bin/ember runs the server under umask 077: the directories the jailer makes for bind mounts must still be 0755
        String id = "u-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        Path work = Files.createDirectories(tmp.resolve(id));
        List<String> cmd = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "umask 077; exec \"$@\"", "sh"));
        cmd.addAll(jail.command(new JailRequest(id, work, List.of(), List.of(), List.of(), 1, 64, null,
                List.of("/usr/bin/sh", "-c", "touch " + work + "/made && echo made"), work.resolve("pid"))));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).as(out).contains("made");
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
            jail.released(id);
        }
    }

    @Test
    void aDeviceOnlyRootMayOpen_becomesTheJailsOwnNode_withoutRootsGroup() throws Exception {
        Path tun = Path.of("/dev/net/tun");
        java.util.Set<java.nio.file.attribute.PosixFilePermission> before = Files.getPosixFilePermissions(tun);
        Run r = jailed(List.of(), List.of(tun), "/usr/bin/sh", "-c", "id -u; id -G; stat -c '%u %g %a %t:%T' /dev/net/tun; "
                + "exec 3<>/dev/net/tun && echo opened");
        assertThat(r.exit()).as(r.out()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[1].split(" ")).as("groups").doesNotContain("0");
        if (before.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
            assertThat(lines[2]).endsWith("a:c8"); // the host's node, bound in
        } else {
            assertThat(lines[2]).isEqualTo(lines[0] + " " + lines[0] + " 600 a:c8"); // its own node (--dev-own)
        }
        assertThat(r.out()).contains("opened");
        assertThat(Files.getPosixFilePermissions(tun)).as("the host's node unchanged").isEqualTo(before);
    }

    @Test
    void whatAJailedProgramPrints_isBoundedInTheLog_andItsExitStatusPassesThrough() throws Exception {
        Run flood = jailed(List.of(), "/usr/bin/head", "-c", "8000000", "/dev/zero");
        assertThat(flood.exit()).isZero();
        assertThat(flood.out().length()).as("log bytes").isLessThan((1 << 20) + 200);
        assertThat(flood.out()).endsWith("ember-jailer: log limit reached; further VMM output is dropped\n");

        assertThat(jailed(List.of(), "/usr/bin/sh", "-c", "exit 7").exit()).isEqualTo(7);
        Run noProgram = jailed(List.of(), "/no/such/program");
        assertThat(noProgram.exit()).isEqualTo(126);
        assertThat(noProgram.out()).contains("exec /no/such/program");
    }

    @Test
    void aJailedProgram_cannotForkWithoutEnd_norWriteTheFilesItOnlyReads() throws Exception {
        Path image = Files.createDirectories(tmp.resolve("image"));
        Path shared = Files.writeString(image.resolve("base.img"), "image bytes");
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Run r = jailed(List.of(shared), "/usr/bin/sh", "-c",
                "cat " + shared + "; echo x >> " + shared + " 2>&1 || echo cannot-write; "
                        + "i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done 2>&1 | grep -c 'fork\\|Resource' ; echo done");
        assertThat(r.out()).startsWith("image bytes").contains("cannot-write").contains("done");
        assertThat(Files.readString(shared)).isEqualTo("image bytes");
        assertThat(Files.getPosixFilePermissions(shared)).contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                .doesNotContain(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE);
        assertThat(Integer.parseInt(r.out().lines().filter(l -> l.matches("[0-9]+")).findFirst().orElse("0")))
                .as("forks refused past the pids limit (64)").isPositive();
    }

    @Test
    void theJailerAndItsProgram_liveAndDieTogether() throws Exception {
        for (boolean killProgram : new boolean[] {true, false}) {
            String id = "t-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
            Path work = Files.createDirectories(tmp.resolve(id));
            List<String> cmd = jail.command(new JailRequest(id, work, List.of(), List.of(), List.of(), 1, 64, null,
                    List.of("/usr/bin/sleep", "60"), work.resolve("pid")));
            Process jailer = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(id + ".log").toFile()).start();
            try {
                ProcessHandle program = awaitChild(jailer);
                assertThat(Files.readString(work.resolve("pid")).strip()).as("the pid file names the jailer").isEqualTo(Long.toString(jailer.pid()));
                if (killProgram) {
                    program.destroyForcibly(); // SIGKILL from the host, as the server's terminate does
                    assertThat(jailer.waitFor(10, TimeUnit.SECONDS)).isTrue();
                    assertThat(jailer.exitValue()).as("the jailer dies of the same signal").isEqualTo(128 + 9);
                } else {
                    jailer.destroyForcibly();
                    assertThat(program.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("PDEATHSIG: the program goes with its jailer").isFalse();
                }
                if (killProgram) assertThat(work.resolve("pid")).as("a jailer that ends removes its pid file").doesNotExist();
            } finally {
                jailer.destroyForcibly();
                jailer.waitFor(10, TimeUnit.SECONDS);
                jail.released(id);
            }
            for (Path dir : jail.cgroupDirectories(id)) assertThat(dir).as("cgroup removed").doesNotExist();
        }
    }

    static ProcessHandle awaitChild(Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            var child = p.toHandle().children().findFirst();
            if (child.isPresent()) return child.get();
            Thread.sleep(10);
        }
        throw new AssertionError("the jailer started no program");
    }
}
