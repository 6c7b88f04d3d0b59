package io.ember.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Small helpers the reliability benchmarks share: percentiles, knobs, elapsed time, a temporary work directory. */
final class Figures {
    private Figures() {}

    /** The short run (`bench/reliability --short`): the same parts with knobs that fit in minutes. */
    static final boolean SHORT = Boolean.getBoolean("bench.short");

    static int knob(String name, int full, int shortRun) {
        return Integer.getInteger(name, SHORT ? shortRun : full);
    }

    /** Nearest-rank percentile (p in 0..100) of the values; NaN when there are none. */
    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        int rank = (int) Math.ceil(p / 100 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    static double median(List<Double> values) {
        return values.isEmpty() ? Double.NaN : CoreBench.median(values);
    }

    static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** A short directory under /tmp (VM socket paths under it must stay below 108 bytes), 0700. */
    static Path workDir(String prefix) throws java.io.IOException {
        return Files.createTempDirectory(Path.of("/tmp"), prefix);
    }
}
