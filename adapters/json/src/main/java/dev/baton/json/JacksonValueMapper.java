package dev.baton.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.baton.ValueMapper;

import java.io.IOException;
import java.util.Objects;

/**
 * A {@link ValueMapper} that turns records, beans and other Java objects into plain JSON values with Jackson, so
 * handlers may return their own types. Default typing stays off: no type names are read or written. The value is
 * written as JSON text and read back, so the result holds JSON values only (bytes become base64 text, as Jackson
 * writes them); what JSON cannot hold (NaN, infinities, nesting beyond 1,000 levels or a value that contains itself)
 * and numbers past the bounds {@link PlanJson} reads (1,000 digits, a scale within plus or minus 1,000) are an
 * {@link IllegalArgumentException}. Thread-safe.
 */
public final class JacksonValueMapper implements ValueMapper {

    private final ObjectMapper mapper;
    // NaN would otherwise be written as the string "NaN": a number silently turned into text
    private final ObjectWriter writer;

    /** A mapper with Baton's bounded Jackson configuration. */
    public JacksonValueMapper() {
        this(JsonSupport.mapper(JsonSupport.factory(Long.MAX_VALUE, 1_000, Integer.MAX_VALUE)));
    }

    // package-private: no public signature of Baton names a Jackson type
    JacksonValueMapper(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.writer = mapper.writer().without(JsonWriteFeature.WRITE_NAN_AS_STRINGS);
    }

    @Override
    public Object toJson(Object value) {
        String text;
        try {
            text = writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        }
        try (JsonParser p = mapper.getFactory().createParser(text)) {
            return JsonSupport.readTree(p);
        } catch (JsonProcessingException e) {
            // the text Jackson wrote is not JSON: a non-finite number
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("reading a string failed", e);
        }
    }
}
