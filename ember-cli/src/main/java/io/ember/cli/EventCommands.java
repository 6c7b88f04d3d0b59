package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.UsageRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What happened (events) and what it cost (usage). */
final class EventCommands {
    private EventCommands() {}

    @Command(name = "list-events", description = {"List events, oldest first: launches, suspends and resumes with their causes,"
            + " terminations, hook outcomes and quota refusals.", "All of yours, or one microVM's; all pages unless --max-items."})
    static final class ListEvents implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin MicrovmCommands.Paging paging;
        @Option(names = "--microvm-id", paramLabel = "ID|ARN", description = "only this microVM's events") String microvmId;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Object result = paging.collect("events", (size, token) -> {
                    var page = c.listEvents(microvmId, size, token);
                    return new MicrovmCommands.Page(page.events(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "get-usage", description = "Metered seconds and their price, per microVM and period (docs/metering.md).")
    static final class GetUsage implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--microvm-id", paramLabel = "ID|ARN", description = "one microVM (default: all)") String microvmId;
        @Option(names = "--from", paramLabel = "TIME", description = "ISO-8601 (2026-11-29T00:00:00Z) or epoch seconds;"
                + " required unless --granularity total") String from;
        @Option(names = "--to", paramLabel = "TIME", description = "as --from (default: now)") String to;
        @Option(names = "--granularity", paramLabel = "total|hour|day", description = "default total") String granularity;
        @Option(names = "--tenant-id", paramLabel = "ID", description = "another tenant's usage (admin only)") String tenantId;

        @Override
        public Integer call() {
            if (granularity != null && !granularity.matches("total|hour|day")) {
                throw new ParameterException(spec.commandLine(), "--granularity must be total, hour or day, got '" + granularity + "'");
            }
            UsageRequest req = new UsageRequest(microvmId, time("--from", from), time("--to", to), granularity, tenantId);
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.getUsage(req), root.format(EmberCommand.Format.json));
            }
            return 0;
        }

        private Instant time(String flag, String value) {
            if (value == null) return null;
            try {
                return value.matches("\\d{1,12}") ? Instant.ofEpochSecond(Long.parseLong(value)) : Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), flag + " must be an ISO-8601 instant (2026-11-29T00:00:00Z)"
                        + " or epoch seconds, got '" + value + "'");
            }
        }
    }
}
