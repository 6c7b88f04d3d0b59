package io.ember.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "completion",
        description = "Print the shell completion script for bash and zsh: source <(ember completion)")
final class CompletionCommand implements Callable<Integer> {
    @ParentCommand EmberCommand root;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        root.io().out().print(AutoComplete.bash("ember", spec.parent().commandLine()));
        root.io().out().flush();
        return 0;
    }
}
