package dev.baton.json;

import dev.baton.plan.Plan;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationError;
import dev.baton.validation.ValidationLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PlanJsonTest {

    static final String ORDER = """
            {
              "tasks": [
                {"id": "task0", "input": {"customerId": "CUST789", "orderId": "ORD456"}},
                {"id": "task1", "service": "customer-service", "input": {"customerId": "$task0.customerId"}},
                {"id": "task2", "service": "order-system", "input": {"orderId": "$task0.orderId"}, "note": "ignored"},
                {"id": "task3", "service": "ai-agent", "input": {"customerData": "$task1", "orderData": "$task2.details"},
                 "depends_on": ["task1"]}
              ],
              "parallel_groups": [["task1", "task2"], ["task3"]],
              "extra": {"whatever": true}
            }
            """;

    private static List<ValidationCode> codes(PlanParseException e) {
        return e.errors().stream().map(ValidationError::code).toList();
    }

    @Test
    void readersKeepNoKeyTheyHaveRead() {
        // a shared reader would otherwise hold every distinct key of the untrusted documents it read, thousands of
        // keys of up to 50,000 characters each (157 MB after 3,000 plans with one such key each)
        com.fasterxml.jackson.core.JsonFactory f = JsonSupport.factory(1 << 20, 64, 1 << 20);
        assertThat(f.isEnabled(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)).isFalse();
        String key = "k".repeat(49_000);
        for (int i = 0; i < 3; i++) {
            Plan p = PlanJson.defaults().read("{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\""
                    + key + i + "\": 1}}]}");
            assertThat(p.tasks().get(0).input()).containsOnlyKeys(key + i);
        }
    }

    @Test
    void readsOrrasFormat() {
        Plan plan = PlanJson.defaults().read(ORDER);
        assertThat(plan.tasks()).hasSize(4);
        assertThat(plan.params()).containsEntry("orderId", "ORD456");
        assertThat(plan.task("task3").orElseThrow().dependsOn()).containsExactly("task1");
        assertThat(plan.task("task0").orElseThrow().service()).isNull();
        assertThat(plan.parallelGroups()).containsExactly(List.of("task1", "task2"), List.of("task3"));
        assertThat(PlanValidator.defaults().validate(plan).isValid()).isTrue();
    }

    @Test
    void roundTripsLosslessly() {
        Plan plan = PlanJson.defaults().read(ORDER);
        String written = PlanJson.defaults().write(plan);
        assertThat(PlanJson.defaults().read(written)).isEqualTo(plan);
        assertThat(PlanJson.defaults().write(PlanJson.defaults().read(written))).isEqualTo(written);
    }

    @Test
    void numbersKeepTheirType() {
        String json = """
                {"tasks": [{"id": "a", "service": "s", "input": {
                  "i": 7, "l": 9000000000, "big": 123456789012345678901234567890,
                  "d": 1.5, "exact": 0.1000000000000000000000000001, "e": 1e3, "neg": -0.0, "t": true, "n": null,
                  "s": "caf\\u00e9 \\ud83d\\ude00", "$$k": "$$100"}}]}
                """;
        Plan plan = PlanJson.defaults().read(json);
        Map<String, Object> in = plan.tasks().get(0).input();
        assertThat(in.get("i")).isEqualTo(7);
        assertThat(in.get("l")).isEqualTo(9_000_000_000L);
        assertThat(in.get("big")).isEqualTo(new BigInteger("123456789012345678901234567890"));
        assertThat(in.get("d")).isEqualTo(1.5);
        assertThat(in.get("exact")).isEqualTo(new BigDecimal("0.1000000000000000000000000001"));
        assertThat(in.get("e")).isEqualTo(new BigDecimal("1e3"));
        assertThat(in.get("neg")).isEqualTo(-0.0);
        assertThat(in.get("t")).isEqualTo(true);
        assertThat(in).containsEntry("n", null);
        assertThat(in.get("s")).isEqualTo("café 😀");
        Plan again = PlanJson.defaults().read(PlanJson.defaults().write(plan));
        assertThat(again).isEqualTo(plan);
        assertThat(again.tasks().get(0).input().get("exact")).isEqualTo(new BigDecimal("0.1000000000000000000000000001"));
    }

    @Test
    void readsFromEveryKindOfSource(@TempDir Path dir) throws Exception {
        Plan expected = PlanJson.defaults().read(ORDER);
        assertThat(PlanJson.defaults().read(new StringReader(ORDER))).isEqualTo(expected);
        assertThat(PlanJson.defaults().read(new ByteArrayInputStream(ORDER.getBytes(StandardCharsets.UTF_8)))).isEqualTo(expected);
        Path file = dir.resolve("plan.json");
        Files.writeString(file, ORDER);
        assertThat(PlanJson.defaults().read(file)).isEqualTo(expected);
        assertThatThrownBy(() -> PlanJson.defaults().read(dir.resolve("missing.json"))).isInstanceOf(UncheckedIOException.class);
        PlanJson tiny = PlanJson.withLimits(ValidationLimits.builder().maxPlanBytes(100).build());
        assertThat(tiny.limits().maxPlanBytes()).isEqualTo(100);
        PlanParseException e = catchThrowableOfType(() -> tiny.read(file), PlanParseException.class);
        assertThat(e.code()).isEqualTo("LIMIT_EXCEEDED");
    }

    @Test
    void malformedJsonGivesLineAndColumn() {
        PlanParseException e = catchThrowableOfType(() -> PlanJson.defaults().read("{\"tasks\": [\n  {\"id\": \"a\",, }\n]}"),
                PlanParseException.class);
        assertThat(e.code()).isEqualTo("MALFORMED_JSON");
        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.code()).isEqualTo(ValidationCode.MALFORMED_JSON);
            assertThat(err.message()).startsWith("line 2, column ");
        });
        for (String bad : List.of("", "{", "[1,2", "{\"tasks\": []} trailing", "{\"a\":1,\"a\":2}", "nul", "{'a':1}")) {
            PlanParseException ex = catchThrowableOfType(() -> PlanJson.defaults().read(bad), PlanParseException.class);
            assertThat(ex).as(bad).isNotNull();
            assertThat(codes(ex)).as(bad).containsExactly(ValidationCode.MALFORMED_JSON);
            // the message is ours: a position and the problem, not the parser's source notation
            assertThat(ex.errors().get(0).message()).as(bad)
                    .doesNotContain("[Source", "start marker", "StreamReadFeature", "REDACTED");
        }
    }

    @Test
    void wrongShapeReportsEveryProblem() {
        String json = """
                {"tasks": [
                  42,
                  {"id": 1, "service": "s", "input": {}},
                  {"id": "b", "service": ["s"], "input": "text", "depends_on": "a"},
                  {"id": "c", "service": "s", "input": {}, "depends_on": [1]}
                ], "parallel_groups": [["c"], "d"]}
                """;
        PlanParseException e = catchThrowableOfType(() -> PlanJson.defaults().read(json), PlanParseException.class);
        assertThat(e.code()).isEqualTo("INVALID_STRUCTURE");
        assertThat(e.errors()).extracting(ValidationError::path).containsExactly(
                "/tasks/0", "/tasks/1/id", "/tasks/2/service", "/tasks/2/input", "/tasks/2/depends_on",
                "/tasks/3/depends_on/0", "/parallel_groups/1");
        assertThat(e.getMessage()).contains("and 6 more");
        for (String bad : List.of("[]", "{}", "{\"tasks\": {}}", "{\"tasks\": [], \"parallel_groups\": 3}", "\"x\"", "null")) {
            PlanParseException ex = catchThrowableOfType(() -> PlanJson.defaults().read(bad), PlanParseException.class);
            assertThat(codes(ex)).as(bad).containsOnly(ValidationCode.INVALID_STRUCTURE);
        }
    }

    @Test
    void missingInputIsAnEmptyObject() {
        Plan plan = PlanJson.defaults().read("{\"tasks\": [{\"id\": \"a\", \"service\": \"s\"}], \"parallel_groups\": null}");
        assertThat(plan.tasks().get(0).input()).isEmpty();
        assertThat(plan.hasParallelGroups()).isFalse();
    }

    @Test
    void deepNestingIsALimitNotAStackOverflow() {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);
        String json = "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": " + deep + "}}]}";
        PlanParseException e = catchThrowableOfType(() -> PlanJson.defaults().read(json), PlanParseException.class);
        assertThat(codes(e)).containsExactly(ValidationCode.LIMIT_EXCEEDED);
        // just inside the limit still reads, and validates
        String ok = "[".repeat(60) + "]".repeat(60);
        Plan plan = PlanJson.defaults().read("{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": " + ok + "}}]}");
        assertThat(PlanValidator.defaults().validate(plan).isValid()).isTrue();
    }

    @Test
    void limitMessagesSayWhereAndNameTheConfiguredLimitNotTheParsersApi() {
        String deep = "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\",\n \"input\": {\"x\": "
                + "[".repeat(70) + "]".repeat(70) + "}}]}";
        String tooDeep = catchThrowableOfType(() -> PlanJson.defaults().read(deep), PlanParseException.class)
                .errors().get(0).message();
        assertThat(tooDeep).startsWith("line 2, column ")
                .contains("nests deeper than its limit of " + ValidationLimits.DEFAULT_MAX_DEPTH + " levels of task input")
                .doesNotContain("StreamReadConstraints").doesNotContain("67");
        PlanJson small = PlanJson.withLimits(ValidationLimits.builder().maxStringLength(1_000).build());
        String longString = "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": \""
                + "y".repeat(5_000) + "\"}}]}";
        assertThat(catchThrowableOfType(() -> small.read(longString), PlanParseException.class).errors().get(0).message())
                .startsWith("line 1, column ").endsWith("a string is longer than the limit of 1000 characters");
        String longNumber = "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": "
                + "9".repeat(5_000) + "}}]}";
        assertThat(catchThrowableOfType(() -> PlanJson.defaults().read(longNumber), PlanParseException.class)
                .errors().get(0).message()).doesNotContain("StreamReadConstraints").contains("longer than the limit of");
        String deepCatalog = "{\"services\": [{\"name\": \"s\", \"schema\": {\"input\": "
                + "[".repeat(300) + "]".repeat(300) + "}}]}";
        assertThat(catchThrowableOfType(() -> ServiceCatalogJson.defaults().read(deepCatalog), PlanParseException.class)
                .errors().get(0).message()).contains("the catalog nests deeper than the limit of 256 levels");
    }

    @Test
    void longStringsAndHugeDocumentsAreLimits() {
        PlanJson small = PlanJson.withLimits(ValidationLimits.builder().maxStringLength(1_000).maxPlanBytes(50_000).build());
        String longString = "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": \"" + "y".repeat(5_000) + "\"}}]}";
        assertThat(codes(catchThrowableOfType(() -> small.read(longString), PlanParseException.class)))
                .containsExactly(ValidationCode.LIMIT_EXCEEDED);
        String hugeArray = "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": ["
                + "1,".repeat(100_000) + "1]}}]}";
        assertThat(codes(catchThrowableOfType(() -> small.read(hugeArray), PlanParseException.class)))
                .containsExactly(ValidationCode.LIMIT_EXCEEDED);
        assertThat(codes(catchThrowableOfType(() -> small.read(new ByteArrayInputStream(hugeArray.getBytes(StandardCharsets.UTF_8))),
                PlanParseException.class))).containsExactly(ValidationCode.LIMIT_EXCEEDED);
        String longNumber = "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": " + "9".repeat(5_000) + "}}]}";
        assertThat(codes(catchThrowableOfType(() -> PlanJson.defaults().read(longNumber), PlanParseException.class)))
                .containsExactly(ValidationCode.LIMIT_EXCEEDED);
        PlanJson fewTasks = PlanJson.withLimits(ValidationLimits.builder().maxTasks(2).build());
        String four = "{\"tasks\": [{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"},{\"id\":\"d\"}]}";
        assertThat(codes(catchThrowableOfType(() -> fewTasks.read(four), PlanParseException.class)))
                .containsExactly(ValidationCode.LIMIT_EXCEEDED);
    }

    private static final String BEFORE_X = "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"x\": ";

    private static PlanParseException readingX(String number) {
        return catchThrowableOfType(() -> PlanJson.defaults().read(BEFORE_X + number + "}}]}"), PlanParseException.class);
    }

    @Test
    void anExponentPastBigDecimalsRangeIsALimitAtTheNumbersPositionNotANumberFormatException() {
        // before: the BigDecimal's NumberFormatException came out of read
        for (String number : List.of("1e9999999999", "1e-9999999999", "-2.5E+99999999999999999999")) {
            PlanParseException e = readingX(number);
            assertThat(e).as(number).isNotNull();
            assertThat(e.errors()).as(number).singleElement().satisfies(err -> {
                assertThat(err.code()).isEqualTo(ValidationCode.LIMIT_EXCEEDED);
                assertThat(err.message()).isEqualTo("line 1, column " + (BEFORE_X.length() + 1)
                        + ": a number's exponent is beyond the limit of 1000 places between its digits and its decimal point");
            });
        }
        byte[] bytes = (BEFORE_X + "1e9999999999}}]}").getBytes(StandardCharsets.UTF_8);
        assertThat(codes(catchThrowableOfType(() -> PlanJson.defaults().read(new ByteArrayInputStream(bytes)),
                PlanParseException.class))).containsExactly(ValidationCode.LIMIT_EXCEEDED);
    }

    @Test
    void aNumberWhoseDigitsSitMoreThanAThousandPlacesFromItsPointIsALimitAndOneAtTheBoundReads() {
        // 1e1000000 is 9 characters within the digit limit, yet a million-digit value for multipleOf to expand
        for (String number : List.of("1e1000000", "1e1001", "1E+1001", "0.5e-1000", "-1.55e-999", "1e-1001")) {
            PlanParseException e = readingX(number);
            assertThat(e).as(number).isNotNull();
            assertThat(codes(e)).as(number).containsExactly(ValidationCode.LIMIT_EXCEEDED);
            assertThat(e.errors().get(0).message()).as(number).contains("the limit of 1000 places");
        }
        // the scale is fraction digits minus exponent, as BigDecimal counts it
        Map<String, Object> in = PlanJson.defaults().read(BEFORE_X + "1e1000, \"y\": -1e-1000, \"z\": 1.5e-999,"
                + " \"w\": 0.5e1001, \"v\": 1e0000000000000000000000007}}]}").tasks().get(0).input();
        assertThat(in.get("x")).isEqualTo(new BigDecimal("1e1000"));
        assertThat(in.get("y")).isEqualTo(new BigDecimal("-1e-1000"));
        assertThat(in.get("z")).isEqualTo(new BigDecimal("1.5e-999"));
        assertThat(in.get("w")).isEqualTo(new BigDecimal("0.5e1001"));
        assertThat(in.get("v")).isEqualTo(new BigDecimal("1e7"));
    }

    @Test
    void bytesThatAreNotTextInTheirDetectedEncodingAreMalformedNotAnIoFailure(@TempDir Path dir) throws Exception {
        // a UTF-32 byte-order mark followed by bytes that are no UTF-32 character, and a UTF-32 document cut short:
        // as unreadable as invalid UTF-8, which is MALFORMED_JSON, so not an I/O failure of the file
        byte[][] docs = {
                {0, 0, 0, '{', 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0},
                {(byte) 0xFF, (byte) 0xFE, 0, 0, 1, 2},
        };
        for (byte[] doc : docs) {
            PlanParseException e = catchThrowableOfType(() -> PlanJson.defaults().read(new ByteArrayInputStream(doc)),
                    PlanParseException.class);
            assertThat(e).isNotNull();
            assertThat(codes(e)).containsExactly(ValidationCode.MALFORMED_JSON);
            assertThat(e.errors().get(0).message()).contains("UTF-32").doesNotContain("))");
            Path file = Files.write(dir.resolve("doc-" + doc.length + ".json"), doc);
            assertThat(codes(catchThrowableOfType(() -> PlanJson.defaults().read(file), PlanParseException.class)))
                    .containsExactly(ValidationCode.MALFORMED_JSON);
            assertThat(codes(catchThrowableOfType(() -> ServiceCatalogJson.defaults().read(file),
                    PlanParseException.class))).containsExactly(ValidationCode.MALFORMED_JSON);
        }
    }

    @Test
    void fuzzedDocumentsParseOrFailWithOurException() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        String alphabet = "{}[]\":,$.0123456789eE+-truefalsnl \\u\n\tabc";
        int parsed = 0;
        for (int round = 0; round < 3_000; round++) {
            StringBuilder sb = new StringBuilder(ORDER);
            int edits = 1 + rnd.nextInt(6);
            for (int k = 0; k < edits; k++) {
                int at = rnd.nextInt(sb.length() + 1);
                switch (rnd.nextInt(3)) {
                    case 0 -> sb.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                    case 1 -> {
                        if (at < sb.length()) {
                            sb.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < sb.length()) {
                            sb.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                        }
                    }
                }
            }
            String doc = sb.toString();
            try {
                Plan p = PlanJson.defaults().read(doc);
                PlanValidator.defaults().validate(p);
                parsed++;
            } catch (PlanParseException expected) {
                assertThat(expected.errors()).as("seed %d", seed).isNotEmpty();
            } catch (RuntimeException | Error other) {
                throw new AssertionError("seed " + seed + ": unexpected " + other + " for document:\n" + doc, other);
            }
        }
        assertThat(parsed).as("seed %d", seed).isPositive();
    }

    @Test
    void parseExceptionNeedsErrors() {
        assertThatThrownBy(() -> new PlanParseException(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toJsonAndFromJsonAreInverse() {
        Plan plan = PlanJson.defaults().read(ORDER);
        assertThat(PlanJson.defaults().fromJson(PlanJson.toJson(plan))).isEqualTo(plan);
    }

    /** An insertion-ordered map of any keys, as a caller of the Java API might build one. */
    private static Map<Object, Object> anyKeys(Object... keysAndValues) {
        Map<Object, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void fromJsonReportsEveryKeyThatIsNotAStringWithItsTaskAndPointer() {
        Map<Object, Object> root = anyKeys(
                "tasks", List.of(
                        anyKeys("id", "task0", "input", anyKeys("p", 1)),
                        anyKeys("id", "t1", "service", "s", "input", anyKeys(1, "x")),
                        anyKeys("id", "t2", "service", "s", "input", anyKeys("a", List.of(anyKeys("ok", 1, 2, "y")))),
                        anyKeys("id", "t3", "service", "s", "input", anyKeys(), 8, "unknown field?")),
                7, "extra");
        // before: the keys 7 and 8 were ignored as unknown fields, and the others reported at the task's input
        PlanParseException e = catchThrowableOfType(() -> PlanJson.defaults().fromJson(root), PlanParseException.class);
        assertThat(e.errors()).extracting(ValidationError::code).containsOnly(ValidationCode.INVALID_STRUCTURE);
        assertThat(e.errors()).extracting(ValidationError::taskId, ValidationError::path, ValidationError::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(null, "", "JSON object key 7 (Integer) is not a string"),
                        org.assertj.core.groups.Tuple.tuple("t1", "/tasks/1/input", "JSON object key 1 (Integer) is not a string"),
                        org.assertj.core.groups.Tuple.tuple("t2", "/tasks/2/input/a/0", "JSON object key 2 (Integer) is not a string"),
                        org.assertj.core.groups.Tuple.tuple("t3", "/tasks/3", "JSON object key 8 (Integer) is not a string"));

        // the same plan with string keys reads
        assertThat(PlanJson.defaults().fromJson(Map.of("tasks", List.of(Map.of("id", "t1", "service", "s",
                "input", Map.of("1", "x")))))).isEqualTo(PlanJson.defaults().read(
                "{\"tasks\": [{\"id\": \"t1\", \"service\": \"s\", \"input\": {\"1\": \"x\"}}]}"));
    }

    /** A plan whose one task's input has one key of {@code length} characters. */
    private static String planWithKey(int length) {
        return "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"" + "k".repeat(length) + "\": 1}}]}";
    }

    @Test
    void anObjectKeyMayHave50000CharactersAsDocumentedAndNotOneMore() {
        // the documented key limit: 50,000 characters, though the default string limit is 1 Mi characters
        assertThat(PlanJson.defaults().read(planWithKey(50_000)).tasks().get(0).input()).containsOnlyKeys("k".repeat(50_000));
        assertThat(PlanJson.defaults().read(new ByteArrayInputStream(planWithKey(50_000).getBytes(StandardCharsets.UTF_8)))
                .tasks().get(0).input()).hasSize(1);
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable read : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> PlanJson.defaults().read(planWithKey(50_001)),
                () -> PlanJson.defaults().read(new ByteArrayInputStream(planWithKey(50_001).getBytes(StandardCharsets.UTF_8))))) {
            assertThatThrownBy(read).isInstanceOfSatisfying(PlanParseException.class, e ->
                    assertThat(e.errors()).singleElement().satisfies(err -> {
                        assertThat(err.code()).isEqualTo(ValidationCode.LIMIT_EXCEEDED);
                        assertThat(err.message()).startsWith("line 1, column ")
                                .endsWith("an object key is longer than the limit of 50000 characters");
                    }));
        }

        // a lower string limit is the key limit too
        PlanJson small = PlanJson.withLimits(ValidationLimits.builder().maxStringLength(1_000).build());
        assertThat(small.read(planWithKey(1_000)).tasks()).hasSize(1);
        assertThatThrownBy(() -> small.read(planWithKey(1_001))).isInstanceOfSatisfying(PlanParseException.class, e ->
                assertThat(e.errors()).singleElement().satisfies(err -> {
                    assertThat(err.code()).isEqualTo(ValidationCode.LIMIT_EXCEEDED);
                    assertThat(err.message()).endsWith("an object key is longer than the limit of 1000 characters");
                }));

        // catalogs are read with the same bound
        String catalog = "{\"services\": [{\"name\": \"s\", \"schema\": {\"input\": {\"type\": \"object\", "
                + "\"properties\": {\"%s\": {}}}}}]}";
        assertThat(ServiceCatalogJson.defaults().read(String.format(catalog, "k".repeat(50_000))).services()).hasSize(1);
        assertThatThrownBy(() -> ServiceCatalogJson.defaults().read(String.format(catalog, "k".repeat(50_001))))
                .isInstanceOfSatisfying(PlanParseException.class,
                        e -> assertThat(codes(e)).containsExactly(ValidationCode.LIMIT_EXCEEDED));
    }
}
