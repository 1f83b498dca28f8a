package dev.baton.store;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskSkipped;
import dev.baton.event.TaskStarted;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompactLogTest {

    @Test
    void aLogOfSeveralSegmentsReadsBackEveryEventAtItsPosition() {
        // 2,500 tasks: the first segment grows to its full size, then two more are added (and the segment table grows)
        CompactLog log = new CompactLog("big");
        Instant t = Instant.parse("2026-03-01T10:15:30Z");
        List<RunEvent> in = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            in.add(new TaskStarted("big", in.size() + 1, t.plusNanos(i), "t" + i, "big/t" + i, 1, Map.of("i", i)));
            in.add(i % 7 == 0
                    ? new TaskSkipped("big", in.size() + 1, t, "u" + i, "t" + i)
                    : new TaskCompleted("big", in.size() + 1, t.plusMillis(i), "t" + i, "big/t" + i, 1, i, false));
        }
        for (RunEvent e : in) {
            log.add(e);
        }
        assertThat(log.size()).isEqualTo(5_000);
        assertThat(log.snapshot()).containsExactlyElementsOf(in);
        for (int k : new int[]{0, 1, 1_023, 1_024, 1_025, 2_047, 2_048, 4_999}) {
            assertThat(log.get(k)).as("position %d", k).isEqualTo(in.get(k));
            assertThat(log.isCompletion(k)).as("position %d", k).isEqualTo(in.get(k) instanceof TaskCompleted);
            assertThat(log.stored(k)).as("position %d", k)
                    .isEqualTo(in.get(k) instanceof TaskSkipped ? in.get(k) : null);
        }
    }

    @Test
    void eventsReadBackEqualToWhatWasAppended() {
        CompactLog log = new CompactLog("r");
        Instant t = Instant.parse("2026-03-01T10:15:30.123456789Z");
        List<RunEvent> in = new ArrayList<>();
        for (int i = 0; i < 20; i++) { // past the initial capacity
            int seq = in.size() + 1;
            in.add(i % 3 == 2
                    ? new TaskSkipped("r", seq, t, "t" + i, "t0")
                    : new TaskStarted("r", seq, t.plusNanos(i), "t" + i, "r/t" + i, 1, Map.of("k", i)));
            in.add(new TaskCompleted("r", in.size() + 1, t.plusSeconds(i), "t" + i, "r/t" + i, 2, i % 2 == 0 ? null : "x",
                    i % 4 == 0));
        }
        in.forEach(log::add);
        assertThat(log.size()).isEqualTo(in.size());
        assertThat(log.snapshot()).containsExactlyElementsOf(in);
        assertThat(log.isCompletion(1)).isTrue();
        assertThat(log.isCompletion(0)).isFalse();
        assertThat(log.stored(0)).isNull();               // a start is kept as fields
        assertThat(log.stored(4)).isEqualTo(in.get(4));   // a skip is kept as it is
    }

    @Test
    void timesBeforeTheEpochAndFarOutsideTheNanosecondRangeSurvive() {
        CompactLog log = new CompactLog("r");
        TaskStarted early = new TaskStarted("r", 1, Instant.parse("1950-01-01T00:00:00.000000001Z"), "a", "r/a", 1, Map.of());
        TaskCompleted far = new TaskCompleted("r", 2, Instant.MAX, "a", "r/a", 1, 1, false);
        TaskCompleted noTime = new TaskCompleted("r", 3, null, "a", "r/a", 1, 1, false);
        log.add(early);
        log.add(far);
        log.add(noTime);
        assertThat(log.snapshot()).containsExactly(early, far, noTime);
        assertThat(log.stored(1)).isSameAs(far);
        assertThat(log.isCompletion(2)).isTrue();
    }

    @Test
    void executionIdsOfAnyShapeComeBack() {
        CompactLog log = new CompactLog("run-1");
        Instant t = Instant.EPOCH;
        List<RunEvent> in = List.of(
                new TaskStarted("run-1", 1, t, "a", "run-1/a", 1, Map.of()),     // derived: not kept, spelled again
                new TaskStarted("run-1", 2, t, "b", "other/b", 1, Map.of()),
                new TaskStarted("run-1", 3, t, "c", "run-1/cc", 1, Map.of()),
                new TaskStarted("run-1", 4, t, "d", "run-1-d", 1, Map.of()),
                new TaskCompleted("run-1", 5, t, "a", null, 1, null, false),
                new TaskCompleted("run-1", 6, t, null, "run-1/", 1, null, false));
        in.forEach(log::add);
        assertThat(log.snapshot()).containsExactlyElementsOf(in);
    }

    @Test
    void snapshotsAreReadOnly() {
        CompactLog log = new CompactLog("r");
        log.add(new TaskSkipped("r", 1, Instant.EPOCH, "a", null));
        List<RunEvent> snap = log.snapshot();
        assertThatThrownBy(() -> snap.add(snap.get(0))).isInstanceOf(UnsupportedOperationException.class);
    }
}
