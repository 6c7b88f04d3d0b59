package io.ember.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.sdk.EmberClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ember network-connector create|get|list|update|delete}: the caller's egress policies (docs/connectors.md). */
@Command(name = "network-connector", description = "Network connectors: egress policies run-microvm names by ARN.",
        subcommands = {NetworkConnectorCommands.Create.class, NetworkConnectorCommands.Get.class, NetworkConnectorCommands.ListAll.class,
                NetworkConnectorCommands.Update.class, NetworkConnectorCommands.Delete.class})
final class NetworkConnectorCommands implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand EmberCommand root;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "give a subcommand: create, get, list, update or delete");
    }

    /**
     * {@code --config}'s configuration: a JSON object given inline ({...}) or in a FILE. Kept as parsed JSON, unknown
     * fields included, so that the server (which refuses them) says what is wrong rather than this client dropping it.
     */
    static Map<String, Object> config(CommandSpec spec, String value) {
        String text = value.strip();
        if (!text.startsWith("{")) {
            try {
                text = Files.readString(Path.of(value));
            } catch (IOException | RuntimeException e) {
                throw new ParameterException(spec.commandLine(), "--config is neither a JSON object nor a readable file: " + value);
            }
        }
        try {
            return JSON.readValue(text, new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for --config: not a JSON object ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** Repeated or comma-separated ARNs, or a JSON list of them as the AWS CLI takes it. */
    static List<String> arns(CommandSpec spec, String flag, List<String> given) {
        if (given == null) return null;
        List<String> out = new ArrayList<>();
        for (String g : given) {
            if (g.strip().startsWith("[")) {
                try {
                    out.addAll(JSON.readValue(g, new TypeReference<List<String>>() {}));
                } catch (IOException e) {
                    throw new ParameterException(spec.commandLine(), "Invalid value for " + flag + ": not a JSON list of strings");
                }
            } else {
                for (String s : g.split(",")) if (!s.isBlank()) out.add(s.strip());
            }
        }
        return out;
    }

    @Command(name = "create", description = "Create a connector (PENDING, then ACTIVE or FAILED); --wait waits for that.")
    static final class Create implements Callable<Integer> {
        @ParentCommand NetworkConnectorCommands parent;
        @Spec CommandSpec spec;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        @Option(names = "--config", required = true, paramLabel = "FILE|JSON",
                description = "{\"egressPolicyConfiguration\": {\"defaultAction\": \"DENY\", \"rules\": [...]}}") String config;
        @Option(names = "--operator-role", paramLabel = "ARN") String operatorRole;
        @Option(names = "--wait", description = "wait until it is no longer PENDING") boolean await;

        @Override
        public Integer call() {
            Map<String, Object> configuration = config(spec, config);
            EmberCommand root = parent.root;
            try (EmberClient c = root.client()) {
                var made = c.createNetworkConnector(name, configuration, operatorRole, null);
                if (await) made = c.waitUntilNetworkConnectorSettled(made.networkConnectorId(), java.time.Duration.ofMinutes(2));
                Output.print(root.io().out(), made, root.format(EmberCommand.Format.json));
                return await && "FAILED".equals(made.state()) ? 1 : 0;
            }
        }
    }

    @Command(name = "get", description = "Describe a connector (by id, name or ARN).")
    static final class Get implements Callable<Integer> {
        @ParentCommand NetworkConnectorCommands parent;
        @Option(names = "--network-connector", required = true, paramLabel = "ID|NAME|ARN") String id;

        @Override
        public Integer call() {
            EmberCommand root = parent.root;
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.getNetworkConnector(id), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List your connectors, all pages unless --max-items.")
    static final class ListAll implements Callable<Integer> {
        @ParentCommand NetworkConnectorCommands parent;
        @Mixin MicrovmCommands.Paging paging;

        @Override
        public Integer call() {
            EmberCommand root = parent.root;
            try (EmberClient c = root.client()) {
                Object result = paging.collect("networkConnectors", (size, token) -> {
                    var page = c.listNetworkConnectors(size, token);
                    return new MicrovmCommands.Page(page.networkConnectors(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "update", description = "Replace a connector's configuration and/or operator role; running microVMs keep theirs.")
    static final class Update implements Callable<Integer> {
        @ParentCommand NetworkConnectorCommands parent;
        @Spec CommandSpec spec;
        @Option(names = "--network-connector", required = true, paramLabel = "ID|NAME|ARN") String id;
        @Option(names = "--config", paramLabel = "FILE|JSON") String config;
        @Option(names = "--operator-role", paramLabel = "ARN") String operatorRole;

        @Override
        public Integer call() {
            if (config == null && operatorRole == null)
                throw new ParameterException(spec.commandLine(), "give --config and/or --operator-role");
            Map<String, Object> configuration = config == null ? null : config(spec, config);
            EmberCommand root = parent.root;
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.updateNetworkConnector(id, configuration, operatorRole), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a connector (refused while a microVM not terminated uses it).")
    static final class Delete implements Callable<Integer> {
        @ParentCommand NetworkConnectorCommands parent;
        @Option(names = "--network-connector", required = true, paramLabel = "ID|NAME|ARN") String id;

        @Override
        public Integer call() {
            EmberCommand root = parent.root;
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.deleteNetworkConnector(id), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }
}
