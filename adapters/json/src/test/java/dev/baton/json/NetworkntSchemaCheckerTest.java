package dev.baton.json;

import dev.baton.plan.Plan;
import dev.baton.planner.ServiceCatalog;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.SchemaViolation;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationError;
import dev.baton.validation.ValidationResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkntSchemaCheckerTest {

    private final NetworkntSchemaChecker checker = new NetworkntSchemaChecker(4);

    private static final Map<String, Object> SCHEMA = Map.of("type", "object",
            "required", List.of("amount", "currency"),
            "additionalProperties", false,
            "properties", Map.of("amount", Map.of("type", "number"), "currency", Map.of("type", "string"),
                    "card", Map.of("type", "object", "properties", Map.of("number", Map.of("type", "string")))));

    @Test
    void reportsRequiredTypeAndUnsupportedProperty() {
        List<SchemaViolation> v = checker.validate(SCHEMA, Map.of("amount", "ten", "extra", 1));
        assertThat(v).extracting(SchemaViolation::pointer).contains("", "/amount");
        assertThat(v).extracting(SchemaViolation::message).anySatisfy(m -> assertThat(m).contains("currency"));
        assertThat(v).extracting(SchemaViolation::message).anySatisfy(m -> assertThat(m).contains("extra"));
        assertThat(checker.validate(SCHEMA, Map.of("amount", 10, "currency", "EUR"))).isEmpty();
        assertThat(checker.validate(SCHEMA, Map.of("amount", 1, "currency", "EUR", "card", Map.of("number", 4))))
                .extracting(SchemaViolation::pointer).containsExactly("/card/number");
    }

    @Test
    void invalidSchemaIsReportedAsSuch() {
        Map<String, Object> broken = Map.of("type", "objekt", "required", "amount");
        assertThat(checker.checkSchema(broken)).isNotEmpty();
        assertThat(checker.checkSchema(SCHEMA)).isEmpty();
        assertThat(checker.validate(broken, Map.of())).singleElement()
                .satisfies(v -> assertThat(v.message()).startsWith("the schema is invalid"));
        assertThatThrownBy(() -> new NetworkntSchemaChecker(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cacheStaysBoundedAndCorrect() {
        for (int i = 0; i < 50; i++) {
            Map<String, Object> s = Map.of("type", "object", "required", List.of("f" + i));
            assertThat(checker.validate(s, Map.of())).hasSize(1);
            assertThat(checker.validate(s, Map.of("f" + i, 1))).isEmpty();
        }
    }

    @Test
    void validatorSkipsReferencesAndChecksLiterals() {
        String catalogJson = """
                {"services": [
                  {"name": "source", "description": "", "schema": {"output": {"type": "object", "additionalProperties": false,
                     "properties": {"total": {"type": "number"}}}}},
                  {"name": "payment", "description": "", "schema": {"input": {"type": "object",
                     "required": ["amount", "currency"], "additionalProperties": false,
                     "properties": {"amount": {"type": "number"}, "currency": {"type": "string", "enum": ["EUR"]}}}}}
                ]}""";
        ServiceCatalog catalog = ServiceCatalogJson.defaults().read(catalogJson);
        PlanValidator validator = PlanValidator.builder().catalog(catalog).schemaChecker(checker).build();
        Plan ok = PlanJson.defaults().read("""
                {"tasks": [{"id": "src", "service": "source", "input": {}},
                           {"id": "pay", "service": "payment", "input": {"amount": "$src.total", "currency": "EUR"}}]}""");
        assertThat(validator.validate(ok).errors()).isEmpty();
        Plan bad = PlanJson.defaults().read("""
                {"tasks": [{"id": "src", "service": "source", "input": {}},
                           {"id": "pay", "service": "payment", "input": {"amount": "$src.totl", "currency": "USD", "tip": 1}},
                           {"id": "pay2", "service": "payment", "input": {"currency": "$src.total"}}]}""");
        ValidationResult r = validator.validate(bad);
        assertThat(r.errors()).extracting(ValidationError::code, ValidationError::path).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(ValidationCode.SCHEMA_VIOLATION, "/tasks/1/input/currency"),
                org.assertj.core.groups.Tuple.tuple(ValidationCode.SCHEMA_VIOLATION, "/tasks/1/input"),
                org.assertj.core.groups.Tuple.tuple(ValidationCode.SCHEMA_VIOLATION, "/tasks/2/input"),
                org.assertj.core.groups.Tuple.tuple(ValidationCode.UNKNOWN_OUTPUT_FIELD, "/tasks/1/input/amount"));
    }

    @Test
    void anInvalidOutputSchemaIsReportedAsSuchNotAsUnknownFields() {
        ServiceCatalog catalog = ServiceCatalogJson.defaults().read("""
                {"services": [
                  {"name": "source", "description": "", "schema": {"output": {"type": "object",
                     "additionalProperties": false, "properties": "oops"}}},
                  {"name": "sink", "description": ""}
                ]}""");
        PlanValidator validator = PlanValidator.builder().catalog(catalog).schemaChecker(checker).build();
        Plan plan = PlanJson.defaults().read("""
                {"tasks": [{"id": "src", "service": "source", "input": {}},
                           {"id": "use", "service": "sink", "input": {"x": "$src.total"}}]}""");
        ValidationResult r = validator.validate(plan);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.SCHEMA_VIOLATION);
            assertThat(e.taskId()).isEqualTo("src");
            assertThat(e.path()).isEqualTo("/tasks/0/service");
            assertThat(e.message()).startsWith("the output schema of service 'source' is invalid");
        });
    }

    @Test
    void aNumberBeyondTheReadersBoundsIsOneViolationAgainstMultipleOfNotALongDivision() {
        // built in Java, past the bounds PlanJson reads: dividing 3e100000 by 0.01 took seconds, 3e1000000000 threw
        Map<String, Object> schema = Map.of("type", "object", "properties", Map.of("amounts", Map.of("type", "array",
                "items", Map.of("multipleOf", new java.math.BigDecimal("0.01")))));
        for (Object huge : List.of(java.math.BigDecimal.valueOf(3, -100_000), java.math.BigDecimal.valueOf(3,
                -1_000_000_000), java.math.BigDecimal.valueOf(3, 1_000_000_000), new java.math.BigDecimal("1".repeat(1_001)),
                new java.math.BigInteger("7".repeat(400)))) {
            assertThat(checker.validate(schema, Map.of("amounts", List.of(1, huge))))
                    .as("%s", huge.getClass())
                    .singleElement().satisfies(v -> {
                        assertThat(v.pointer()).isEqualTo("/amounts/1");
                        assertThat(v.message()).contains("too large to check against multipleOf");
                        assertThat(v.message()).doesNotContain("7777", "1111");
                    });
        }
        // within the bounds, numbers are checked as before
        assertThat(checker.validate(schema, Map.of("amounts", List.of(new java.math.BigDecimal("1".repeat(1_000)),
                java.math.BigDecimal.valueOf(3, -1_000), new java.math.BigInteger("7".repeat(300)))))).isEmpty();
        assertThat(checker.validate(schema, Map.of("amounts", List.of(java.math.BigDecimal.valueOf(3, 1_000)))))
                .singleElement().satisfies(v -> assertThat(v.message()).doesNotContain("too large"));
        // the rest of the value is still checked, and every such number is named
        Map<String, Object> order = Map.of("type", "object", "required", List.of("name"),
                "properties", Map.of("amount", Map.of("multipleOf", 1), "big", Map.of("type", "integer",
                        "minimum", 0)));
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("amount", java.math.BigDecimal.valueOf(3, -5_000));
        value.put("big", new java.math.BigInteger("2").pow(1_100).negate());
        assertThat(checker.validate(order, value)).extracting(SchemaViolation::pointer)
                .containsExactlyInAnyOrder("/amount", "/big", "");
        assertThat(checker.validate(Map.of("multipleOf", 2), java.math.BigDecimal.valueOf(3, -5_000)))
                .singleElement().satisfies(v -> assertThat(v.pointer()).isEmpty());
        // a property named multipleOf is not the keyword: a wide integer elsewhere is compared as usual
        Map<String, Object> named = Map.of("type", "object", "properties", Map.of("multipleOf", Map.of("type",
                "string"), "big", Map.of("type", "integer", "minimum", 0)));
        assertThat(checker.validate(named, Map.of("big", new java.math.BigInteger("2").pow(1_100)))).isEmpty();
        // without multipleOf, a wide number is compared as any other
        assertThat(checker.validate(Map.of("type", "object", "properties", Map.of("x", Map.of("minimum", 0))),
                Map.of("x", java.math.BigDecimal.valueOf(3, -1_000_000_000)))).isEmpty();
    }

    @Test
    void aSchemaThatRefersToItselfWithoutEndIsAViolationNotAStackOverflow() {
        // {"$ref": "#"} compiles, but checking any value against it recurses without end; a recursive schema that
        // descends into the value (a tree) is fine and must keep working
        Map<String, Object> loop = Map.of("$ref", "#");
        Map<String, Object> viaAllOf = Map.of("allOf", List.of(Map.of("$ref", "#")));
        Map<String, Object> tree = Map.of("type", "object",
                "properties", Map.of("child", Map.of("$ref", "#"), "n", Map.of("type", "integer")));
        for (Map<String, Object> s : List.of(loop, viaAllOf)) {
            assertThat(checker.validate(s, Map.of("a", 1))).singleElement().satisfies(v -> {
                assertThat(v.pointer()).isEmpty();
                assertThat(v.message()).contains("refers to itself");
            });
        }
        assertThat(checker.validate(tree, Map.of("child", Map.of("child", Map.of("n", 1))))).isEmpty();
        assertThat(checker.validate(tree, Map.of("child", Map.of("n", "x"))))
                .extracting(SchemaViolation::pointer).containsExactly("/child/n");
    }

    @Test
    void validatingAPlanAgainstASelfReferringSchemaReportsItInsteadOfThrowing() {
        ServiceCatalog catalog = ServiceCatalogJson.defaults().read("""
                {"services": [{"name": "s", "schema": {"input": {"$ref": "#"}}}]}""");
        PlanValidator validator = PlanValidator.builder().catalog(catalog).schemaChecker(checker).build();
        ValidationResult r = validator.validate(PlanJson.defaults().read("""
                {"tasks": [{"id": "a", "service": "s", "input": {"x": 1}}]}"""));
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.SCHEMA_VIOLATION);
            assertThat(e.message()).contains("refers to itself");
        });
    }

    @Test
    void numbersAtTheReadersScaleLimitAreCheckedExactlyByMultipleOf() {
        // the reader refuses a larger scale, so this is the most a plan's number makes multipleOf expand
        Map<String, Object> input = PlanJson.defaults().read(
                "{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {\"big\": 1e1000, \"tiny\": 1e-1000}}]}")
                .tasks().get(0).input();
        Map<String, Object> cents = Map.of("multipleOf", new java.math.BigDecimal("0.01"));
        assertThat(checker.validate(Map.of("properties", Map.of("big", cents, "tiny", cents)), input))
                .extracting(SchemaViolation::pointer).containsExactly("/tiny");
    }
}
