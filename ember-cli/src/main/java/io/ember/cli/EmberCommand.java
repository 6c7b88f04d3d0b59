package io.ember.cli;

import io.ember.sdk.CredentialsChain;
import io.ember.sdk.EmberClient;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

@Command(name = "ember", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "ember 0.1.0",
        description = "Self-hosted microVM sandboxes: the aws lambda-microvms verbs (microVMs and images), exec and files, tenants, keys,"
                + " secrets, roles, events and usage, and the server. Requests are signed with keys from the environment or a profile.",
        subcommands = {
                MicrovmCommands.Run.class, MicrovmCommands.Get.class, MicrovmCommands.ListVms.class,
                MicrovmCommands.Terminate.class, MicrovmCommands.Suspend.class, MicrovmCommands.Resume.class,
                MicrovmCommands.ListImages.class, MicrovmCommands.ListImageVersions.class,
                ImageBuildCommands.Create.class, ImageBuildCommands.Update.class, ImageCommands.Get.class,
                ImageCommands.ListImages.class, ImageCommands.Delete.class, ImageCommands.GetVersion.class,
                ImageCommands.ListVersions.class, ImageCommands.UpdateVersion.class, ImageCommands.DeleteVersion.class,
                ImageCommands.ListBuilds.class, ImageCommands.GetBuild.class, ImageCommands.BuildLog.class,
                MicrovmCommands.Health.class, ExecCommand.class, AuthTokenCommand.class,
                ShellCommands.CreateToken.class, ShellCommands.Open.class,
                FileCommands.Cp.class, FileCommands.Ls.class, FileCommands.Mkdir.class, FileCommands.Rm.class,
                TagCommands.Tag.class, TagCommands.Untag.class, TagCommands.ListTags.class,
                TenantCommands.WhoAmI.class, TenantCommands.Shutdown.class, TenantCommands.Create.class, TenantCommands.ListTenants.class,
                TenantCommands.Get.class, TenantCommands.Update.class, TenantCommands.Delete.class,
                TenantCommands.CreateKey.class, TenantCommands.ListKeys.class, TenantCommands.DeleteKey.class,
                SecretCommands.Put.class, SecretCommands.ListSecrets.class, SecretCommands.Get.class, SecretCommands.Delete.class,
                SecretCommands.PutRole.class, SecretCommands.ListRoles.class, SecretCommands.GetRole.class,
                SecretCommands.DeleteRole.class, NetworkConnectorCommands.class, EventCommands.ListEvents.class, EventCommands.GetUsage.class,
                ServerCommand.class, EndpointCaCommand.class, McpCommand.class, CompletionCommand.class,
        })
final class EmberCommand implements Callable<Integer> {
    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:8080";

    enum Format { json, text, table }

    private final Main.Io io;

    @Spec CommandSpec spec;

    @Option(names = "--endpoint-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Ember server (default: $EMBER_ENDPOINT, else " + DEFAULT_ENDPOINT + ").")
    String endpointUrl;

    @Option(names = "--output", scope = ScopeType.INHERIT, paramLabel = "json|text|table",
            description = "Output format (default json; ls defaults to a listing).")
    Format output;

    @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Sign with this profile's keys (~/.aws/credentials, ~/.aws/config, then $EMBER_DATA_DIR/credentials)"
                    + " instead of AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (default: $AWS_PROFILE, else default, else ember-admin).")
    String profile;

    @Option(names = "--region", scope = ScopeType.INHERIT, paramLabel = "REGION",
            description = "Region in the signature (default: $AWS_REGION, the profile's region, else local; Ember accepts any). "
                    + "For `server`: the region in every ARN it answers (default us-east-1).")
    String region;

    EmberCommand(Main.Io io) {
        this.io = io;
    }

    Main.Io io() {
        return io;
    }

    String endpoint() {
        if (endpointUrl != null) return endpointUrl;
        String env = io.env().get("EMBER_ENDPOINT");
        return env == null || env.isBlank() ? DEFAULT_ENDPOINT : env;
    }

    EmberClient client() {
        try {
            CredentialsChain chain = CredentialsChain.of(io.env()).withProfile(profile);
            return EmberClient.builder().endpoint(URI.create(endpoint())).credentialsProvider(chain)
                    .region(region != null && !region.isBlank() ? region : chain.region()).build();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid endpoint URL: " + endpoint());
        }
    }

    Format format(Format fallback) {
        return output == null ? fallback : output;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(io.err());
        return 2;
    }
}
