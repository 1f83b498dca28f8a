package dev.baton.json;

import dev.baton.planner.ServiceCatalog;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ServiceCatalogJsonTest {

    static final String CATALOG = """
            {"services": [
              {"name": "payment", "description": "Charges a card", "version": "1.2.0", "url": "http://pay.local/run",
               "schema": {"input": {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number"}}},
                          "output": {"type": "object", "additionalProperties": false, "properties": {"paymentId": {"type": "string"}}}}},
              {"name": "anything", "description": "No schema"}
            ]}
            """;

    @Test
    void readsOrrasRegistrationShape(@TempDir Path dir) throws Exception {
        ServiceCatalog catalog = ServiceCatalogJson.defaults().read(CATALOG);
        assertThat(catalog.size()).isEqualTo(2);
        assertThat(catalog.find("payment").orElseThrow().version()).isEqualTo("1.2.0");
        assertThat(catalog.find("payment").orElseThrow().input()).isPresent();
        assertThat(catalog.find("anything").orElseThrow().input()).isEmpty();
        Path file = dir.resolve("c.json");
        Files.writeString(file, CATALOG);
        assertThat(ServiceCatalogJson.defaults().read(file)).isEqualTo(catalog);
        assertThat(ServiceCatalogJson.defaults().read(new ByteArrayInputStream(CATALOG.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(catalog);
    }

    @Test
    void keepsExtraFields() {
        List<CatalogEntry> entries = ServiceCatalogJson.defaults().readEntries(CATALOG);
        assertThat(entries.get(0).extra()).containsEntry("url", "http://pay.local/run").doesNotContainKey("name");
        assertThat(entries.get(1).extra()).isEmpty();
    }

    @Test
    void wrongShapeReportsEveryProblem() {
        String bad = """
                {"services": [
                  {"description": "no name"},
                  {"name": 3},
                  {"name": "x", "schema": {"input": "not a schema"}},
                  {"name": "y"}, {"name": "y"},
                  "text"
                ]}""";
        PlanParseException e = catchThrowableOfType(() -> ServiceCatalogJson.defaults().read(bad), PlanParseException.class);
        assertThat(e.errors()).extracting(ValidationError::code).containsOnly(ValidationCode.INVALID_STRUCTURE);
        assertThat(e.errors()).extracting(ValidationError::path).containsExactly(
                "/services/0/name", "/services/1/name", "/services/2/schema/input", "/services/4/name", "/services/5");
        assertThat(catchThrowableOfType(() -> ServiceCatalogJson.defaults().read("{}"), PlanParseException.class).code())
                .isEqualTo("INVALID_STRUCTURE");
        assertThat(catchThrowableOfType(() -> ServiceCatalogJson.defaults().read("{"), PlanParseException.class).code())
                .isEqualTo("MALFORMED_JSON");
    }

    @Test
    void aSchemaNumberWithAnExponentPastTheLimitIsALimitNotANumberFormatException() {
        for (String number : List.of("1e9999999999", "1e-1000000")) {
            PlanParseException e = catchThrowableOfType(() -> ServiceCatalogJson.defaults().read(
                    "{\"services\": [{\"name\": \"s\", \"schema\": {\"input\": {\"multipleOf\": " + number + "}}}]}"),
                    PlanParseException.class);
            assertThat(e).as(number).isNotNull();
            assertThat(e.errors()).as(number).singleElement().satisfies(err -> {
                assertThat(err.code()).isEqualTo(ValidationCode.LIMIT_EXCEEDED);
                assertThat(err.message()).startsWith("line 1, column 64: ").contains("the limit of 1000 places");
            });
        }
    }
}
