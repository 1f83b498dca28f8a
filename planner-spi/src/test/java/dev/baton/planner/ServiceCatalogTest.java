package dev.baton.planner;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceCatalogTest {

    @Test
    void lookUpAndReplace() {
        ServiceDescriptor pay = ServiceDescriptor.builder("payment").description("charges").version("1")
                .inputSchema(Map.of("type", "object")).outputSchema(Map.of("type", "object")).build();
        ServiceCatalog c = ServiceCatalog.of(pay, ServiceDescriptor.of("mail"));
        assertThat(c.size()).isEqualTo(2);
        assertThat(c.contains("payment")).isTrue();
        assertThat(c.find("payment")).contains(pay);
        assertThat(c.find("nope")).isEmpty();
        assertThat(c.services()).extracting(ServiceDescriptor::name).containsExactly("payment", "mail");
        ServiceCatalog c2 = c.with(ServiceDescriptor.of("payment"));
        assertThat(c2.find("payment").orElseThrow().input()).isEmpty();
        assertThat(c.find("payment").orElseThrow().input()).isPresent();
        assertThat(c).isEqualTo(ServiceCatalog.of(List.of(pay, ServiceDescriptor.of("mail"))));
        assertThat(ServiceCatalog.empty().size()).isZero();
        assertThat(c.toString()).contains("payment");
    }

    @Test
    void rejectsBadDescriptors() {
        assertThatThrownBy(() -> ServiceCatalog.of(ServiceDescriptor.of("a"), ServiceDescriptor.of("a")))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> ServiceDescriptor.of(" ")).hasMessageContaining("blank");
        assertThat(new ServiceDescriptor("x", null, null, null, null).description()).isEmpty();
    }
}
