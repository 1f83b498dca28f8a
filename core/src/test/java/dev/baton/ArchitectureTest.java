package dev.baton;

import dev.baton.persistence.RunStore;
import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three tiers hold: public signatures of the published API and SPIs never mention an internal, Jackson,
 * Caffeine or networknt type, and every public top-level type outside {@code internal} has a javadoc comment.
 * Signatures are read by reflection from core and the two SPI modules (found wherever the test classpath has
 * them); javadoc presence is read from the sources of every published module: core, the SPIs, the contract kits,
 * the adapters, the service kit and the CLI; no source outside core names the internal tier.
 */
class ArchitectureTest {

    private static final List<String> FORBIDDEN = List.of(
            "dev.baton.internal.", "com.fasterxml.", "com.github.benmanes.", "com.networknt.");

    /** Source roots, relative to the core module's base directory (the test's working directory). */
    private static final List<String> SOURCE_ROOTS = List.of(
            "src/main/java",
            "../planner-spi/src/main/java",
            "../persistence-spi/src/main/java",
            "../persistence-tck/src/main/java",
            "../planner-tck/src/main/java",
            "../transport-tck/src/main/java",
            "../adapters/json/src/main/java",
            "../adapters/persistence-jdbc/src/main/java",
            "../adapters/planner-llm/src/main/java",
            "../adapters/transport-http/src/main/java",
            "../adapters/metrics-micrometer/src/main/java",
            "../service/src/main/java",
            "../cli/src/main/java");

    private static final Pattern PUBLIC_TOP_LEVEL = Pattern.compile(
            "^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)",
            Pattern.MULTILINE);

    @Test
    void publicSignaturesMentionNoInternalOrThirdPartyType() {
        Set<String> names = new TreeSet<>();
        names.addAll(classNamesBeside(Orchestrator.class));
        names.addAll(classNamesBeside(Plan.class));
        names.addAll(classNamesBeside(RunStore.class));
        assertThat(names).as("classes scanned").contains(Orchestrator.class.getName(), Plan.class.getName());

        List<String> violations = new ArrayList<>();
        for (String name : names) {
            if (name.startsWith("dev.baton.internal.") || name.endsWith("package-info")) {
                continue;
            }
            Class<?> type = load(name);
            if (isExported(type)) {
                checkType(type, violations);
            }
        }
        assertThat(violations).as("public signatures that leak a forbidden type").isEmpty();
    }

