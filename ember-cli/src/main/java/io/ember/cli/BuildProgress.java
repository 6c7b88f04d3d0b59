package io.ember.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The progress display of an image build on stderr: the build log line by line, a {@code ==>} line
 * with the elapsed time for every Dockerfile step (a log line that starts with {@code Step}, after the
 * server's {@code [   1.2s]} stamp), and the final state. Lines only, so it reads the same in a CI log.
 */
final class BuildProgress implements Consumer<String> {
    private static final Pattern STEP = Pattern.compile("^(?:\\[\\s*[0-9.]+s\\]\\s*)?((?i:step)\\b.*)$");

    private final PrintStream err;
    private final LongSupplier nanoClock;
    private final long start;
    private int steps;

    BuildProgress(PrintStream err, LongSupplier nanoClock) {
        this.err = err;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    BuildProgress(PrintStream err) {
        this(err, System::nanoTime);
    }

    /** A progress line of Ember's own. */
    synchronized void note(String message) {
        err.println("==> " + elapsed() + "  " + message);
        err.flush();
    }

    /** One line of the build log. */
    @Override
    public synchronized void accept(String line) {
        Matcher m = STEP.matcher(line);
        if (m.matches()) {
            steps++;
            note(m.group(1));
        } else {
            err.println(line);
            err.flush();
        }
    }

    synchronized int steps() {
        return steps;
    }

    /** {@code 4.2s}, {@code 1m05s}, {@code 1h02m03s} since the display started. */
    String elapsed() {
        long tenths = Math.max(0, (nanoClock.getAsLong() - start) / 100_000_000L);
        long s = tenths / 10;
        if (s < 60) return String.format(Locale.ROOT, "%d.%ds", s, tenths % 10);
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
    }
}
