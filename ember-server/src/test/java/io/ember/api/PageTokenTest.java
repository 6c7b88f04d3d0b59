package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PageTokenTest {
    @Test
    void shouldRoundTripPositions() {
        for (long p : new long[] {0, 1, 49, 1L << 40}) {
            String t = PageToken.encode("microvms", p);
            assertThat(t).matches("[A-Za-z0-9_-]+");
            assertThat(PageToken.decode("microvms", t)).isEqualTo(p);
        }
        assertThat(PageToken.decode("microvms", null)).isZero();
    }

    @Test
    void shouldRefuseTokensThatAreNotOurs() {
        String images = PageToken.encode("images", 3);
        for (String bad : new String[] {"", "!!!", "bWljcm92bXM6LTE", "bWljcm92bXM6eA", images, "x".repeat(300)}) {
            assertThatThrownBy(() -> PageToken.decode("microvms", bad)).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.type()).isEqualTo("ValidationException");
                        assertThat(e.getMessage()).contains("nextToken");
                    });
        }
    }
}
