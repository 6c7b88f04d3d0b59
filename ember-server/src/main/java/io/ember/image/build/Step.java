package io.ember.image.build;

import java.util.List;
import java.util.Map;

/**
 * One instruction after FROM, as it runs in the build VM. Every step carries its source line and its text for the
 * log ("RUN apt-get install -y jq"); the state it needs (environment, working directory, user) is resolved by the
 * parser, so a step is executed without looking at the steps before it.
 */
public sealed interface Step {
    int line();

    /** The instruction as written (continuations joined), for "Step 3/7 : ..." and error messages. */
    String text();

    /**
     * RUN.
     *
     * @param argv exec form as given; shell form as {@code ["/bin/sh","-c",command]}
     * @param env ENV plus the ARGs in scope (ENV wins), plus a default PATH
     * @param workdir the current WORKDIR, absolute
     * @param user the current USER, null for root
     */
    record Run(int line, String text, List<String> argv, Map<String, String> env, String workdir, String user)
            implements Step {
        public Run {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }
    }

    /**
     * COPY or ADD from the code artifact.
     *
     * @param sources paths or glob patterns relative to the artifact's root, variables substituted
     * @param dest absolute destination (relative ones resolved against WORKDIR), as written otherwise
     * @param destIsDirectory the destination was written as a directory (trailing slash, or "."), or there
     *     are several sources
     * @param chown {@code --chown} value ({@code user[:group]}), or null: then root owns the files, as in Docker
     * @param chmod {@code --chmod} octal mode, or null: then the artifact's modes are kept
     * @param add true for ADD (a local tar archive is refused; see docs/dockerfile.md)
     */
    record Copy(int line, String text, List<String> sources, String dest, boolean destIsDirectory, String chown,
                Integer chmod, boolean add) implements Step {
        public Copy {
            sources = List.copyOf(sources);
        }
    }

    /** WORKDIR: the directory is created (with parents) if missing. {@code path} is absolute and clean. */
    record Workdir(int line, String text, String path) implements Step {}

    /** An instruction that only changes the image's configuration (ENV, ARG, USER, LABEL, EXPOSE, CMD, ...). */
    record Metadata(int line, String text) implements Step {}
}
