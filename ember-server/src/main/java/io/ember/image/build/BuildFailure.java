package io.ember.image.build;

/** A build failure whose message is what the user sees, e.g. "Dockerfile line 7: VOLUME is not supported". */
public final class BuildFailure extends Exception {
    public BuildFailure(String message) {
        super(message);
    }

    public BuildFailure(String message, Throwable cause) {
        super(message, cause);
    }

    static BuildFailure at(int line, String message) {
        return new BuildFailure("Dockerfile line " + line + ": " + message);
    }
}
