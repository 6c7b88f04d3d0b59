package io.ember.api;

import io.ember.auth.SigV4;
import io.ember.auth.SignatureRejected;
import io.ember.auth.SignedRequest;
import io.ember.tenant.Quotas;
import io.ember.tenant.RequestRates;
import io.ember.tenant.Tenants;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every request but the health check and the OpenAPI document is signed with AWS Signature Version 4 by
 * a tenant's active access key, as the official clients sign ("lambda" is the service in the credential
 * scope; any region). The JSON body is read here (bounded) to check its hash and kept for the handler;
 * bodies that stream (file and code uploads) are signed as UNSIGNED-PAYLOAD instead, as S3 allows, since
 * their hash could only be known at their end. A signature that changes state is accepted once (replay guard, per
 * tenant, kept in the store), and every tenant's requests are rate limited (a token bucket per tenant).
 */
final class Authentication {
    static final String BODY_ATTRIBUTE = "ember.body";
    private static final String UNSIGNED = "UNSIGNED-PAYLOAD";
    private static final String SERVICE = "lambda";
    private static final Pattern SIGNATURE = Pattern.compile("Signature=([0-9a-f]{64})");
    private static final Pattern STREAMED = Pattern.compile(
            "PUT /ember/v1/microvms/[^/]+/files|POST " + Pattern.quote(BuildExtensionRoutes.UPLOADS));

    private final Tenants tenants;
    private final Quotas defaults;
    private final RequestRates rates = new RequestRates();
    private final Clock clock;

    Authentication(Tenants tenants, Quotas defaults, Clock clock) {
        this.tenants = tenants;
        this.defaults = defaults;
        this.clock = clock;
    }

    void install(Javalin app) {
        app.before(this::verify);
    }

    private void verify(Context ctx) {
        if (exempt(ctx)) return;
        try {
            Instant now = clock.instant();
            String payloadHash = payloadHash(ctx);
            SignedRequest request = new SignedRequest(ctx.req().getMethod(), ctx.req().getRequestURI(),
                    ctx.req().getQueryString(), headers(ctx), payloadHash);
            // The key the signature was checked with names the caller: one lookup per request, from memory once cached.
            AtomicReference<Tenants.ActiveKey> key = new AtomicReference<>();
            SigV4.Signer signer = SigV4.verify(request, id -> tenants.activeKey(id).map(k -> {
                key.set(k);
                return k.secret();
            }), now);
            if (!signer.service().equals(SERVICE)) {
                throw new SignatureRejected("InvalidSignatureException", "the credential scope names service "
                        + signer.service() + "; Ember's is " + SERVICE);
            }
            Tenants.ActiveKey k = key.get();
            // Only once the signature holds: a forged request naming another tenant's key must not spend its tokens.
            throttle(ctx, k.tenantId());
            Matcher m = SIGNATURE.matcher(ctx.header("Authorization"));
            if (changesState(ctx) && !isUpload(ctx) && m.find()) tenants.replayGuard().check(k.tenantId(), m.group(1), now);
            tenants.used(k.id());
            ctx.attribute(Caller.ATTRIBUTE, new Caller(k.tenantId(), k.id(), k.admin()));
        } catch (SignatureRejected e) {
            throw rejected(e);
        }
    }

    /** ThrottlingException (429, with Retry-After) when the tenant has no token left in its request bucket. */
    private void throttle(Context ctx, String tenantId) {
        Quotas q = tenants.effectiveQuotas(tenantId, defaults);
        rates.take(tenantId, q.requestsPerSecond(), q.requestBurst(), System.nanoTime()).ifPresent(refusal -> {
            ctx.header("Retry-After", String.valueOf((long) Math.ceil(refusal.retryAfterSeconds())));
            throw new ApiException("ThrottlingException", 429, "Rate exceeded: this tenant may send " + q.requestsPerSecond()
                    + " requests a second (bursts of " + q.requestBurst() + "); retry later", Map.of());
        });
    }

    /**
     * A code upload only adds an upload of the caller's, with an id of its own: never changes nor discloses anything
     * that exists. Its body is UNSIGNED-PAYLOAD, so two uploads a client sends in one second (curl, a script) carry one
     * signature, and refusing the second as a replay refused an upload the client meant. So uploads are not replay
     * checked, as S3 accepts an UNSIGNED-PAYLOAD PUT again within its signature's validity; what a repeat can cost is
     * bounded by the tenant's upload quotas and request rate. A file PUT into a microVM stays checked: with an unsigned
     * body, a captured signature would otherwise let its holder write other bytes over the tenant's file.
     */
    private static boolean isUpload(Context ctx) {
        return ctx.method() == HandlerType.POST && ctx.path().equals(BuildExtensionRoutes.UPLOADS);
    }

    /**
     * Requests that change something are accepted once. Reads may repeat within the skew window, as AWS allows: a
     * client that signs no per-attempt id (curl) gives two identical reads in one second one signature.
     */
    private static boolean changesState(Context ctx) {
        return ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD;
    }

    private static boolean exempt(Context ctx) {
        if (ctx.method() == HandlerType.OPTIONS) return false;
        String p = ctx.path();
        return ctx.method() == HandlerType.GET && (p.equals("/ember/v1/health") || p.equals(OpenApiRoutes.PATH));
    }

    private static String payloadHash(Context ctx) {
        String declared = ctx.header("x-amz-content-sha256");
        if (STREAMED.matcher(ctx.method().name() + " " + ctx.path()).matches()) {
            if (UNSIGNED.equals(declared)) return UNSIGNED;
            if (ctx.req().getContentLengthLong() == 0 || declared == null && ctx.req().getContentLengthLong() < 0
                    && ctx.header("Transfer-Encoding") == null) {
                return SigV4.sha256Hex(new byte[0]);
            }
            throw new SignatureRejected("IncompleteSignatureException", "a streamed body is signed with "
                    + "x-amz-content-sha256: " + UNSIGNED + " (its hash cannot be known before it ends)");
        }
        byte[] body = Json.readBounded(ctx);
        ctx.attribute(BODY_ATTRIBUTE, body);
        String actual = SigV4.sha256Hex(body);
        if (declared != null && !declared.equalsIgnoreCase(actual)) {
            throw new SignatureRejected("InvalidSignatureException", "x-amz-content-sha256 is not the SHA-256 of the body");
        }
        return actual;
    }

    private static Map<String, List<String>> headers(Context ctx) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            out.put(name, new ArrayList<>(Collections.list(ctx.req().getHeaders(name))));
        }
        return out;
    }

    private static ApiException rejected(SignatureRejected e) {
        int status = switch (e.code()) {
            case "ThrottlingException" -> 429;
            case "IncompleteSignatureException" -> 400;
            default -> 403;
        };
        return new ApiException(e.code(), status, e.getMessage(), Map.of());
    }
}
