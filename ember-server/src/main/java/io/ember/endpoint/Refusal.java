package io.ember.endpoint;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.microvm.MicrovmException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpStatus;

/**
 * An answer the endpoint gives itself instead of the application's: the same typed JSON error body as
 * the control API ({@code __type}, {@code message}), so clients need one error parser.
 */
record Refusal(int status, String type, String message) {

    static Refusal badRequest(String message) {
        return new Refusal(400, "ValidationException", message);
    }

    static Refusal denied(String message) {
        return new Refusal(403, "AccessDeniedException", message);
    }

    static Refusal badGateway(String message) {
        return new Refusal(502, "BadGatewayException", message);
    }

    static Refusal of(MicrovmException e) {
        return switch (e.kind()) {
            case INVALID -> new Refusal(400, "ValidationException", e.getMessage());
            case NOT_FOUND -> new Refusal(404, "ResourceNotFoundException", e.getMessage());
            case CONFLICT -> new Refusal(409, "ConflictException", e.getMessage());
            case QUOTA_EXCEEDED -> new Refusal(503, "ServiceQuotaExceededException", e.getMessage());
            case INSUFFICIENT_CAPACITY -> new Refusal(503, "InsufficientCapacityException", e.getMessage());
            case INTERNAL -> new Refusal(500, "InternalServerException", e.getMessage());
        };
    }

    /** The typed JSON body, as HTTP/1.1 and HTTP/2 answers carry it. */
    byte[] body() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("__type", type).put("message", message);
        return (body + "\n").getBytes(StandardCharsets.UTF_8);
    }

    void write(OutputStream out, boolean close) throws IOException {
        byte[] bytes = body();
        String head = "HTTP/1.1 " + status + " " + HttpStatus.getMessage(status) + "\r\n"
                + "Content-Type: application/json\r\n"
                + "x-amzn-ErrorType: " + type + "\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }
}
