package io.ember.image.build;

/** Where build output goes: the orchestrator streams it to the caller and stores it. */
public interface BuildLog {
    /** One line of Ember's own narration ("Step 3/7 : RUN make"), without the newline. */
    void line(String text);

    /** Raw output of a RUN (stdout and stderr interleaved as they arrive). */
    void output(byte[] chunk, int off, int len);
}
