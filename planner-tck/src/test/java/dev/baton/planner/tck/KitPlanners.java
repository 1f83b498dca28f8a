package dev.baton.planner.tck;

import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import dev.baton.planner.Action;
import dev.baton.planner.NotActionable;
import dev.baton.planner.Planner;
import dev.baton.planner.PlannerException;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.ServiceDescriptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal correct planner for the kit's own tests, and planners that each break one rule of the contract.
 */
final class KitPlanners {

    static final ServiceCatalog CATALOG = ServiceCatalog.of(
            ServiceDescriptor.builder("search").description("Finds articles about a topic").build(),
            ServiceDescriptor.builder("summarise").description("Summarises a text").build());

    static final PlanningRequest ACTIONABLE = PlanningRequest.first(
            Action.of("summarise the news", Map.of("topic", "java")), CATALOG);
    static final PlanningRequest NOT_ACTIONABLE = PlanningRequest.first(
            Action.of("refund the order", Map.of("orderId", "O1")), CATALOG);
    static final PlanningRequest UNPLANNABLE = PlanningRequest.first(
            Action.of("teleport the order", Map.of("orderId", "O1")), CATALOG);

    private KitPlanners() {
    }

    /** Plans news summaries, cannot refund, fails to teleport. Stateless, so thread-safe. */
    static class Correct implements Planner {

        @Override
        public Plan plan(PlanningRequest request) {
            String intent = request.action().intent();
            if (intent.contains("refund")) {
                return notActionable(request);
            }
            if (intent.contains("teleport")) {
                return unplannable(request);
            }
            return actionable(request);
        }

        Plan actionable(PlanningRequest request) {
            return Plan.builder().params(request.action().params())
                    .task("task1", "search", Map.of("q", "$task0.topic"))
                    .task("task2", "summarise", Map.of("text", "$task1"))
                    .build();
        }

        Plan notActionable(PlanningRequest request) {
            return NotActionable.plan(request.action().params(), "no service can refund an order");
        }

        Plan unplannable(PlanningRequest request) {
            throw new PlannerException("NO_TELEPORTER", "no plan can teleport an order");
        }

        @Override
        public String name() {
            return "minimal";
        }
    }

    /** Plans a task for a service the catalog does not hold. */
    static final class UnknownService extends Correct {
        @Override
        Plan actionable(PlanningRequest request) {
            return Plan.builder().params(request.action().params())
                    .task("task1", "search", Map.of("q", "$task0.topic"))
                    .task("task2", "teleporter", Map.of("text", "$task1"))
                    .build();
        }
    }

    /** Plans a task for a service the catalog does not hold on a later attempt and a revision, not on a first one. */
    static final class UnknownServiceWhenAskedAgain extends Correct {
        @Override
        Plan actionable(PlanningRequest request) {
            if (request.attempt() == 1 && request.revision() == null) {
                return super.actionable(request);
            }
            return Plan.builder().params(request.action().params())
                    .task("task1", "search", Map.of("q", "$task0.topic"))
                    .task("task2", "teleporter", Map.of("text", "$task1"))
                    .build();
        }
    }

    /** Fails with a code that starts with a digit: upper-case letters, digits and underscores, as the javadoc allows. */
    static final class CodeStartingWithADigit extends Correct {
        @Override
        Plan unplannable(PlanningRequest request) {
            throw new PlannerException("429_UPSTREAM", "the upstream planner refused to teleport an order");
        }
    }

    /** Fails with an IllegalStateException instead of a PlannerException. */
    static final class ThrowsIllegalState extends Correct {
        @Override
        Plan unplannable(PlanningRequest request) {
            throw new IllegalStateException("no teleporter");
        }
    }

    /** Returns null on a later attempt instead of a plan or a PlannerException. */
    static final class NullOnLaterAttempt extends Correct {
        @Override
        Plan actionable(PlanningRequest request) {
            return request.attempt() > 1 ? null : super.actionable(request);
        }
    }

    /** Fails with a message that quotes the request's catalog and parameters. */
    static final class QuotesTheRequest extends Correct {
        @Override
        Plan unplannable(PlanningRequest request) {
            throw new PlannerException("NO_TELEPORTER", "cannot teleport with " + request.catalog().services()
                    + " and " + request.action().params() + " after " + request.previousProblems());
        }
    }

    /** Answers an ordinary plan where it should answer not actionable. */
    static final class NeverNotActionable extends Correct {
        @Override
        Plan notActionable(PlanningRequest request) {
            return actionable(request);
        }
    }

    /** A name that changes on every call. */
    static final class UnstableName extends Correct {
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return "minimal-" + calls.incrementAndGet();
        }
    }

    /**
     * Calls made on the thread that built the planner (the kit's test thread) are planned alone; calls from other
     * threads meet, {@code parties} at a time, at barriers inside the planner, so that the race a planner without
     * synchronisation would run is run every time, deterministically.
     */
    abstract static class Racing extends Correct {
        private final Thread creator = Thread.currentThread();
        private final CyclicBarrier first;
        private final CyclicBarrier second;

        Racing(int parties, Runnable betweenRounds) {
            this.first = new CyclicBarrier(parties);
            this.second = new CyclicBarrier(parties, betweenRounds);
        }

        final boolean alone() {
            return Thread.currentThread() == creator;
        }

        final void meet(CyclicBarrier barrier) {
            try {
                barrier.await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the racing calls did not meet", e);
            }
        }

        final void meetFirst() {
            meet(first);
        }

        final void meetSecond() {
            meet(second);
        }
    }

    /** Not thread-safe: concurrent calls build their tasks in one shared list. */
    static final class SharedTaskList extends Racing {
        private final List<Task> scratch;

        SharedTaskList(int parties) {
            this(parties, new ArrayList<>());
        }

        private SharedTaskList(int parties, List<Task> scratch) {
            super(parties, () -> {
                synchronized (scratch) {
                    scratch.clear();
                }
            });
            this.scratch = scratch;
        }

        @Override
        public Plan plan(PlanningRequest request) {
            if (alone()) {
                return super.plan(request);
            }
            Plan own = null;
            RuntimeException failure = null;
            try {
                own = super.plan(request);
            } catch (RuntimeException e) {
                failure = e;
            }
            boolean ordinary = own != null && !NotActionable.test(own);
            if (ordinary) {
                synchronized (scratch) {
                    own.tasks().stream().filter(t -> !t.isParams()).forEach(scratch::add);
                }
            }
            meetFirst();
            List<Task> tasks = new ArrayList<>();
            if (ordinary) {
                tasks.add(own.tasks().get(0));
                synchronized (scratch) {
                    tasks.addAll(scratch);
                }
            }
            meetSecond();
            if (failure != null) {
                throw failure;
            }
            return ordinary ? Plan.of(tasks, List.of()) : own;
        }
    }

    /** Not thread-safe: keeps the request being planned in a field that concurrent calls overwrite. */
    static final class LastRequestWins extends Racing {
        private volatile PlanningRequest current;

        LastRequestWins(int parties) {
            super(parties, () -> { });
        }

        @Override
        public Plan plan(PlanningRequest request) {
            if (alone()) {
                return super.plan(request);
            }
            current = request;
            meetFirst();
            PlanningRequest planned = current;
            meetSecond();
            return super.plan(planned);
        }
    }
}
