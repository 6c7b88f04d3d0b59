package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TagOperationsTest {
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:microvm:mvm-0123456789abcdef01234567";
    static final String RAW = "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Amicrovm%3Amvm-0123456789abcdef01234567";

    @RegisterExtension
    final Stub stub = Stub.started();
    private final EmberClient client = stub.client();

    @Test
    void tagResource_postsCapitalisedTagsToTheEncodedArn() throws Exception {
        stub.capture("POST", RAW, 204, "");
        client.tagResource(ARN, Map.of("team", "a b"));
        assertThat(Json.MAPPER.readTree(stub.bodyOf("POST", RAW)).toString()).isEqualTo("{\"Tags\":{\"team\":\"a b\"}}");
    }

    @Test
    void untagResource_repeatsTagKeysInTheQuery() {
        stub.json("DELETE", RAW, 204, "");
        client.untagResource(ARN, List.of("team", "a&b"));
        assertThat(stub.last().rawQuery()).isEqualTo("tagKeys=team&tagKeys=a%26b");
    }

    @Test
    void listTags_returnsTheMapSortedAndEmptyWhenNone() {
        stub.json("GET", RAW, 200, "{\"Tags\":{\"z\":\"1\",\"a\":\"\"}}");
        assertThat(client.listTags(ARN)).containsExactly(Map.entry("a", ""), Map.entry("z", "1"));
        stub.json("GET", RAW, 200, "{}");
        assertThat(client.listTags(ARN)).isEmpty();
    }

    @Test
    void errorsAreTyped() {
        stub.on("POST", RAW, ex -> Stub.error(ex, 400, "ValidationException", "Tags: tag key 'aws:x' uses the reserved prefix aws:"));
        stub.on("GET", RAW, ex -> Stub.error(ex, 404, "ResourceNotFoundException", "microVM mvm-0123456789abcdef01234567 not found"));
        assertThatThrownBy(() -> client.tagResource(ARN, Map.of("aws:x", "v"))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("aws:");
        assertThatThrownBy(() -> client.listTags(ARN)).isInstanceOf(ResourceNotFoundException.class);
    }
}
