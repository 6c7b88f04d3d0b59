package io.ember.api;

import io.ember.endpoint.AuthTokens;
import io.ember.metering.Metering;
import io.ember.tenant.Quotas;
import io.ember.tenant.Tenants;
import java.time.Clock;
import io.ember.microvm.Microvms;
import io.ember.secrets.Secrets;
import io.javalin.Javalin;
import java.util.UUID;
import java.util.function.BiFunction;
import org.eclipse.jetty.http.UriCompliance;

/**
 * The HTTP surface: the Lambda MicroVMs operations (/2025-09-09) and Ember's extensions
 * (/ember/v1). Handlers parse and validate into lifecycle actions and translate results; every
 * error leaves through {@link ErrorMapper}. {@code endpointUrl} maps (microvmId, host the caller used) to
 * the microVM's endpoint URL. Every call but the health check and the OpenAPI document is signed
 * (SigV4, {@link Authentication}) by a tenant's key, and answers only about that tenant's resources.
 */
public final class Api {
    static final String REQUEST_ID_HEADER = "x-amzn-RequestId";

    private Api() {}

    /** "METHOD /path" of every HTTP and WebSocket route {@code app} answers, for diagnostics and the OpenAPI check. */
    public static java.util.List<String> routes(Javalin app) {
        var router = app.unsafeConfig().pvt.internalRouter;
        java.util.List<String> out = new java.util.ArrayList<>();
        router.allHttpHandlers().forEach(h -> out.add(h.getEndpoint().getMethod().name() + " " + h.getEndpoint().getPath()));
        router.allWsHandlers().forEach(h -> out.add("WEBSOCKET " + h.getPath()));
        return out;
    }

    /**
     * What the API answers from. {@code images} null leaves the built-image operations out; {@code endpointUrl} maps
     * (microvmId, host the caller used) to the microVM's endpoint URL; {@code secrets} null leaves secrets and roles out.
     */
    public record Services(Microvms microvms, io.ember.image.Images images, AuthTokens tokens,
                           BiFunction<String, String, String> endpointUrl, Metering metering, Tenants tenants,
                           Quotas quotaDefaults, Secrets secrets, io.ember.connector.NetworkConnectors connectors,
                           io.ember.arn.Region region) {
        public Services {
            if (region == null) region = io.ember.arn.Region.DEFAULT;
        }

        /** In the default region. */
        public Services(Microvms microvms, io.ember.image.Images images, AuthTokens tokens,
                        BiFunction<String, String, String> endpointUrl, Metering metering, Tenants tenants,
                        Quotas quotaDefaults, Secrets secrets, io.ember.connector.NetworkConnectors connectors) {
            this(microvms, images, tokens, endpointUrl, metering, tenants, quotaDefaults, secrets, connectors, null);
        }

        /** Without tenant network connectors (only the managed ones). */
        public Services(Microvms microvms, io.ember.image.Images images, AuthTokens tokens,
                        BiFunction<String, String, String> endpointUrl, Metering metering, Tenants tenants,
                        Quotas quotaDefaults, Secrets secrets) {
            this(microvms, images, tokens, endpointUrl, metering, tenants, quotaDefaults, secrets, null, null);
        }
    }

    /** A configured, not yet started Javalin app. */
    public static Javalin create(Services s) {
        Microvms microvms = s.microvms();
        io.ember.image.Images images = s.images();
        AuthTokens tokens = s.tokens();
        Secrets secrets = s.secrets();
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.useVirtualThreads = true; // exec streams and uploads hold a thread for their whole length
            config.http.disableCompression(); // compression buffers, and streamed answers must not wait
            config.http.maxRequestSize = Json.MAX_BODY_BYTES;
            // AWS clients percent-encode ARNs in paths (%2F, %3A): let them reach the router.
            config.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(UriCompliance.LEGACY));
            config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
            config.jetty.modifyServletContextHandler(NoMethodOverride::install);
        });
        app.before(ctx -> ctx.header(REQUEST_ID_HEADER, UUID.randomUUID().toString()));
        new Authentication(s.tenants(), s.quotaDefaults(), Clock.systemUTC()).install(app);
        new ShutdownRoutes(microvms, s.tenants()).register(app); // its refusal of new work runs after authentication
        new TenantRoutes(s.tenants(), s.quotaDefaults(), s.region()).register(app);
        new EventRoutes(microvms).register(app);
        NetworkConnectorRoutes.registerErrors(app);
        if (s.connectors() != null) new NetworkConnectorRoutes(s.connectors(), s.region()).register(app);
        new MicrovmRoutes(microvms, s.endpointUrl(), s.secrets(), s.region()).register(app);
        new ImageRoutes(microvms, s.region()).register(app);
        new AuthTokenRoutes(microvms, tokens, s.region()).register(app);
        new ExecRoutes(microvms, secrets).register(app);
        if (secrets != null) new SecretRoutes(secrets, s.region()).register(app);
        new ToolRoutes(microvms, new io.ember.tools.Tools()).register(app);
        new ShellRoutes(microvms, tokens).register(app);
        new FileRoutes(microvms).register(app);
        if (images != null) {
            new MicrovmImageRoutes(images, s.region()).register(app);
            new BuildExtensionRoutes(images, s.tenants(), s.quotaDefaults()).register(app);
        }
        new TagRoutes(microvms, images, secrets).register(app);
        new UsageRoutes(s.metering()).register(app);
        HealthRoutes.register(app, s.region());
        OpenApiRoutes.register(app);
        ErrorMapper.install(app);
        return app;
    }
}
