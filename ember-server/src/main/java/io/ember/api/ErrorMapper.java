package io.ember.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.microvm.MicrovmException;
import io.ember.secrets.SecretsException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become answers: REST-JSON as the AWS clients parse them (status, header
 * {@code X-Amzn-ErrorType}, body {@code {"__type", "message", ...}}), never a stack trace.
 */
final class ErrorMapper {
    static final String ERROR_TYPE_HEADER = "X-Amzn-ErrorType";
    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {}

    static void install(Javalin app) {
        app.exception(Exception.class, (e, ctx) -> send(ctx, translate(e, ctx)));
        // No route matched: Javalin answers 404/405 itself, without going through the exception handler.
        for (HttpStatus status : new HttpStatus[] {HttpStatus.NOT_FOUND, HttpStatus.METHOD_NOT_ALLOWED}) {
            app.error(status, ctx -> {
                if (ctx.res().getHeader(ERROR_TYPE_HEADER) == null) {
                    send(ctx, ApiException.unknownOperation(ctx.method().name(), ctx.path()));
                }
            });
        }
    }

    static ApiException translate(Exception e, Context ctx) {
        return switch (e) {
            case ApiException api -> api;
            case MicrovmException m -> fromMicrovm(m);
            case io.ember.tenant.TenantException t -> switch (t.kind()) {
                case INVALID -> ApiException.validation(t.getMessage());
                case NOT_FOUND -> ApiException.notFound(t.getMessage(), "Tenant", null);
                case CONFLICT -> ApiException.conflict(t.getMessage(), "Tenant", null);
            };
            case SecretsException s -> s.kind() == SecretsException.Kind.NOT_FOUND
                    ? ApiException.notFound(s.getMessage(), s.resourceType(), s.resourceId())
                    : ApiException.validation(s.getMessage());
            case HttpResponseException h -> fromJavalin(h, ctx);
            default -> {
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                yield ApiException.internal("internal error (" + e.getClass().getSimpleName() + "); see the server log");
            }
        };
    }

    static ApiException fromMicrovm(MicrovmException m) {
        return switch (m.kind()) {
            case INVALID -> ApiException.validation(m.getMessage());
            case NOT_FOUND -> ApiException.notFound(m.getMessage(), m.resourceType(), m.resourceId());
            case CONFLICT -> ApiException.conflict(m.getMessage(), m.resourceType(), m.resourceId());
            case QUOTA_EXCEEDED -> ApiException.quotaExceeded(m.getMessage(), "Quota".equals(m.resourceType()) ? m.resourceId() : null);
            case INSUFFICIENT_CAPACITY -> new ApiException("InsufficientCapacityException", 500, m.getMessage(), Map.of());
            case INTERNAL -> ApiException.internal(m.getMessage());
        };
    }

    private static ApiException fromJavalin(HttpResponseException h, Context ctx) {
        if (h.getStatus() == HttpStatus.NOT_FOUND.getCode() || h.getStatus() == HttpStatus.METHOD_NOT_ALLOWED.getCode()) {
            return ApiException.unknownOperation(ctx.method().name(), ctx.path());
        }
        if (h.getStatus() >= 500) return ApiException.internal(h.getMessage());
        return new ApiException("ValidationException", 400, h.getMessage(), Map.of());
    }

    static void send(Context ctx, ApiException e) {
        if (ctx.res().isCommitted()) {
            // Bytes of a 200 answer are out (a streamed file): cut the connection so the client sees a failure.
            log.warn("{} {} failed after the answer started: {}", ctx.method(), ctx.path(), e.getMessage());
            Streams.abort(ctx, e);
            return;
        }
        // A download that failed before its first flush has bytes in the buffer: they must not precede the error.
        ctx.res().resetBuffer();
        ObjectNode body = Json.object();
        body.put("__type", e.type());
        body.put("message", e.getMessage());
        e.fields().forEach(body::put);
        ctx.header(ERROR_TYPE_HEADER, e.type());
        Json.send(ctx, e.status(), body);
    }
}
