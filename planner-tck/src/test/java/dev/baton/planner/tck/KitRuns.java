package dev.baton.planner.tck;

import dev.baton.planner.Planner;
import dev.baton.planner.PlanningRequest;
import org.junit.jupiter.api.Nested;

/**
 * The kit extended for each of {@link KitPlanners}' planners. Not run by the build itself (nested classes of a class
 * that is not a test): {@link PlannerContractKitTest} runs them with the JUnit Platform test kit and checks which kit
 * tests fail.
 */
final class KitRuns {

    private KitRuns() {
    }

    /** The whole kit: the tests for every planner and both optional kits. */
    abstract static class WholeKit extends PlannerContractTest {
        @Override
        protected PlanningRequest actionableRequest() {
            return KitPlanners.ACTIONABLE;
        }

        @Nested
        class CannotBeDone extends NotActionableContract {
            @Override
            protected PlanningRequest notActionableRequest() {
                return KitPlanners.NOT_ACTIONABLE;
            }
        }

        @Nested
        class CannotPlan extends PlanningFailureContract {
            @Override
            protected PlanningRequest unplannableRequest() {
                return KitPlanners.UNPLANNABLE;
            }
        }
    }

    /** Only the tests for every planner. */
    static final class ActionableOnly extends PlannerContractTest {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.Correct();
        }

        @Override
        protected PlanningRequest actionableRequest() {
            return KitPlanners.ACTIONABLE;
        }
    }

    static final class Correct extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.Correct();
        }
    }

    static final class UnknownService extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.UnknownService();
        }
    }

    static final class UnknownServiceWhenAskedAgain extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.UnknownServiceWhenAskedAgain();
        }
    }

    static final class CodeStartingWithADigit extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.CodeStartingWithADigit();
        }
    }

    static final class ThrowsIllegalState extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.ThrowsIllegalState();
        }
    }

    static final class NullOnLaterAttempt extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.NullOnLaterAttempt();
        }
    }

    static final class QuotesTheRequest extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.QuotesTheRequest();
        }
    }

    static final class NeverNotActionable extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.NeverNotActionable();
        }
    }

    static final class UnstableName extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.UnstableName();
        }
    }

    static final class SharedTaskList extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.SharedTaskList(concurrency());
        }
    }

    static final class LastRequestWins extends WholeKit {
        @Override
        protected Planner createPlanner() {
            return new KitPlanners.LastRequestWins(concurrency());
        }
    }
}
