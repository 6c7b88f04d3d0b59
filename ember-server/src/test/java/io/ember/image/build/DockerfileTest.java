package io.ember.image.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileTest {

    static Dockerfile parse(String text) throws BuildFailure {
        return Dockerfile.parse(text, Map.of());
    }

    static void fails(String text, String message) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(BuildFailure.class).hasMessage(message);
    }

    @Test
    void parse_everySupportedInstruction() throws Exception {
        Dockerfile df = parse("""
                # a comment
                ARG BASE=busybox
                FROM ${BASE}
                ARG VERSION=1.2
                ENV APP_HOME=/srv/app MODE=prod
                ENV GREETING hello world
                WORKDIR $APP_HOME
                COPY --chown=app:app src/ ./src/
                ADD config.txt /etc/app.conf
                RUN echo "$VERSION" > /version
                RUN ["/bin/echo", "exec form"]
                USER app
                LABEL org.example.version=$VERSION "description"="an app"
                EXPOSE 8080 9090/tcp
                ENTRYPOINT ["/srv/app/run"]
                CMD ["--port", "8080"]
                """);
        assertThat(df.from()).isEqualTo("busybox");
        assertThat(df.fromLine()).isEqualTo(3);
        assertThat(df.stepCount()).isEqualTo(14);
        ImageConfig c = df.config();
        assertThat(c.env()).containsExactly(Map.entry("PATH", DockerfileParser.DEFAULT_PATH), Map.entry("APP_HOME", "/srv/app"),
                Map.entry("MODE", "prod"), Map.entry("GREETING", "hello world"));
        assertThat(c.workdir()).isEqualTo("/srv/app");
        assertThat(c.user()).isEqualTo("app");
        assertThat(c.labels()).containsExactly(Map.entry("org.example.version", "1.2"), Map.entry("description", "an app"));
        assertThat(c.exposedPorts()).containsExactly(8080, 9090);
        assertThat(c.application()).containsExactly("/srv/app/run", "--port", "8080");

        List<Step> s = df.steps();
        assertThat(s.get(0)).isEqualTo(new Step.Metadata(4, "ARG VERSION=1.2"));
        assertThat(s.get(3)).isEqualTo(new Step.Workdir(7, "WORKDIR $APP_HOME", "/srv/app"));
        assertThat(s.get(4)).isEqualTo(new Step.Copy(8, "COPY --chown=app:app src/ ./src/", List.of("src/"), "/srv/app/src",
                true, "app:app", null, false));
        assertThat(s.get(5)).isEqualTo(new Step.Copy(9, "ADD config.txt /etc/app.conf", List.of("config.txt"), "/etc/app.conf",
                false, null, null, true));
        Step.Run run = (Step.Run) s.get(6);
        assertThat(run.argv()).containsExactly("/bin/sh", "-c", "echo \"$VERSION\" > /version");
        assertThat(run.env()).containsEntry("VERSION", "1.2").containsEntry("MODE", "prod").containsEntry("PATH", DockerfileParser.DEFAULT_PATH);
        assertThat(run.workdir()).isEqualTo("/srv/app");
        assertThat(run.user()).isNull();
        assertThat(run.line()).isEqualTo(10);
        assertThat(((Step.Run) s.get(7)).argv()).containsExactly("/bin/echo", "exec form");
    }

    @Test
    void run_afterUser_runsAsThatUser_andArgsAreInItsEnvironmentButNotTheImages() throws Exception {
        Dockerfile df = parse("FROM busybox\nARG TOKEN=abc\nUSER 1000:1000\nRUN id\nUSER root\nRUN id\n");
        assertThat(((Step.Run) df.steps().get(2)).user()).isEqualTo("1000:1000");
        assertThat(((Step.Run) df.steps().get(2)).env()).containsEntry("TOKEN", "abc");
        assertThat(((Step.Run) df.steps().get(4)).user()).isNull();
        assertThat(df.config().env()).doesNotContainKey("TOKEN");
        assertThat(df.config().user()).isNull();
    }

    @Test
    void continuation_joinsLines_skippingCommentsAndBlankLinesInside() throws Exception {
        Dockerfile df = parse("FROM busybox\nRUN echo a && \\\n# inside\n\n    echo b \\  \n  && echo c\nRUN true\n");
        Step.Run r = (Step.Run) df.steps().get(0);
        assertThat(r.argv().get(2)).isEqualTo("echo a &&     echo b   && echo c");
        assertThat(r.line()).isEqualTo(2);
        assertThat(df.steps().get(1).line()).isEqualTo(7);
    }

    @Test
    void escapeDirective_backtick() throws Exception {
        Dockerfile df = parse("# escape=`\nFROM busybox\nRUN echo a `\n  b\nENV P=C:\\dir\\x\n");
        assertThat(((Step.Run) df.steps().get(0)).argv().get(2)).isEqualTo("echo a   b");
        assertThat(df.config().env()).containsEntry("P", "C:\\dir\\x");
    }

    @Test
    void directives_onlyAtTheTop_andValidated() throws Exception {
        assertThat(parse("# syntax=docker/dockerfile:1\n# escape=\\\nFROM busybox\n").from()).isEqualTo("busybox");
        // after a comment a directive is a comment: the backslash stays the escape
        Dockerfile df = parse("# hello\n# escape=`\nFROM busybox\nRUN a \\\n b\n");
        assertThat(((Step.Run) df.steps().get(0)).argv().get(2)).isEqualTo("a  b");
        fails("# escape=x\nFROM busybox\n", "Dockerfile line 1: invalid escape character 'x': it must be \\ or `");
        fails("# escape=`\n# escape=\\\nFROM busybox\n", "Dockerfile line 2: parser directive 'escape' given twice");
    }

    @Test
    void substitution_forms() throws Exception {
        Dockerfile df = parse("""
                FROM busybox
                ENV SET=v EMPTY=
                ENV A=${SET:-d} B=${UNSET:-d} C=${EMPTY:-d} D=${EMPTY-d} E=${SET:+alt} F=${UNSET:+alt} G=${EMPTY+alt}
                ENV H=$SET/x I=${SET}x J='$SET' K="$SET y" L=\\$SET M=a\\ b N=$ O=${UNSET}
                """);
        assertThat(df.config().env()).containsEntry("A", "v").containsEntry("B", "d").containsEntry("C", "d")
                .containsEntry("D", "").containsEntry("E", "alt").containsEntry("F", "").containsEntry("G", "alt")
                .containsEntry("H", "v/x").containsEntry("I", "vx").containsEntry("J", "$SET").containsEntry("K", "v y")
                .containsEntry("L", "$SET").containsEntry("M", "a b").containsEntry("N", "$").containsEntry("O", "");
    }

    @Test
    void env_valuesSeeTheVariablesAsTheyWereBeforeTheInstruction() throws Exception {
        Dockerfile df = parse("FROM busybox\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n");
        assertThat(df.config().env()).containsEntry("def", "hello").containsEntry("ghi", "bye");
    }

    @Test
    void env_overridesArg_andPathCanBeExtended() throws Exception {
        Dockerfile df = parse("FROM busybox\nARG X=arg\nENV X=env\nENV PATH=/opt/bin:$PATH Y=$X\n");
        assertThat(df.config().env()).containsEntry("Y", "env").containsEntry("PATH", "/opt/bin:" + DockerfileParser.DEFAULT_PATH);
    }

    @Test
    void args_buildArgsOverrideDefaults_andGlobalArgsNeedRedeclaring() throws Exception {
        String text = "ARG BASE=busybox\nARG V=1\nFROM $BASE\nENV BEFORE=${V:-unset}\nARG V\nENV AFTER=$V\nARG W\nENV W=${W:-none}\n";
        Dockerfile df = parse(text);
        assertThat(df.config().env()).containsEntry("BEFORE", "unset").containsEntry("AFTER", "1").containsEntry("W", "none");
        Dockerfile over = Dockerfile.parse(text, Map.of("BASE", "debian", "V", "2", "W", "w"));
        assertThat(over.from()).isEqualTo("debian");
        assertThat(over.config().env()).containsEntry("AFTER", "2").containsEntry("W", "w");
        assertThat(parse("FROM busybox\nARG TARGETARCH\nENV A=$TARGETARCH\n").config().env()).containsEntry("A", "amd64");
    }

    @Test
    void substitution_errorsNameTheLine() {
        fails("FROM busybox\nENV A=\"${B:?must be set}\"\n", "Dockerfile line 2: ENV: B: must be set");
        fails("FROM busybox\nENV A=${B\n", "Dockerfile line 2: ENV: missing '}' in ${B");
        fails("FROM busybox\nENV A=${B/x/y}\n", "Dockerfile line 2: ENV: unsupported substitution ${B/...} "
                + "(supported: ${VAR}, ${VAR:-default}, ${VAR:+alternative}, ${VAR:?message})");
        fails("FROM busybox\nENV A=\"open\n", "Dockerfile line 2: ENV: unterminated double quote in \"open");
        fails("FROM busybox\nWORKDIR 'open\n", "Dockerfile line 2: WORKDIR: unterminated single quote in 'open");
    }

    @Test
    void runAndCmd_shellAndExecForms() throws Exception {
        Dockerfile df = parse("FROM busybox\nRUN [\"echo\", \"a\\\"b\", \"\\u0041\"]\nRUN [not json\nCMD echo $HOME\n");
        assertThat(((Step.Run) df.steps().get(0)).argv()).containsExactly("echo", "a\"b", "A");
        assertThat(((Step.Run) df.steps().get(1)).argv()).containsExactly("/bin/sh", "-c", "[not json");
        assertThat(df.config().cmd()).containsExactly("/bin/sh", "-c", "echo $HOME");
        assertThat(df.config().entrypoint()).isNull();
        assertThat(parse("FROM busybox\nCMD []\n").config().application()).isEmpty();
        assertThat(parse("FROM busybox\n").config().application()).isEmpty();
    }

    @Test
    void entrypoint_resetsTheBaseImagesCmd_butNotACmdSetInThisDockerfile() throws Exception {
        ImageConfig base = new ImageConfig(Map.of("PATH", "/base", "B", "1"), "/base", "app", null, List.of("base-cmd"),
                List.of(80), Map.of("l", "v"));
        Dockerfile a = Dockerfile.parse("FROM mine:2\nENTRYPOINT [\"/e\"]\n", Map.of(), from -> base);
        assertThat(a.config().application()).containsExactly("/e");
        Dockerfile b = Dockerfile.parse("FROM mine:2\nCMD [\"c\"]\nENTRYPOINT /e x\n", Map.of(), from -> base);
        assertThat(b.config().application()).containsExactly("/bin/sh", "-c", "/e x", "c");
        Dockerfile c = Dockerfile.parse("FROM mine:2\nWORKDIR sub\nRUN env\n", Map.of(), from -> base);
        assertThat(c.config().workdir()).isEqualTo("/base/sub");
        assertThat(c.config().env()).containsEntry("PATH", "/base");
        assertThat(c.config().exposedPorts()).containsExactly(80);
        assertThat(c.config().application()).containsExactly("base-cmd");
        assertThat(((Step.Run) c.steps().get(1)).user()).isEqualTo("app");
    }

    @Test
    void from_resolverFailureNamesTheLine() {
        assertThatThrownBy(() -> Dockerfile.parse("\nFROM nope\n", Map.of(), from -> {
            throw new BuildFailure("no such image");
        })).hasMessage("Dockerfile line 2: FROM nope: no such image");
    }

    @Test
    void workdir_relativeResolvesAgainstThePrevious() throws Exception {
        Dockerfile df = parse("FROM busybox\nWORKDIR /a\nWORKDIR b/../c\nWORKDIR ./d/\nCOPY x .\nCOPY y ../z\n");
        assertThat(df.config().workdir()).isEqualTo("/a/c/d");
        Step.Copy dot = (Step.Copy) df.steps().get(3);
        assertThat(dot.dest()).isEqualTo("/a/c/d");
        assertThat(dot.destIsDirectory()).isTrue();
        Step.Copy up = (Step.Copy) df.steps().get(4);
        assertThat(up.dest()).isEqualTo("/a/c/z");
        assertThat(up.destIsDirectory()).isFalse();
    }

    @Test
    void copy_forms() throws Exception {
        Dockerfile df = parse("FROM busybox\nENV D=/dst\nCOPY [\"a b\", \"c\", \"$D/\"]\nCOPY --chmod=0755 --link *.sh /bin/\nCOPY --chown=1000 x $D\n");
        Step.Copy json = (Step.Copy) df.steps().get(1);
        assertThat(json.sources()).containsExactly("a b", "c");
        assertThat(json.dest()).isEqualTo("/dst");
        Step.Copy flags = (Step.Copy) df.steps().get(2);
        assertThat(flags.chmod()).isEqualTo(0755);
        assertThat(flags.sources()).containsExactly("*.sh");
        assertThat(((Step.Copy) df.steps().get(3)).chown()).isEqualTo("1000");
    }

    @Test
    void copy_errors() {
        fails("FROM busybox\nCOPY a b /dst\n", "Dockerfile line 2: when COPY has more than one source, the destination must be a directory and end with /");
        fails("FROM busybox\nCOPY onlyone\n", "Dockerfile line 2: COPY needs at least one source and a destination");
        fails("FROM busybox\nCOPY --from=build /a /b\n", "Dockerfile line 2: COPY --from is not supported: multi-stage builds are not supported");
        fails("FROM busybox\nCOPY --parents a /b\n", "Dockerfile line 2: COPY --parents is not supported");
        fails("FROM busybox\nCOPY --chown=a:b:c x /y\n", "Dockerfile line 2: COPY --chown=a:b:c: expected user, user:group, uid or uid:gid");
        fails("FROM busybox\nCOPY --chmod=u+x x /y\n", "Dockerfile line 2: COPY --chmod=u+x: expected an octal mode such as 0755");
        fails("FROM busybox\nADD https://example.com/x.tgz /y\n", "Dockerfile line 2: ADD https://example.com/x.tgz: downloading a URL "
                + "is not supported; put the file in the code artifact, or fetch it with RUN (curl, wget)");
    }

    @Test
    void expose_forms() throws Exception {
        assertThat(parse("FROM busybox\nARG P=81\nEXPOSE 80 $P/TCP 8000-8002 80\n").config().exposedPorts())
                .containsExactly(80, 81, 8000, 8001, 8002);
        fails("FROM busybox\nEXPOSE 53/udp\n", "Dockerfile line 2: EXPOSE 53/udp: only TCP ports can be exposed");
        fails("FROM busybox\nEXPOSE 0\n", "Dockerfile line 2: EXPOSE: invalid port '0'");
        fails("FROM busybox\nEXPOSE 70000\n", "Dockerfile line 2: EXPOSE: invalid port '70000'");
        fails("FROM busybox\nEXPOSE http\n", "Dockerfile line 2: EXPOSE: invalid port 'http'");
        fails("FROM busybox\nEXPOSE 9-8\n", "Dockerfile line 2: EXPOSE: invalid port range '9-8'");
    }

    @Test
    void unsupportedAndMisplacedInstructions_nameTheLine() {
        fails("FROM busybox\n\n\n\n\n\nVOLUME /data\n", "Dockerfile line 7: VOLUME is not supported: a microVM has one disk, whose content persists with the VM");
        fails("FROM busybox\nHEALTHCHECK CMD true\n", "Dockerfile line 2: HEALTHCHECK is not supported: Ember decides readiness itself (see docs/dockerfile.md)");
        fails("FROM busybox\nSHELL [\"bash\"]\n", "Dockerfile line 2: SHELL is not supported: shell-form instructions run with /bin/sh -c");
        fails("FROM busybox\nONBUILD RUN x\n", "Dockerfile line 2: ONBUILD is not supported");
        fails("FROM busybox\nSTOPSIGNAL SIGTERM\n", "Dockerfile line 2: STOPSIGNAL is not supported");
        fails("FROM busybox\nMAINTAINER me\n", "Dockerfile line 2: MAINTAINER is not supported: use LABEL maintainer=\"...\"");
        fails("FROM busybox\nFROBNICATE x\n", "Dockerfile line 2: unknown instruction FROBNICATE");
        fails("RUN true\nFROM busybox\n", "Dockerfile line 1: RUN before FROM: a Dockerfile starts with FROM (only ARG may come before it)");
        fails("VOLUME /x\nFROM busybox\n", "Dockerfile line 1: VOLUME is not supported: a microVM has one disk, whose content persists with the VM");
        fails("# only a comment\nARG X=1\n", "the Dockerfile has no FROM instruction");
        fails("", "the Dockerfile has no FROM instruction");
    }

    @Test
    void from_errors() {
        fails("FROM busybox AS build\n", "Dockerfile line 1: FROM ... AS build: multi-stage builds are not supported");
        fails("FROM busybox\nRUN true\nFROM debian\n", "Dockerfile line 3: a second FROM: multi-stage builds are not supported");
        fails("FROM\n", "Dockerfile line 1: FROM takes one image reference");
        fails("FROM a b\n", "Dockerfile line 1: FROM takes one image reference");
        fails("ARG B\nFROM $B\n", "Dockerfile line 2: FROM: invalid image reference ''");
        fails("FROM --platform=linux/arm64 busybox\n", "Dockerfile line 1: FROM --platform=linux/arm64: only linux/amd64 is built");
        assertThat(assertDoesNotFail("FROM --platform=linux/amd64 arn:aws:lambda:us-east-1:000000000000:microvm-image/app:3\n").from())
                .isEqualTo("arn:aws:lambda:us-east-1:000000000000:microvm-image/app:3");
    }

    @Test
    void otherErrors() {
        fails("FROM busybox\nRUN\n", "Dockerfile line 2: RUN needs a command");
        fails("FROM busybox\nRUN []\n", "Dockerfile line 2: RUN needs a command");
        fails("FROM busybox\nRUN --mount=type=cache,target=/x make\n", "Dockerfile line 2: RUN --mount is not supported");
        fails("FROM busybox\nRUN <<EOF\necho\nEOF\n", "Dockerfile line 2: RUN with a here-document (<<) is not supported");
        fails("FROM busybox\nENV\n", "Dockerfile line 2: ENV needs name=value");
        fails("FROM busybox\nENV A\n", "Dockerfile line 2: ENV A needs a value (ENV name=value)");
        fails("FROM busybox\nENV A=1 B\n", "Dockerfile line 2: ENV: 'B' is not of the form name=value");
        fails("FROM busybox\nENV =x\n", "Dockerfile line 2: ENV: invalid name ''");
        fails("FROM busybox\nARG 1X=2\n", "Dockerfile line 2: ARG: invalid name '1X'");
        fails("FROM busybox\nUSER\n", "Dockerfile line 2: USER: expected user, user:group, uid or uid:gid, not ''");
        fails("FROM busybox\nUSER a b\n", "Dockerfile line 2: USER: expected user, user:group, uid or uid:gid, not 'a b'");
        fails("FROM busybox\nWORKDIR\n", "Dockerfile line 2: WORKDIR needs a path");
        fails("FROM busybox\nCMD\n", "Dockerfile line 2: CMD needs a command");
        assertThatThrownBy(() -> parse("FROM busybox\nRUN a\0b\n")).hasMessage("the Dockerfile contains a NUL character");
        assertThatThrownBy(() -> parse("FROM busybox\nRUN " + "x".repeat(Dockerfile.MAX_BYTES) + "\n"))
                .hasMessage("the Dockerfile is larger than 1048576 bytes");
    }

    @Test
    void instructionsAreCaseInsensitive_andCrLfIsAccepted() throws Exception {
        Dockerfile df = parse("\uFEFFfrom busybox\r\nrun echo hi\r\nenv A=1\r\n");
        assertThat(df.steps().get(0).text()).isEqualTo("RUN echo hi");
        assertThat(((Step.Run) df.steps().get(0)).argv()).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(df.config().env()).containsEntry("A", "1");
    }

    private static Dockerfile assertDoesNotFail(String text) {
        try {
            return parse(text);
        } catch (BuildFailure e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
