package dev.baton.planner.tck;

import dev.baton.planner.DefinitionRepository;
import dev.baton.planner.PlanDefinition;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The definition repository kit itself: the in-memory repository passes it, and each flaw fails its tests. */
class DefinitionRepositoryKitTest {

    /** How the next run of {@link Kit} breaks the in-memory repository; the engine test kit runs on this thread. */
    static volatile UnaryOperator<DefinitionRepository> flaw = UnaryOperator.identity();

    /** The kit on the in-memory repository as {@link #flaw} changes it. Nested, so the build's scan skips it. */
    static final class Kit extends DefinitionRepositoryContractTest {
        @Override
        protected DefinitionRepository createRepository() {
            return flaw.apply(DefinitionRepository.inMemory());
        }
    }

    /** Passes every call on; a flaw overrides one. */
    private static class Forwarding implements DefinitionRepository {
        final DefinitionRepository next;

        Forwarding(DefinitionRepository next) {
            this.next = next;
        }

        @Override
        public boolean save(PlanDefinition definition) {
            return next.save(definition);
        }

        @Override
        public Optional<PlanDefinition> get(String name, int version) {
            return next.get(name, version);
        }

        @Override
        public Optional<PlanDefinition> latest(String name) {
            return next.latest(name);
        }

        @Override
        public List<PlanDefinition> list() {
            return next.list();
        }
    }

    @Test
    void theInMemoryRepositoryPassesEveryTest() {
        flaw = UnaryOperator.identity();
        Events tests = run();
        assertThat(tests.failed().count()).isZero();
        assertThat(tests.succeeded().count()).isEqualTo(8);
    }

    @Test
    void aRepositoryWhoseLatestIsTheLastSavedFails() {
        flaw = next -> new Forwarding(next) {
            final Map<String, PlanDefinition> last = new HashMap<>();

            @Override
            public synchronized boolean save(PlanDefinition d) {
                last.put(d.name(), d);
                return next.save(d);
            }

            @Override
            public synchronized Optional<PlanDefinition> latest(String name) {
                return Optional.ofNullable(last.get(name));
            }
        };
        // the race of many versions catches it too, unless the highest version happened to be saved last
        assertThat(failed()).contains("latestIsTheHighestVersionWhateverTheOrderOfSaving")
                .isSubsetOf("latestIsTheHighestVersionWhateverTheOrderOfSaving",
                        "concurrentSavesOfManyVersionsKeepThemAll");
    }

    @Test
    void aRepositoryThatOverwritesFails() {
        flaw = next -> new Forwarding(next) {
            final Map<String, PlanDefinition> kept = new HashMap<>();

            @Override
            public synchronized boolean save(PlanDefinition d) {
                kept.put(d.name() + "@" + d.version(), d);
                return true;
            }

            @Override
            public synchronized Optional<PlanDefinition> get(String name, int version) {
                return Optional.ofNullable(kept.get(name + "@" + version));
            }

            @Override
            public synchronized Optional<PlanDefinition> latest(String name) {
                return kept.values().stream().filter(d -> d.name().equals(name))
                        .max(java.util.Comparator.comparingInt(PlanDefinition::version));
            }

            @Override
            public synchronized List<PlanDefinition> list() {
                List<PlanDefinition> all = new ArrayList<>(kept.values());
                all.sort(java.util.Comparator.comparing(PlanDefinition::name)
                        .thenComparingInt(PlanDefinition::version));
                return all;
            }
        };
        assertThat(failed()).containsExactlyInAnyOrder("savingTheIdenticalDefinitionAgainDoesNothing",
                "otherContentUnderASavedNameAndVersionIsAConflictThatChangesNothing",
                "concurrentSavesOfOneVersionKeepExactlyOne");
    }

    @Test
    void aRepositoryThatListsInAnotherOrderFails() {
        flaw = next -> new Forwarding(next) {
            @Override
            public List<PlanDefinition> list() {
                List<PlanDefinition> all = new ArrayList<>(next.list());
                all.sort(java.util.Comparator.comparing((PlanDefinition d) -> d.name().toLowerCase())
                        .thenComparingInt(PlanDefinition::version));
                return all;
            }
        };
        assertThat(failed()).containsExactly("listIsOrderedByNameInCodePointOrderThenByVersion");
    }

    private static List<String> failed() {
        return run().failed().stream()
                .map(e -> ((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName())
                .toList();
    }

    private static Events run() {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(Kit.class)).execute().testEvents();
    }
}
