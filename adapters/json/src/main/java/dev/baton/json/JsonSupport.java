package dev.baton.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Jackson plumbing shared by the readers and writers: bounded factories, an iterative tree reader, a writer. */
final class JsonSupport {

    /** Digits in one number; longer numbers are a limit problem, not a slow BigDecimal. */
    static final int MAX_NUMBER_LENGTH = 1_000;

    /**
     * How far a decimal's digits may sit from its decimal point: the {@link BigDecimal#scale() scale} its text gives
     * (fraction digits minus exponent) is within plus or minus this. The digit limit alone lets a few bytes such as
     * {@code 1e1000000} stand for a million-digit value that schema checks ({@code multipleOf}) expand, and an
     * exponent past an int ({@code 1e9999999999}) is no BigDecimal at all.
     */
    static final int MAX_SCALE = MAX_NUMBER_LENGTH;

    /**
     * Characters in one object key, however long the limits let a string value be (a smaller string limit is the key
     * limit too). It is Jackson's own default, kept on purpose: a factory keeps the distinct keys it has read,
     * thousands of them, in a table shared by the documents it reads, so keys as long as a string may be would keep
     * gigabytes alive after the reads.
     */
    static final int MAX_KEY_LENGTH = 50_000;

    private JsonSupport() {
    }

    /**
     * A factory with explicit read limits. Duplicate keys are rejected so that {@code "id"} cannot be given twice
     * with the last one silently winning.
     */
    static JsonFactory factory(long maxBytes, int maxDepth, int maxStringLength) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxDocumentLength(maxBytes)
                .maxNestingDepth(maxDepth)
                .maxStringLength(maxStringLength)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(Math.min(maxStringLength, MAX_KEY_LENGTH))
                .build();
        // Jackson keeps every distinct key a factory's parsers read in a table shared by its later parsers (up to
        // thousands of keys): with keys of up to 50,000 characters from untrusted documents, 3,000 plans with one
        // distinct key each left 157 MB held by the factory (308 MB read from bytes as well). Keys are not kept.
        return JsonFactory.builder()
                .streamReadConstraints(constraints)
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .build()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /** A mapper over the given factory; default typing is never enabled. */
    static ObjectMapper mapper(JsonFactory factory) {
        return JsonMapper.builder(factory).build();
    }

    /**
     * Reads one JSON document into plain Java values without recursion: objects become insertion-ordered maps,
     * integers the smallest of Integer/Long/BigInteger, and decimals a Double when the Double prints back as the same
     * text, else an exact BigDecimal.
     */
    static Object readTree(JsonParser p) throws IOException {
        try {
            return readValues(p);
        } catch (StreamConstraintsException e) {
            // the parser throws limit problems without a position; where the reader stood is the useful one
            throw new StreamConstraintsException(e.getOriginalMessage(),
                    e.getLocation() != null ? e.getLocation() : p.currentLocation());
        }
    }

