package dev.baton.plan;

/**
 * Receives each reference-shaped string found by {@link Task#visitReferences(ReferenceVisitor)}.
 */
@FunctionalInterface
public interface ReferenceVisitor {

    /**
     * Called once per string value that {@link Reference#isReference(Object) is a reference}.
     *
     * @param pointer JSON pointer of the string inside the task's input, e.g. {@code /customer/id} ({@code ""} never
     *                occurs: an input is an object)
     * @param text    the raw text, not yet parsed
     */
    void visit(String pointer, String text);
}
