package dev.baton.store.jdbc;

import dev.baton.event.ErrorInfo;
import dev.baton.event.FailedAttempt;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.SequenceConflictException;
import dev.baton.plan.Plan;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Events whose JSON is longer than an events row holds (1,000,000 characters on H2): kept whole in the overflow
 * table, read back by every read path, removed by purge. Subclasses give the database; the same code path serves
 * both dialects.
 */
abstract class LargeEventChecks {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** 3,000,000 characters, not all ASCII (H2 and PostgreSQL count characters, UTF-8 takes more bytes). */
    static final String BIG = "\u00fc\u20acx".repeat(1_000_000);
    private static final AtomicInteger TABLES = new AtomicInteger();

    /** @return the database under test; shared by the tests, which isolate themselves by table prefix */
    protected abstract DataSource dataSource();

    /** @return its dialect */
    protected abstract JdbcRunStore.Dialect dialect();

    private String prefix() {
        return "big" + TABLES.incrementAndGet() + "_";
    }

    private JdbcRunStore store(String prefix) {
        return JdbcRunStore.builder(dataSource(), dialect()).tablePrefix(prefix).completedCacheSize(0).build();
    }

    static List<RunEvent> created(String id) {
        Plan plan = Plan.builder().task("t", "svc", Map.of()).task("u", "svc", Map.of()).build();
        return List.of(new RunCreated(id, 1, T0, plan, new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null)));
    }

    static TaskCompleted bigCompletion(String id, long seq, String task) {
        return new TaskCompleted(id, seq, T0, task, id + "/" + task, 1, Map.of("doc", BIG, "n", (int) seq), false);
    }

    @Test
    void aLargeOutputRoundTripsThroughEveryReadPath() throws Exception {
        String p = prefix();
        String id = "r1";
        List<RunEvent> log = new java.util.ArrayList<>(created(id));
        log.add(new TaskStarted(id, 2, T0, "t", id + "/t", 1, Map.of()));
        log.add(bigCompletion(id, 3, "t")); // in a new run's append: the insert of all its events
        try (JdbcRunStore store = store(p)) {
            store.append(id, 0, log, null, T0);
            // a continuing append whose first event is large (H2's per-row INSERT ... SELECT, PostgreSQL's arrays)
            // and one with a large event after a small one
            List<RunEvent> next = List.of(bigCompletion(id, 4, "u"));
            store.append(id, 3, next, null, T0);
            log.addAll(next);
            List<RunEvent> last = List.of(new TaskStarted(id, 5, T0, "t", id + "/t", 2, Map.of()),
                    bigCompletion(id, 6, "t"), new RunCompleted(id, 7, T0));
            store.append(id, 4, last, null, T0);
            log.addAll(last);
        }
        try (JdbcRunStore store = store(p)) { // read by a new instance: nothing from a cache
            assertSame(store.events(id), log);
            assertSame(List.of(store.completedExecution(id + "/u").orElseThrow()), log.subList(3, 4));
            assertSame(List.of(store.completedExecution(id + "/t").orElseThrow()), log.subList(5, 6));
            assertThat(store.run(id).orElseThrow().lastSeq()).isEqualTo(7);
        }
        // the events rows hold markers, the overflow rows the JSON
        assertThat(count("SELECT COUNT(*) FROM " + p + "event_overflow WHERE run_id = 'r1'")).isEqualTo(3);
        assertThat(count("SELECT MAX(LENGTH(payload)) FROM " + p + "events")).isLessThan(2_000);
        assertThat(count("SELECT MIN(LENGTH(payload)) FROM " + p + "event_overflow")).isGreaterThan(3_000_000);
    }

    @Test
    void anEventOfExactlyTheRowsLengthStaysInItsRowAndOneCharacterMoreGoesApart() throws Exception {
        String p = prefix();
        EventCodec codec = new EventCodec();
        try (JdbcRunStore store = store(p)) {
            for (String id : List.of("fits", "over")) {
                int overhead = codec.encode(new TaskCompleted(id, 2, T0, "t", id + "/t", 1, Map.of("doc", ""), false))
                        .length();
                int chars = StoredPayload.INLINE_MAX - overhead + (id.equals("over") ? 1 : 0);
                // not ASCII: H2's column counts characters, not bytes
                List<RunEvent> two = List.of(created(id).get(0), new TaskCompleted(id, 2, T0, "t", id + "/t", 1,
                        Map.of("doc", "\u20ac".repeat(chars)), false));
                assertThat(codec.encode(two.get(1)).length() - (id.equals("over") ? 1 : 0))
                        .isEqualTo(StoredPayload.INLINE_MAX);
                store.append(id, 0, two, null, T0);
                assertSame(store.events(id), two);
            }
        }
        assertThat(count("SELECT COUNT(*) FROM " + p + "event_overflow WHERE run_id = 'fits'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM " + p + "event_overflow WHERE run_id = 'over'")).isEqualTo(1);
    }

    @Test
    void aLargeEventAtATakenSeqIsASequenceConflictAndWritesNothing() throws Exception {
        String p = prefix();
        try (JdbcRunStore store = store(p)) {
            store.append("r", 0, created("r"), null, T0);
            store.append("r", 1, List.of(new TaskStarted("r", 2, T0, "t", "r/t", 1, Map.of())), null, T0);
            assertThatThrownBy(() -> store.append("r", 1, List.of(bigCompletion("r", 2, "t")), null, T0))
                    .isInstanceOf(SequenceConflictException.class);
            // a gap: the log ends at 2, not 4
            assertThatThrownBy(() -> store.append("r", 4, List.of(bigCompletion("r", 5, "t")), null, T0))
                    .isInstanceOf(SequenceConflictException.class);
            assertThat(count("SELECT COUNT(*) FROM " + p + "event_overflow")).isZero();
            assertThat(store.events("r")).hasSize(2);
            store.append("r", 2, List.of(bigCompletion("r", 3, "t")), null, T0);
            assertSame(store.events("r").subList(2, 3), List.of(bigCompletion("r", 3, "t")));
        }
    }

    @Test
    void aLargeDeadLetterIsListedAndPurgeRemovesEveryRowOfALargeRun() throws Exception {
        String p = prefix();
        TaskDeadLettered dead = new TaskDeadLettered("r", 3, T0, "t", "r/t", "svc", Map.of("doc", BIG),
                List.of(new FailedAttempt(1, T0, new ErrorInfo("BOOM", BIG.substring(0, 1000), "x.Boom"))));
        try (JdbcRunStore store = store(p)) {
            store.append("r", 0, created("r"), null, T0);
            store.append("r", 1, List.of(new TaskStarted("r", 2, T0, "t", "r/t", 1, Map.of("doc", BIG)), dead),
                    null, T0);
            store.append("small", 0, created("small"), null, T0);
            assertSame(List.copyOf(store.deadLetters()), List.of(dead));
            assertSame(store.events("r").subList(2, 3), List.of(dead));

            store.append("r", 3, List.of(new RunCompleted("r", 4, T0.plusSeconds(1))), null, T0);
            store.append("small", 1, List.of(new RunCompleted("small", 2, T0.plusSeconds(1))), null, T0);
            assertThat(count("SELECT COUNT(*) FROM " + p + "event_overflow")).isEqualTo(2);
            assertThat(store.purge(T0.plusSeconds(2))).isEqualTo(2);
            assertThat(count("SELECT COUNT(*) FROM " + p + "event_overflow")).isZero();
            assertThat(store.events("r")).isEmpty();
            assertThat(store.deadLetters()).isEmpty();
            // the run id may be used again, large events and all
            store.append("r", 0, created("r"), null, T0);
            store.append("r", 1, List.of(new TaskStarted("r", 2, T0, "t", "r/t", 1, Map.of("doc", BIG))), null, T0);
            assertThat(store.events("r")).hasSize(2);
        }
    }

    @Test
    void anEventLongerThanTheLimitFailsNamingTheRunTheSeqAndTheSizeAndWritesNothing() throws Exception {
        String p = prefix();
        try (JdbcRunStore store = JdbcRunStore.builder(dataSource(), dialect()).tablePrefix(p)
                .maxEventChars(2_000_000).build()) {
            store.append("r", 0, created("r"), null, T0);
            List<RunEvent> two = List.of(new TaskStarted("r", 2, T0, "t", "r/t", 1, Map.of()),
                    bigCompletion("r", 3, "t"));
            assertThatThrownBy(() -> store.append("r", 1, two, null, T0))
                    .isInstanceOfSatisfying(EventTooLargeException.class, e -> {
                        assertThat(e.runId()).isEqualTo("r");
                        assertThat(e.seq()).isEqualTo(3);
                        assertThat(e.chars()).isGreaterThan(3_000_000);
                        assertThat(e.limit()).isEqualTo(2_000_000);
                    })
                    .hasMessageStartingWith("run 'r', seq 3: the event (TaskCompleted) is ")
                    .hasMessageContaining("more than the store accepts (2000000)");
            assertThat(store.events("r")).hasSize(1);
        }
        assertThatThrownBy(() -> JdbcRunStore.builder(dataSource(), dialect()).maxEventChars(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JdbcRunStore.builder(dataSource(), dialect()).maxEventChars(256 * 1024 * 1024 + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Compares logs without printing megabytes of JSON on a failure: names the seqs that differ. */
    static void assertSame(List<? extends RunEvent> actual, List<? extends RunEvent> expected) {
        List<Long> differing = new java.util.ArrayList<>();
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            if (i >= actual.size() || i >= expected.size() || !actual.get(i).equals(expected.get(i))) {
                differing.add(i < expected.size() ? expected.get(i).seq() : actual.get(i).seq());
            }
        }
        assertThat(differing).as("seqs read back otherwise than written (" + actual.size() + " events read, "
                + expected.size() + " written)").isEmpty();
    }

    long count(String query) throws SQLException {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
