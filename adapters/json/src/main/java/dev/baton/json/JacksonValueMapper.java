package dev.baton.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.ValueMapper;

import java.util.Objects;

/**
 * A {@link ValueMapper} that turns records, beans and other Java objects into plain JSON values with Jackson, so
 * handlers may return their own types. Default typing stays off: no type names are read or written. Thread-safe.
 */
public final class JacksonValueMapper implements ValueMapper {

    private final ObjectMapper mapper;

    /** A mapper with Baton's bounded Jackson configuration. */
    public JacksonValueMapper() {
        this(JsonSupport.mapper(JsonSupport.factory(Long.MAX_VALUE, 1_000, Integer.MAX_VALUE)));
    }

    // package-private: no public signature of Baton names a Jackson type
    JacksonValueMapper(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public Object toJson(Object value) {
        return mapper.convertValue(value, Object.class);
    }
}