    @Test
    void everyPublicTopLevelTypeHasJavadoc() throws IOException {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String root : SOURCE_ROOTS) {
            Path dir = Paths.get(root);
            assertThat(dir).as("source root " + root).isDirectory();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(p -> p.toString().endsWith(".java"))
                        .filter(p -> !p.getFileName().toString().equals("package-info.java"))
                        .filter(p -> !dir.relativize(p).toString().replace('\\', '/').startsWith("dev/baton/internal/"))
                        .sorted()
                        .toList();
            }
            for (Path file : files) {
                String source = Files.readString(file, StandardCharsets.UTF_8);
                Matcher m = PUBLIC_TOP_LEVEL.matcher(source);
                while (m.find()) {
                    checked++;
                    if (!javadocBefore(source, m.start())) {
                        missing.add(root + "/" + dir.relativize(file).toString().replace('\\', '/') + ": " + m.group(1));
                    }
                }
            }
        }
        assertThat(checked).as("public top-level types found").isPositive();
        assertThat(missing).as("public types without a /** comment").isEmpty();
    }

    @Test
    void nothingOutsideCoreTouchesTheInternalTier() throws IOException {
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        List<String> roots = new ArrayList<>();
        for (String root : SOURCE_ROOTS) {
            if (!root.equals("src/main/java")) {
                roots.add(root);
                roots.add(root.replace("/src/main/java", "/src/test/java"));
            }
        }
        roots.addAll(List.of("../integration-tests/src/test/java", "../examples/src/main/java",
                "../benchmarks/src/main/java"));
        for (String root : roots) {
            Path dir = Paths.get(root);
            if (!Files.isDirectory(dir)) {
                continue; // a module without tests
            }
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            }
            for (Path file : files) {
                checked++;
                if (Files.readString(file, StandardCharsets.UTF_8).contains("dev.baton.internal")) {
                    offenders.add(root + "/" + dir.relativize(file).toString().replace('\\', '/'));
                }
            }
        }
        assertThat(checked).as("sources read").isGreaterThan(100);
        assertThat(offenders).as("sources outside core that name dev.baton.internal").isEmpty();
    }

    /** True when the declaration at {@code index}, past its annotations, is preceded by a {@code /** ... *\/}. */
    private static boolean javadocBefore(String source, int index) {
        String[] lines = source.substring(0, index).split("\n", -1);
        int i = lines.length - 1;
        while (i >= 0 && (lines[i].isBlank() || lines[i].trim().startsWith("@") || insideAnnotation(lines, i))) {
            i--;
        }
        if (i < 0 || !lines[i].trim().endsWith("*/")) {
            return false;
        }
        for (; i >= 0; i--) {
            int open = lines[i].lastIndexOf("/*");
            if (open >= 0) {
                return lines[i].startsWith("/**", open);
            }
        }
        return false;
    }

    /** True when line {@code i} continues an annotation whose arguments began on an earlier line. */
    private static boolean insideAnnotation(String[] lines, int i) {
        for (int k = i; k >= 0; k--) {
            String t = lines[k].trim();
            if (t.startsWith("@")) {
                return k < i;
            }
            if (t.endsWith("*/") || t.endsWith(";") || t.endsWith("{") || t.endsWith("}")) {
                return false;
            }
        }
        return false;
    }

    private static boolean isExported(Class<?> type) {
        if (type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
            return false;
        }
        int mods = type.getModifiers();
        if (type.getDeclaringClass() == null) {
            return Modifier.isPublic(mods);
        }
        return (Modifier.isPublic(mods) || Modifier.isProtected(mods)) && isExported(type.getDeclaringClass());
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void checkType(Class<?> type, List<String> violations) {
        String owner = type.getName();
        for (TypeVariable<?> v : type.getTypeParameters()) {
            check(owner + " type parameter " + v.getName(), v, violations);
        }
        if (type.getGenericSuperclass() != null) {
            check(owner + " superclass", type.getGenericSuperclass(), violations);
        }
        for (Type i : type.getGenericInterfaces()) {
            check(owner + " interface", i, violations);
        }
        for (Field f : type.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) {
                check(owner + "." + f.getName(), f.getGenericType(), violations);
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (visible(c.getModifiers()) && !c.isSynthetic()) {
                checkExecutable(owner + ".<init>", c, violations);
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                checkExecutable(owner + "." + m.getName(), m, violations);
                check(owner + "." + m.getName() + " return", m.getGenericReturnType(), violations);
            }
        }
    }

    private static void checkExecutable(String where, Executable e, List<String> violations) {
        for (TypeVariable<?> v : e.getTypeParameters()) {
            check(where + " type parameter " + v.getName(), v, violations);
        }
        for (Type p : e.getGenericParameterTypes()) {
            check(where + " parameter", p, violations);
        }
        for (Type x : e.getGenericExceptionTypes()) {
            check(where + " throws", x, violations);
        }
    }

    private static void check(String where, Type type, List<String> violations) {
        Set<String> found = new TreeSet<>();
        collect(type, found, new HashSet<>());
        for (String name : found) {
            if (FORBIDDEN.stream().anyMatch(name::startsWith)) {
                violations.add(where + " mentions " + name);
            }
        }
    }

    private static void collect(Type type, Set<String> names, Set<Type> seen) {
        if (type == null || !seen.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            names.add(c.getName());
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), names, seen);
            collect(p.getOwnerType(), names, seen);
            for (Type a : p.getActualTypeArguments()) {
                collect(a, names, seen);
            }
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collect(b, names, seen);
            }
            for (Type b : w.getLowerBounds()) {
                collect(b, names, seen);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                collect(b, names, seen);
            }
        } else if (type instanceof GenericArrayType g) {
            collect(g.getGenericComponentType(), names, seen);
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, ArchitectureTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot load " + name, e);
        }
    }

    /** Every class name in the classes folder or jar that holds {@code anchor}. */
    private static Set<String> classNamesBeside(Class<?> anchor) {
        Path location;
        try {
            location = Paths.get(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Set<String> names = new TreeSet<>();
        try {
            if (Files.isDirectory(location)) {
                try (Stream<Path> walk = Files.walk(location)) {
                    walk.map(location::relativize)
                            .map(p -> p.toString().replace('\\', '/'))
                            .filter(p -> p.endsWith(".class") && !p.endsWith("module-info.class"))
                            .forEach(p -> names.add(toClassName(p)));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        String p = entries.nextElement().getName();
                        if (p.endsWith(".class") && !p.endsWith("module-info.class") && !p.startsWith("META-INF/")) {
                            names.add(toClassName(p));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static String toClassName(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }
}
