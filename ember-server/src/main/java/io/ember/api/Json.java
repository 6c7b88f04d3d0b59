package io.ember.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;

/** Reading JSON request bodies (bounded, strict syntax, lenient on unknown fields) and writing answers. */
final class Json {
    /** JSON bodies are small; file uploads do not go through here and have no limit. */
    static final int MAX_BODY_BYTES = 1 << 20;

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {}

    /** The body as a JSON object; an empty body is {}. ValidationException for anything else. */
    static ObjectNode body(Context ctx) {
        byte[] bytes = readBounded(ctx);
        if (bytes.length == 0) return MAPPER.createObjectNode();
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.validation("malformed JSON in the request body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.validation("unreadable request body: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) return MAPPER.createObjectNode();
        if (!(node instanceof ObjectNode o)) throw ApiException.validation("the request body must be a JSON object");
        return o;
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static void send(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an answer", e);
        }
    }

    static void ok(Context ctx, JsonNode body) {
        send(ctx, 200, body);
    }

    /** REST-JSON timestamps: epoch seconds with a millisecond fraction. */
    static BigDecimal epochSeconds(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli(), 3);
    }

    /** The body, at most MAX_BODY_BYTES; read once (the signature check reads it first and keeps it). */
    static byte[] readBounded(Context ctx) {
        byte[] kept = ctx.attribute(Authentication.BODY_ATTRIBUTE);
        if (kept != null) return kept;
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BODY_BYTES) throw tooLarge();
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
            return bytes;
        } catch (IOException e) {
            throw ApiException.validation("unreadable request body: " + e.getMessage());
        }
    }

    private static ApiException tooLarge() {
        return ApiException.validation("the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }
}
