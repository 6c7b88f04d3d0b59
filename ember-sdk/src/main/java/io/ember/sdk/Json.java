package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/** The SDK's one ObjectMapper: lenient on unknown fields (newer servers), nulls left out of requests. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS))
            .addModule(new SimpleModule("ember-sdk").addDeserializer(Instant.class, new EpochSeconds()))
            .build();

    private Json() {}

    /** REST-JSON timestamps: epoch seconds with a fraction; ISO-8601 strings are accepted too. */
    static final class EpochSeconds extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                String text = p.getText().trim();
                try {
                    return Instant.parse(text);
                } catch (RuntimeException notIso) {
                    return fromSeconds(parseDecimal(p, ctxt, text));
                }
            }
            if (p.currentToken().isNumeric()) return fromSeconds(p.getDecimalValue());
            return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
        }

        private static BigDecimal parseDecimal(JsonParser p, DeserializationContext ctxt, String text) throws IOException {
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw ctxt.weirdStringException(text, Instant.class, "not a timestamp");
            }
        }

        static Instant fromSeconds(BigDecimal seconds) {
            long whole = seconds.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
            int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
            return Instant.ofEpochSecond(whole, nanos);
        }
    }
}
