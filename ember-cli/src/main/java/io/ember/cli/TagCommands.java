package io.ember.cli;

import io.ember.sdk.EmberClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The tag verbs, as {@code aws lambda} names them: tag-resource, untag-resource, list-tags. */
final class TagCommands {
    private TagCommands() {}

    @Command(name = "tag-resource", description = "Add tags to a microVM or a built image, replacing values of keys it has (TagResource).")
    static final class Tag implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--resource", required = true, paramLabel = "ARN", description = "the resource's ARN (a microVM's id works too)")
        String resource;
        @Option(names = "--tags", required = true, paramLabel = "K=V,...|JSON", description = "e.g. team=search,env=dev or {\"team\":\"search\"}")
        String tags;

        @Override
        public Integer call() {
            Map<String, String> map = MicrovmCommands.parse(spec, "--tags", () -> Shorthand.stringMap(tags));
            try (EmberClient c = root.client()) {
                c.tagResource(resource, map);
            }
            return 0;
        }
    }

    @Command(name = "untag-resource", description = "Remove tags by key from a microVM or a built image (UntagResource).")
    static final class Untag implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--resource", required = true, paramLabel = "ARN", description = "the resource's ARN (a microVM's id works too)")
        String resource;
        @Option(names = "--tag-keys", required = true, arity = "1..*", paramLabel = "KEY", description = "one or more keys")
        List<String> keys;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                c.untagResource(resource, keys);
            }
            return 0;
        }
    }

    @Command(name = "list-tags", description = "Print the tags of a microVM or an image (ListTags).")
    static final class ListTags implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--resource", required = true, paramLabel = "ARN", description = "the resource's ARN (a microVM's id works too)")
        String resource;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                // As the AWS CLI prints it: {"Tags": {...}}, even when empty.
                Output.print(root.io().out(), Map.of("Tags", c.listTags(resource)), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }
}
