package io.ember.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The endpoint's HTTP head parser, which reads what any client and any guest application sends. Properties: a head
 * is parsed or refused with {@link HttpHead.Malformed} (its framing too), never another exception; no more than
 * {@link HttpHead#MAX_BYTES} (and the byte that passes it) is read; a parsed head written out reads back the same.
 */
class HttpHeadFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyHead(byte[] bytes) throws IOException {
        Counting in = new Counting(bytes);
        HttpHead head;
        try {
            head = HttpHead.read(in);
        } catch (HttpHead.Malformed refused) {
            assertThat(in.read).isLessThanOrEqualTo(HttpHead.MAX_BYTES + 1);
            return;
        }
        assertThat(in.read).isLessThanOrEqualTo(HttpHead.MAX_BYTES);
        if (head == null) {
            assertThat(bytes).isEmpty();
            return;
        }
        framings(head);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        head.write(out);
        HttpHead again = HttpHead.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(again.startLine).isEqualTo(head.startLine);
        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        again.write(out2);
        assertThat(out2.toByteArray()).isEqualTo(out.toByteArray());
    }

    /** Found by this fuzz test (crash-empty-transfer-encoding): a Transfer-Encoding listing no coding threw. */
    @Test
    void transferEncodingThatListsNoCodingIsNotChunked() throws IOException {
        HttpHead request = HttpHead.read(new ByteArrayInputStream(
                "POST / HTTP/1.1\r\nTransfer-Encoding: ,\r\nTransfer-Encoding:\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        assertThatThrownBy(request::requestFraming).isInstanceOf(HttpHead.Malformed.class)
                .hasMessage("a Transfer-Encoding other than chunked");
        HttpHead response = HttpHead.read(new ByteArrayInputStream(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: , \r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(response.responseFraming("GET", 200)).isEqualTo(HttpHead.Framing.UNTIL_CLOSE);
    }

    private static void framings(HttpHead head) {
        try {
            head.requestFraming();
        } catch (HttpHead.Malformed refused) {
            // typed: the proxy answers 400
        }
        for (String method : new String[] {"GET", "HEAD"}) {
            for (int status : new int[] {101, 200, 204, 304, 404}) {
                try {
                    head.responseFraming(method, status);
                } catch (HttpHead.Malformed refused) {
                    // typed: the proxy answers 502
                }
            }
        }
    }

    /** Counts what the parser took, so that its bound can be checked. */
    private static final class Counting extends InputStream {
        private final ByteArrayInputStream in;
        int read;

        Counting(byte[] b) {
            in = new ByteArrayInputStream(b);
        }

        @Override
        public int read() {
            int c = in.read();
            if (c >= 0) read++;
            return c;
        }
    }
}
