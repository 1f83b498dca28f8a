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

    @Test
    void versionsCountChangedRegistrations() {
        ServiceDescriptor mail = ServiceDescriptor.of("mail");
        ServiceCatalog c = ServiceCatalog.of(mail);
        assertThat(c.version("mail")).hasValue(1);
        assertThat(c.version("nope")).isEmpty();
        assertThat(c.with(mail)).isSameAs(c);
        ServiceCatalog c2 = c.with(ServiceDescriptor.builder("mail").inputSchema(Map.of("type", "object")).build());
        assertThat(c2.version("mail")).hasValue(2);
        ServiceCatalog c3 = c2.with(ServiceDescriptor.builder("mail").version("2").build());
        assertThat(c3.version("mail")).hasValue(3);
        ServiceCatalog c4 = c3.with(ServiceDescriptor.of("sms"));
        assertThat(c4.versions()).containsExactly(Map.entry("mail", 3), Map.entry("sms", 1));
        assertThat(c4.version("mail")).hasValue(3);
        assertThat(c).isNotEqualTo(c2);
        assertThat(c4.toString()).contains("mail=3");
        // the same descriptors at other versions are another catalog
        assertThat(ServiceCatalog.of(ServiceDescriptor.builder("mail").version("2").build())).isNotEqualTo(c3);
    }
}
