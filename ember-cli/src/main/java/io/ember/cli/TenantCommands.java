package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.Quotas;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Tenants and their access keys (admin only), and whoami (anyone). */
final class TenantCommands {
    private TenantCommands() {}

    static final String QUOTAS_HELP = "JSON or shorthand: maxRunningMicrovms=10,maxRunningVcpus=20,maxRunningMemoryInMiB=16384,"
            + "maxSuspendedMicrovms=50,maxSuspendedBytes=10737418240,requestsPerSecond=100,requestBurst=200,maxUploads=10,"
            + "maxUploadBytes=1073741824 (absent: the server's default)";

    @Command(name = "whoami", description = "Print who signs: tenant, name, access key, and whether it is the admin.")
    static final class WhoAmI implements Callable<Integer> {
        @ParentCommand EmberCommand root;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.whoami(), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "shutdown", description = "Terminate every microVM of every tenant and make the server refuse new work "
            + "until it is stopped (admin only; bin/ember stop-server runs this, then stops the process).")
    static final class Shutdown implements Callable<Integer> {
        @ParentCommand EmberCommand root;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.shutdown(), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "create-tenant", description = "Create a tenant (admin only); then give it a key with create-access-key.")
    static final class Create implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        @Option(names = "--quotas", paramLabel = "JSON", description = QUOTAS_HELP) String quotas;

        @Override
        public Integer call() {
            Quotas q = quotas == null ? null : MicrovmCommands.parse(spec, "--quotas", () -> Shorthand.object(quotas, Quotas.class));
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.createTenant(name, q), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "list-tenants", description = "List tenants (admin only), all pages unless --max-items.")
    static final class ListTenants implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin MicrovmCommands.Paging paging;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Object result = paging.collect("tenants", (size, token) -> {
                    var page = c.listTenants(size, token);
                    return new MicrovmCommands.Page(page.tenants(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "get-tenant", description = "Describe a tenant and its quotas (admin only).")
    static final class Get implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--tenant-id", required = true, paramLabel = "ID") String tenantId;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.getTenant(tenantId), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "update-tenant", description = "Set a tenant's quotas (admin only); quotas left out go back to the server's default.")
    static final class Update implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--tenant-id", required = true, paramLabel = "ID") String tenantId;
        @Option(names = "--quotas", required = true, paramLabel = "JSON", description = QUOTAS_HELP) String quotas;

        @Override
        public Integer call() {
            Quotas q = MicrovmCommands.parse(spec, "--quotas", () -> Shorthand.object(quotas, Quotas.class));
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.updateTenant(tenantId, q), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "delete-tenant", description = "Delete a tenant and revoke its keys (admin only).")
    static final class Delete implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--tenant-id", required = true, paramLabel = "ID") String tenantId;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                c.deleteTenant(tenantId);
            }
            return 0;
        }
    }

    @Command(name = "create-access-key", description = {"Create an access key for a tenant (admin only).",
            "The secret is printed this once and can never be read again: store it (e.g. in ~/.aws/credentials)."})
    static final class CreateKey implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--tenant-id", required = true, paramLabel = "ID") String tenantId;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Output.print(root.io().out(), c.createAccessKey(tenantId), root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "list-access-keys", description = "List a tenant's access keys, without secrets (admin only).")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin MicrovmCommands.Paging paging;
        @Option(names = "--tenant-id", required = true, paramLabel = "ID") String tenantId;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                Object result = paging.collect("accessKeys", (size, token) -> {
                    var page = c.listAccessKeys(tenantId, size, token);
                    return new MicrovmCommands.Page(page.accessKeys(), page.nextToken());
                });
                Output.print(root.io().out(), result, root.format(EmberCommand.Format.json));
            }
            return 0;
        }
    }

    @Command(name = "delete-access-key", description = "Revoke an access key at once (admin only).")
    static final class DeleteKey implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--tenant-id", required = true, paramLabel = "ID") String tenantId;
        @Option(names = "--access-key-id", required = true, paramLabel = "KEY") String accessKeyId;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                c.deleteAccessKey(tenantId, accessKeyId);
            }
            return 0;
        }
    }
}
