package dev.baton.planner.llm;

import dev.baton.plan.Plan;
import dev.baton.planner.PlannerException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Any reply text either gives a plan or a {@link PlannerException}; nothing else escapes. Seeded; prints its seed. */
class ReplyFuzzTest {

    private static final String[] PIECES = {"{", "}", "[", "]", "\"", "\\", ":", ",", "```", "```json\n", "\n",
            "tasks", "\"tasks\"", "\"id\"", "\"task1\"", "\"service\"", "\"input\"", "{}", "[]", "null", "1e999",
            "-0", "true", "prose ", "$task0.x", "\"parallel_groups\"", "\u00e9", "\ud83d\ude00", " "};

    @Test
    void everyReplyIsAPlanOrATypedError() {
        long seed = System.nanoTime();
        System.out.println("ReplyFuzzTest seed " + seed);
        Random random = new Random(seed);
        LlmPlanner planner = LlmPlanner.builder().baseUrl(URI.create("http://127.0.0.1:9/v1")).model("m").build();
        for (int i = 0; i < 3_000; i++) {
            StringBuilder sb = new StringBuilder();
            if (random.nextInt(4) == 0) {
                sb.append("{\"tasks\": [{\"id\": \"task1\", \"service\": \"s\", \"input\": {");
            }
            int n = random.nextInt(30);
            for (int k = 0; k < n; k++) {
                sb.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String reply = sb.toString();
            try {
                Plan p = planner.readPlan(reply);
                assertThat(p).isNotNull();
            } catch (PlannerException expected) {
                assertThat(expected.code()).isIn(PlannerException.NO_PLAN_IN_REPLY, PlannerException.UNREADABLE_PLAN);
                assertThat(expected.replannable()).isTrue();
            } catch (RuntimeException e) {
                fail("seed " + seed + ", reply " + reply + ": " + e, e);
            }
        }
        assertThat(planner.readPlan("ok ```json\n{\"tasks\": [{\"id\": \"a\", \"service\": \"s\", \"input\": {}}]}\n```")
                .tasks()).hasSize(1);
    }
}
