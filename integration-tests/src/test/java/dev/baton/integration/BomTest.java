package dev.baton.integration;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code baton-bom} manages exactly the artifacts the build publishes, each at the reactor's version, and nothing
 * else: a module added to the build without its line in the BOM, or a version bump that missed it, fails here.
 */
class BomTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void managesEveryPublishedModuleAtTheReactorVersionAndNothingElse() throws Exception {
        Document root = parse(ROOT.resolve("pom.xml"));
        Document bom = parse(ROOT.resolve("bom/pom.xml"));
        String version = child(root.getDocumentElement(), "version").getTextContent().trim();

        assertThat(child(bom.getDocumentElement(), "artifactId").getTextContent().trim()).isEqualTo("baton-bom");
        assertThat(child(bom.getDocumentElement(), "version").getTextContent().trim()).isEqualTo(version);
        // a parent would leak the build's own dependency management (test libraries, pinned transitive versions)
        assertThat(child(bom.getDocumentElement(), "parent")).isNull();

        Map<String, String> published = new TreeMap<>();
        for (Element module : children(child(root.getDocumentElement(), "modules"), "module")) {
            String dir = module.getTextContent().trim();
            if (dir.equals("bom")) {
                continue;
            }
            Document pom = parse(ROOT.resolve(dir).resolve("pom.xml"));
            if (!"true".equals(property(pom, "maven.deploy.skip"))) {
                published.put(child(pom.getDocumentElement(), "artifactId").getTextContent().trim(), "${project.version}");
            }
        }

        Map<String, String> managed = new TreeMap<>();
        Element management = child(child(bom.getDocumentElement(), "dependencyManagement"), "dependencies");
        for (Element dep : children(management, "dependency")) {
            assertThat(child(dep, "groupId").getTextContent().trim()).isEqualTo("dev.baton");
            managed.put(child(dep, "artifactId").getTextContent().trim(), child(dep, "version").getTextContent().trim());
        }
        assertThat(published).containsKey("baton-core").hasSizeGreaterThan(5);
        assertThat(managed).isEqualTo(published);
    }

    private static String property(Document pom, String name) {
        Element props = child(pom.getDocumentElement(), "properties");
        Element p = props == null ? null : child(props, name);
        return p == null ? null : p.getTextContent().trim();
    }

    private static Document parse(Path file) throws Exception {
        assertThat(file).exists();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (var in = Files.newInputStream(file)) {
            return f.newDocumentBuilder().parse(in);
        }
    }

    /** The first direct child element of that name, or null. */
    private static Element child(Element parent, String name) {
        List<Element> all = children(parent, name);
        return all.isEmpty() ? null : all.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }
}
