package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/cli.md has a section and an example for every verb, so a new verb cannot go undocumented. */
class CliDocsTest {
    @Test
    void everyVerbIsDocumentedWithAnExample() throws Exception {
        String doc = Files.readString(Path.of("../docs/cli.md"));
        Map<String, CommandLine> verbs = new CommandLine(new EmberCommand(null)).getSubcommands();
        assertThat(verbs).isNotEmpty();
        for (String verb : verbs.keySet()) {
            assertThat(doc).as(verb).contains("### " + verb + "\n").contains("$ ember " + verb);
            for (CommandLine.Model.OptionSpec o : verbs.get(verb).getCommandSpec().options()) {
                if (o.hidden() || o.longestName().matches("--(help|version|endpoint-url|output)")) continue;
                assertThat(doc).as(verb + " " + o.longestName()).contains(o.longestName());
            }
        }
    }
}
