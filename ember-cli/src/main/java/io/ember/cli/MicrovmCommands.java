package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.IdlePolicy;
import io.ember.sdk.ListMicrovmsRequest;
import io.ember.sdk.RunMicrovmRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The {@code aws lambda-microvms} verbs, with the AWS CLI's flag names and pagination. */
final class MicrovmCommands {
    private MicrovmCommands() {}

    /** The model's bound on maximumDurationInSeconds. */
    static final int MAX_DURATION_SECONDS = 28_800;

    @Command(name = "run-microvm", description = "Start a microVM (RunMicrovm); prints the answer with microvmId.")
    static final class Run implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;
        @Option(names = "--image-version", paramLabel = "V") String version;
        @Option(names = "--maximum-duration-in-seconds", paramLabel = "N",
                description = "lifetime, 1 to 28800 (8 hours); the microVM is terminated when it passes") Integer maxDuration;
        @Option(names = "--idle-policy", paramLabel = "JSON",
                description = "JSON or shorthand, e.g. maxIdleDurationSeconds=300,suspendedDurationSeconds=0,autoResumeEnabled=false")
        String idlePolicy;
        @Option(names = "--client-token", paramLabel = "T") String clientToken;
        @Option(names = "--execution-role-arn", paramLabel = "ARN",
                description = "an execution role (put-role): the secrets the microVM may read") String executionRoleArn;
        @Option(names = "--run-hook-payload", paramLabel = "TEXT",
                description = "the body of the image's run hook (docs/hooks.md), at most 16 KiB") String runHookPayload;
        @Option(names = {"--ingress-network-connectors", "--ingress-connector"}, paramLabel = "ARN",
                description = "ingress connector ARNs (repeat, comma-separated, or a JSON list); default HTTP_INGRESS."
                        + " SHELL_INGRESS or ALL_INGRESS allow shell tokens") List<String> ingress;
        @Option(names = {"--egress-network-connectors", "--egress-connector"}, paramLabel = "ARN",
                description = "egress connector ARN: INTERNET_EGRESS or a network connector's; default the image's, else INTERNET_EGRESS")
        List<String> egress;

        @Override
        public Integer call() {
            if (maxDuration != null && (maxDuration < 1 || maxDuration > MAX_DURATION_SECONDS)) {
                throw new ParameterException(spec.commandLine(), "--maximum-duration-in-seconds must be between 1 and "
                        + MAX_DURATION_SECONDS + " (8 hours), got " + maxDuration);
            }
            RunMicrovmRequest req = RunMicrovmRequest.of(image).withImageVersion(version)
                    .withMaximumDurationInSeconds(maxDuration).withClientToken(clientToken).withRunHookPayload(runHookPayload)
                    .withExecutionRoleArn(executionRoleArn)
                    .withIngressNetworkConnectors(NetworkConnectorCommands.arns(spec, "--ingress-network-connectors", ingress))
                    .withEgressNetworkConnectors(NetworkConnectorCommands.arns(spec, "--egress-network-connectors", egress))
                    .withIdlePolicy(idlePolicy == null ? null : parse(spec, "--idle-policy", () -> Shorthand.object(idlePolicy, IdlePolicy.class)));
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.runMicrovm(req), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    /** {@code parser}'s value, or a usage error naming the flag with the parser's first line of complaint. */
    static <T> T parse(CommandSpec spec, String flag, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new ParameterException(spec.commandLine(), "Invalid value for " + flag + ": " + why);
        }
    }

    @Command(name = "get-microvm", description = "Describe a microVM (GetMicrovm).")
    static final class Get implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--microvm-identifier", required = true, paramLabel = "ID|ARN") String id;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.getMicrovm(id), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "terminate-microvm", description = "Stop a microVM and discard its disk (TerminateMicrovm).")
    static final class Terminate implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--microvm-identifier", required = true, paramLabel = "ID|ARN") String id;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                c.terminateMicrovm(id);
            }
            return 0;
        }
    }

    @Command(name = "suspend-microvm", description = "Suspend a microVM: memory and disk to disk, no compute (SuspendMicrovm).")
    static final class Suspend implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--microvm-identifier", required = true, paramLabel = "ID|ARN") String id;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                c.suspendMicrovm(id);
            }
            return 0;
        }
    }

    @Command(name = "resume-microvm", description = "Resume a suspended microVM as it was (ResumeMicrovm).")
    static final class Resume implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--microvm-identifier", required = true, paramLabel = "ID|ARN") String id;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                c.resumeMicrovm(id);
            }
            return 0;
        }
    }

    @Command(name = "list-microvms", description = "List microVMs (ListMicrovms), all pages unless --max-items.")
    static final class ListVms implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin Paging paging;
        @Option(names = "--image-identifier", paramLabel = "NAME|ARN") String image;
        @Option(names = "--image-version", paramLabel = "V") String version;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Object result = paging.collect((size, token) -> {
                    var page = c.listMicrovms(new ListMicrovmsRequest(size, token, image, version));
                    return new Page(page.items(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "list-managed-microvm-images", description = "List the managed base images.")
    static final class ListImages implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin Paging paging;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Object result = paging.collect((size, token) -> {
                    var page = c.listManagedMicrovmImages(size, token);
                    return new Page(page.items(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "list-managed-microvm-image-versions", description = "List the versions of a managed image.")
    static final class ListImageVersions implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin Paging paging;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Object result = paging.collect((size, token) -> {
                    var page = c.listManagedMicrovmImageVersions(image, size, token);
                    return new Page(page.items(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "health", description = "Ask the server whether it serves (GET /ember/v1/health).")
    static final class Health implements Callable<Integer> {
        @ParentCommand EmberCommand root;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.health(), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    record Page(List<?> items, String nextToken) {}

    /** The AWS CLI's pagination: every page by default; --max-items stops early and prints a NextToken. */
    static final class Paging {
        @Spec(Spec.Target.MIXEE) CommandSpec spec;
        @Option(names = "--max-items", paramLabel = "N", description = "Print at most N items, then a NextToken.")
        Integer maxItems;
        @Option(names = "--starting-token", paramLabel = "T", description = "A NextToken from an earlier call.")
        String startingToken;
        @Option(names = "--page-size", paramLabel = "N", description = "Items per API call (maxResults, 1 to 100).")
        Integer pageSize;

        Map<String, Object> collect(BiFunction<Integer, String, Page> fetch) {
            return collect("items", fetch);
        }

        /** As {@link #collect(BiFunction)}, the items under {@code key} (as the operation's answer names them). */
        Map<String, Object> collect(String key, BiFunction<Integer, String, Page> fetch) {
            if (maxItems != null && maxItems < 1) throw new ParameterException(spec.commandLine(), "--max-items must be at least 1");
            List<Object> items = new ArrayList<>();
            String token = startingToken;
            String truncatedAt = null;
            while (true) {
                Integer size = pageSize;
                if (maxItems != null) size = Math.min(size == null ? 100 : size, maxItems - items.size());
                Page page = fetch.apply(size, token);
                items.addAll(page.items());
                if (page.nextToken() == null || page.nextToken().isEmpty() || page.nextToken().equals(token)) break;
                token = page.nextToken();
                if (maxItems != null && items.size() >= maxItems) {
                    truncatedAt = token;
                    break;
                }
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put(key, items);
            if (truncatedAt != null) result.put("NextToken", truncatedAt);
            return result;
        }
    }
}
