package io.ember.sdk;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;

/** Permission bits arrive as a number (420) or an octal string ("0644"); both become an int. */
final class FileMode extends JsonDeserializer<Integer> {
    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            String text = p.getText().trim();
            try {
                return Integer.parseInt(text, 8);
            } catch (NumberFormatException e) {
                throw ctxt.weirdStringException(text, Integer.class, "not an octal file mode");
            }
        }
        return p.getIntValue();
    }

    /** The query-string form the files API takes: {@code 0644}. */
    static String octal(int mode) {
        if (mode < 0 || mode > 07777) throw new IllegalArgumentException("file mode out of range: " + Integer.toOctalString(mode));
        return String.format("%04o", mode);
    }
}
