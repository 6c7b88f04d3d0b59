package io.ember.cli;

import io.ember.sdk.EmberException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import picocli.CommandLine;

/** Maps what a command threw to a message and an exit code, the way the AWS CLI does. */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    static final int SERVICE_ERROR = 254;
    static final int OTHER_ERROR = 255;

    private final EmberCommand root;

    Failures(EmberCommand root) {
        this.root = root;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        var err = root.io().err();
        if (e instanceof EmberException ee) {
            err.println("An error occurred (" + ee.errorType() + "): " + ee.getMessage());
            return SERVICE_ERROR;
        }
        if (e instanceof UncheckedIOException u && (u.getCause() instanceof ConnectException
                || u.getCause() instanceof HttpConnectTimeoutException)) {
            err.println("Could not connect to the endpoint URL: \"" + root.endpoint() + "\"");
            return OTHER_ERROR;
        }
        if (e instanceof UncheckedIOException u && u.getCause() instanceof HttpTimeoutException) {
            err.println("Read timeout on endpoint URL: \"" + root.endpoint() + "\"");
            return OTHER_ERROR;
        }
        Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        err.println(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        return OTHER_ERROR;
    }
}
