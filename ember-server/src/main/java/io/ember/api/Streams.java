package io.ember.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Stream helpers for bodies that must not be held in memory. */
final class Streams {
    private Streams() {}

    /** Ends a committed answer abnormally (connection closed without the final chunk). */
    static void abort(Context ctx, Throwable cause) {
        try {
            org.eclipse.jetty.server.Request.getBaseRequest(ctx.req()).getHttpChannel().abort(cause);
        } catch (RuntimeException e) {
            // The connection is already gone.
        }
    }

    /** Counts the bytes read, and remembers whether reading failed (the client went away mid-upload). */
    static final class Counting extends InputStream {
        private final InputStream in;
        long count;
        IOException failure;

        Counting(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = in.read(b, off, len);
                if (n > 0) count += n;
                return n;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /**
     * Sets the status and content type only when the first byte is written, so an error raised
     * before any output can still become a proper error answer.
     */
    static final class Lazy extends OutputStream {
        private final Context ctx;
        private final String contentType;
        private OutputStream out;

        Lazy(Context ctx, String contentType) {
            this.ctx = ctx;
            this.contentType = contentType;
        }

        OutputStream open() throws IOException {
            if (out == null) {
                ctx.res().setStatus(200);
                ctx.res().setContentType(contentType);
                out = ctx.res().getOutputStream();
            }
            return out;
        }

        @Override
        public void write(int b) throws IOException {
            open().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) open().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (out != null) out.flush();
        }
    }
}
