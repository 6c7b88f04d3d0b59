package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.PortSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "create-microvm-auth-token",
        description = "A token for a microVM's endpoint (CreateMicrovmAuthToken): send it as the X-aws-proxy-auth header.")
final class AuthTokenCommand implements Callable<Integer> {
    @ParentCommand EmberCommand root;
    @Spec CommandSpec spec;
    @Option(names = "--microvm-identifier", required = true, paramLabel = "ID|ARN") String id;
    @Option(names = "--expiration-in-minutes", defaultValue = "60", paramLabel = "N", description = "1 to 60; default ${DEFAULT-VALUE}")
    int minutes;
    @Option(names = "--allowed-ports", defaultValue = "8080", paramLabel = "PORTS",
            description = "JSON list of port specifications ([{\"port\":8080},{\"range\":{\"startPort\":9000,\"endPort\":9010}},{\"allPorts\":{}}]) "
                    + "or shorthand: 8080,9000-9010 or all; default ${DEFAULT-VALUE}")
    String ports;

    @Override
    public Integer call() {
        if (minutes < 1 || minutes > 60) {
            throw new ParameterException(spec.commandLine(), "--expiration-in-minutes must be between 1 and 60, got " + minutes);
        }
        List<PortSpecification> allowed = MicrovmCommands.parse(spec, "--allowed-ports", () -> parsePorts(ports));
        try (EmberClient c = root.client()) {
            Output.print(root.io().out(), c.createMicrovmAuthToken(id, minutes, allowed), root.format(EmberCommand.Format.json));
        }
        return 0;
    }

    static List<PortSpecification> parsePorts(String value) {
        String v = value.strip();
        if (v.startsWith("[")) {
            try {
                return List.of(Output.MAPPER.readValue(v, PortSpecification[].class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("not a JSON list of port specifications: " + e.getOriginalMessage());
            }
        }
        List<PortSpecification> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String p = part.strip();
            if (p.equals("all")) {
                out.add(PortSpecification.all());
            } else if (p.matches("[0-9]{1,5}-[0-9]{1,5}")) {
                String[] ends = p.split("-");
                out.add(PortSpecification.range(Integer.parseInt(ends[0]), Integer.parseInt(ends[1])));
            } else if (p.matches("[0-9]{1,5}")) {
                out.add(PortSpecification.port(Integer.parseInt(p)));
            } else {
                throw new IllegalArgumentException("'" + p + "' is not a port, a range like 9000-9010, or all");
            }
        }
        return out;
    }
}
