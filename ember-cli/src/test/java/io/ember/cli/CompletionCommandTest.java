package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionCommandTest {
    @TempDir Path dir;

    @Test
    void theScriptCompletesVerbsAndTheirFlagsInBash() throws Exception {
        Cli r = Cli.run("completion");
        assertThat(r.exit).as(r.toString()).isZero();
        Path script = dir.resolve("ember-completion.bash");
        Files.writeString(script, r.out);

        // Source it in a real bash and ask what it completes for "ember run-m" and "ember run-microvm --idle".
        String probe = "source " + script + "\n"
                + "COMP_WORDS=(ember run-m); COMP_CWORD=1; _complete_ember; echo \"verbs: ${COMPREPLY[*]}\"\n"
                + "COMP_WORDS=(ember run-microvm --idle); COMP_CWORD=2; _complete_ember; echo \"flags: ${COMPREPLY[*]}\"\n"
                + "COMP_WORDS=(ember create-acc); COMP_CWORD=1; _complete_ember; echo \"keys: ${COMPREPLY[*]}\"\n"
                + "COMP_WORDS=(ember put-secret --value); COMP_CWORD=2; _complete_ember; echo \"secret: ${COMPREPLY[*]}\"\n"
                + "COMP_WORDS=(ember whoami --pro); COMP_CWORD=2; _complete_ember; echo \"global: ${COMPREPLY[*]}\"\n";
        Process bash = new ProcessBuilder("bash", "-c", probe).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("verbs: run-microvm").contains("flags: --idle-policy").contains("keys: create-access-key")
                .contains("secret: --value-file").contains("global: --profile");
    }
}