    private static Object readValues(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "the document is empty");
        }
        ArrayDeque<Object> containers = new ArrayDeque<>();
        ArrayDeque<String> keys = new ArrayDeque<>();
        while (true) {
            Object value;
            switch (t) {
                case START_OBJECT -> {
                    containers.push(new LinkedHashMap<String, Object>());
                    t = p.nextToken();
                    continue;
                }
                case START_ARRAY -> {
                    containers.push(new ArrayList<>());
                    t = p.nextToken();
                    continue;
                }
                case FIELD_NAME -> {
                    keys.push(p.currentName());
                    t = p.nextToken();
                    continue;
                }
                case END_OBJECT, END_ARRAY -> value = containers.pop();
                case VALUE_STRING -> value = p.getText();
                case VALUE_NUMBER_INT -> value = switch (p.getNumberType()) {
                    case INT -> p.getIntValue();
                    case LONG -> p.getLongValue();
                    default -> p.getBigIntegerValue();
                };
                case VALUE_NUMBER_FLOAT -> value = decimal(p);
                case VALUE_TRUE -> value = Boolean.TRUE;
                case VALUE_FALSE -> value = Boolean.FALSE;
                case VALUE_NULL -> value = null;
                default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
            }
            if (containers.isEmpty()) {
                if (p.nextToken() != null) {
                    throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected content after the JSON value");
                }
                return value;
            }
            add(containers.peek(), keys, value);
            t = p.nextToken();
            if (t == null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void add(Object container, ArrayDeque<String> keys, Object value) {
        if (container instanceof Map<?, ?> m) {
            ((Map<String, Object>) m).put(keys.pop(), value);
        } else {
            ((List<Object>) container).add(value);
        }
    }

    private static Object decimal(JsonParser p) throws IOException {
        String text = p.getText();
        if (!scaleWithinLimit(text)) {
            throw new StreamConstraintsException("a number's exponent is beyond the limit of " + MAX_SCALE
                    + " places between its digits and its decimal point", p.currentTokenLocation());
        }
        double d = p.getDoubleValue();
        if (Double.isFinite(d) && Double.toString(d).equals(text)) {
            return d;
        }
        return p.getDecimalValue();
    }

    /**
     * Whether the scale BigDecimal would give a JSON number's text is within {@link #MAX_SCALE}; worked out from the
     * text, as the exponent may not fit an int.
     */
    static boolean scaleWithinLimit(String text) {
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        int end = e < 0 ? text.length() : e;
        int dot = text.indexOf('.');
        long fractionDigits = dot < 0 || dot > end ? 0 : end - dot - 1;
        if (e < 0) {
            return fractionDigits <= MAX_SCALE;
        }
        int from = e + 1;
        boolean negative = false;
        if (from < text.length() && (text.charAt(from) == '+' || text.charAt(from) == '-')) {
            negative = text.charAt(from) == '-';
            from++;
        }
        while (from < text.length() - 1 && text.charAt(from) == '0') {
            from++;
        }
        if (text.length() - from > 18) {
            return false; // past any long, so far past the limit
        }
        long exponent = Long.parseLong(text, from, text.length(), 10);
        long scale = fractionDigits - (negative ? -exponent : exponent);
        return Math.abs(scale) <= MAX_SCALE;
    }

    /** Writes plain JSON values. Nesting is bounded by the plan model's own depth limit. */
    static void write(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigInteger bi) {
            g.writeNumber(bi);
        } else if (value instanceof BigDecimal bd) {
            g.writeNumber(bd);
        } else if (value instanceof Float f) {
            g.writeNumber(f);
        } else if (value instanceof Number n) {
            g.writeNumber(n.doubleValue());
        } else if (value instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    /**
     * Refuses a document file bigger than the limit before reading it.
     *
     * @throws PlanParseException with {@code LIMIT_EXCEEDED} when the file is too big
     */
    static void checkFileSize(java.nio.file.Path file, long maxBytes) throws IOException {
        long size = java.nio.file.Files.size(file);
        if (size > maxBytes) {
            throw new PlanParseException(java.util.List.of(new dev.baton.validation.ValidationError(
                    dev.baton.validation.ValidationCode.LIMIT_EXCEEDED, null, "",
                    "the document has " + size + " bytes; the limit is " + maxBytes)));
        }
    }

    /**
     * Turns a Jackson failure into the error the validator would report; bytes that cannot be decoded are
     * {@code MALFORMED_JSON}; other I/O failures stay I/O failures.
     *
     * @param e          the failure
     * @param tooDeep    what to say when the nesting limit is hit, in the reader's own terms (the parser counts
     *                   levels the user does not see as theirs)
     */
    static PlanParseException toParseException(IOException e, String tooDeep) {
        if (e instanceof StreamConstraintsException sce) {
            return new PlanParseException(List.of(new ValidationError(ValidationCode.LIMIT_EXCEEDED, null, "",
                    position(sce.getLocation()) + limitMessage(sce.getOriginalMessage(), tooDeep))));
        }
        if (e instanceof JsonProcessingException jpe) {
            return new PlanParseException(List.of(new ValidationError(ValidationCode.MALFORMED_JSON, null, "",
                    position(jpe.getLocation()) + firstLine(jpe.getOriginalMessage()))));
        }
        if (e instanceof java.io.CharConversionException cce) {
            // bytes that are no text in the encoding their first bytes announce (UTF-32, UTF-16) are as much not
            // JSON as invalid UTF-8, which the parser reports as a parse error: not an I/O failure of the source
            return new PlanParseException(List.of(new ValidationError(ValidationCode.MALFORMED_JSON, null, "",
                    "the document is not valid text: " + unbalancedTailDropped(firstLine(cce.getMessage())))));
        }
        throw new UncheckedIOException(e);
    }

    /** The decoder's messages end with a ')' they never opened. */
    private static String unbalancedTailDropped(String m) {
        long open = m.chars().filter(c -> c == '(').count();
        long close = m.chars().filter(c -> c == ')').count();
        return close > open && m.endsWith(")") ? m.substring(0, m.length() - 1) : m;
    }

    /** "String value length (5000) exceeds the maximum allowed (1000, from `StreamReadConstraints...`)" */
    private static final Pattern CONSTRAINT =
            Pattern.compile("^(.+?) \\((\\d+)\\) exceeds the maximum allowed \\((\\d+).*$");

    /** The parser's limit message in the user's words and numbers, without the parser's own API names. */
    static String limitMessage(String original, String tooDeep) {
        String text = original == null ? "" : original;
        Matcher m = CONSTRAINT.matcher(text);
        if (!m.matches()) {
            int from = text.indexOf(", from `");
            return from > 0 ? text.substring(0, from) + ")" : text;
        }
        String what = m.group(1);
        String limit = m.group(3);
        return switch (what) {
            case "Document nesting depth" -> tooDeep;
            case "String value length" -> "a string is longer than the limit of " + limit + " characters";
            case "Number value length" -> "a number is longer than the limit of " + limit + " digits";
            case "Name length" -> "an object key is longer than the limit of " + limit + " characters";
            case "Document length" -> "the document is bigger than the limit of " + limit + " bytes";
            default -> what + " exceeds the limit of " + limit;
        };
    }

    private static String position(JsonLocation loc) {
        if (loc == null) {
            return "";
        }
        return "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid JSON";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        // the parser appends where a still-open array or object began, in its own source notation; the position we
        // report is the useful one, so that tail (and any source description) is dropped
        for (String tail : new String[] {" (start marker at ", " at [Source:", " [Source:"}) {
            int at = line.indexOf(tail);
            if (at > 0) {
                line = line.substring(0, at);
            }
        }
        return line;
    }
}
