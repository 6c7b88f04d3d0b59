package io.ember.api;

import io.ember.endpoint.AuthTokens;
import io.ember.metering.Metering;
import io.ember.metering.PriceTable;
import io.ember.microvm.Microvms;
import io.javalin.Javalin;
import java.util.UUID;
import java.util.function.BiFunction;
import org.eclipse.jetty.http.UriCompliance;

/**
 * The HTTP surface: the Lambda MicroVMs operations (/2025-09-09) and Ember's extensions
 * (/ember/v1). Handlers parse and validate into lifecycle actions and translate results; every
 * error leaves through {@link ErrorMapper}. {@code endpointUrl} maps (microvmId, host the caller used) to
 * the microVM's endpoint URL. SigV4 signatures are accepted unverified for now.
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

    /** A configured, not yet started Javalin app; {@code images} null leaves the built-image operations out. */
    public static Javalin create(Microvms microvms, io.ember.image.Images images, AuthTokens tokens,
                                 BiFunction<String, String, String> endpointUrl) {
        return create(microvms, images, tokens, endpointUrl,
                new Metering(microvms::usage, PriceTable.defaults(), java.time.Clock.systemUTC()));
    }

    /** As above, with the usage extension answering from {@code metering}. */
    public static Javalin create(Microvms microvms, io.ember.image.Images images, AuthTokens tokens,
                                 BiFunction<String, String, String> endpointUrl, Metering metering) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.useVirtualThreads = true; // exec streams and uploads hold a thread for their whole length
            config.http.disableCompression(); // compression buffers, and streamed answers must not wait
            config.http.maxRequestSize = Json.MAX_BODY_BYTES;
            // AWS clients percent-encode ARNs in paths (%2F, %3A): let them reach the router.
            config.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(UriCompliance.LEGACY));
            config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
        });
        app.before(ctx -> ctx.header(REQUEST_ID_HEADER, UUID.randomUUID().toString()));
        new MicrovmRoutes(microvms, endpointUrl).register(app);
        new ImageRoutes(microvms).register(app);
        new AuthTokenRoutes(microvms, tokens).register(app);
        new ExecRoutes(microvms).register(app);
        new ShellRoutes(microvms, tokens).register(app);
        new FileRoutes(microvms).register(app);
        if (images != null) {
            new MicrovmImageRoutes(images).register(app);
            new BuildExtensionRoutes(images).register(app);
        }
        new TagRoutes(microvms, images).register(app);
        new UsageRoutes(metering).register(app);
        HealthRoutes.register(app);
        OpenApiRoutes.register(app);
        ErrorMapper.install(app);
        return app;
    }
}
