package dev.baton.transport.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.deser.std.UntypedObjectDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;

/**
 * Plain JSON values with decimals read as they were written: a Double when the Double prints as the same text, else
 * an exact BigDecimal, so an amount with more digits than a Double holds is not rounded on the wire. The rule of the
 * JSON module's readers and of the JDBC store (this module depends on neither).
 */
final class ExactDecimals extends UntypedObjectDeserializer {

    private static final long serialVersionUID = 1L;

    /** The module that reads every untyped value ({@code Object}, and map and list elements) this way. */
    static final SimpleModule MODULE = new SimpleModule("baton-exact-decimals")
            .addDeserializer(Object.class, new ExactDecimals());

    private ExactDecimals() {
        super((JavaType) null, (JavaType) null);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
            String text = p.getText();
            double d = p.getDoubleValue();
            return Double.isFinite(d) && Double.toString(d).equals(text) ? (Object) d : p.getDecimalValue();
        }
        return super.deserialize(p, ctxt);
    }
}
