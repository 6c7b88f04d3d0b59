package io.ember.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors Jetty answers before a request reaches the router (unparseable requests, bad
 * percent-encoding) in the same REST-JSON form as every other error, never an HTML page.
 */
final class JettyErrors extends ErrorHandler {

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        String type = status >= 500 ? "InternalServerException" : "ValidationException";
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(new HttpField(ErrorMapper.ERROR_TYPE_HEADER, type));
        return ByteBuffer.wrap(body(type, "bad HTTP request: " + (reason == null ? "status " + status : reason)));
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        int status = response.getStatus();
        String type = status == 404 ? "UnknownOperationException"
                : status >= 500 ? "InternalServerException" : "ValidationException";
        response.setContentType("application/json");
        response.setHeader(ErrorMapper.ERROR_TYPE_HEADER, type);
        response.getOutputStream().write(body(type, "HTTP error " + status));
        baseRequest.setHandled(true);
    }

    private static byte[] body(String type, String message) {
        var o = Json.object().put("__type", type).put("message", message);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }
}
