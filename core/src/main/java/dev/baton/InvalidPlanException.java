package dev.baton;

import dev.baton.validation.ValidationError;

import java.util.List;

/**
 * A submitted plan failed validation; nothing ran. Carries every problem found, not only the first.
 */
public final class InvalidPlanException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** How many errors the message lists before summarising the rest. */
    private static final int MESSAGE_LIMIT = 50;

    private final transient List<ValidationError> errors;

    /**
     * @param errors every validation error; not empty
     */
    public InvalidPlanException(List<ValidationError> errors) {
        super("INVALID_PLAN", message(errors));
        this.errors = List.copyOf(errors);
    }

    /** @return every validation error, in the order found */
    public List<ValidationError> errors() {
        return errors;
    }

    private static String message(List<ValidationError> errors) {
        StringBuilder sb = new StringBuilder("invalid plan: ").append(errors.size())
                .append(errors.size() == 1 ? " error" : " errors");
        int n = 0;
        for (ValidationError e : errors) {
            if (n++ == MESSAGE_LIMIT) {
                sb.append("\n  ... and ").append(errors.size() - MESSAGE_LIMIT).append(" more");
                break;
            }
            sb.append("\n  ").append(e.code()).append(' ');
            if (e.path() != null && !e.path().isEmpty()) {
                sb.append("at ").append(e.path()).append(": ");
            }
            sb.append(e.message());
        }
        return sb.toString();
    }
}
