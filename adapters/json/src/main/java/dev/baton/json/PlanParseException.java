package dev.baton.json;

import dev.baton.BatonException;
import dev.baton.validation.ValidationError;

import java.util.List;

/**
 * A plan or service catalog document that cannot be read: not JSON ({@code MALFORMED_JSON}, with line and column),
 * the wrong shape ({@code INVALID_STRUCTURE}) or too big ({@code LIMIT_EXCEEDED}). Carries every problem found, in
 * the same form the validator reports; {@link #code()} is the code of the first one.
 */
public class PlanParseException extends BatonException {

    private static final long serialVersionUID = 1L;

    private final transient List<ValidationError> errors;

    /**
     * @param errors the problems, at least one
     */
    public PlanParseException(List<ValidationError> errors) {
        super(first(errors).code().name(), summary(errors));
        this.errors = List.copyOf(errors);
    }

    /** @return every problem found, at least one */
    public List<ValidationError> errors() {
        return errors;
    }

    private static ValidationError first(List<ValidationError> errors) {
        if (errors == null || errors.isEmpty()) {
            throw new IllegalArgumentException("a parse exception needs at least one error");
        }
        return errors.get(0);
    }

    private static String summary(List<ValidationError> errors) {
        String head = errors.get(0).toString();
        return errors.size() == 1 ? head : head + " (and " + (errors.size() - 1) + " more)";
    }
}
