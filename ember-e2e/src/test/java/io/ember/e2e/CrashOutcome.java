package io.ember.e2e;

import io.ember.sdk.EmberClient;
import io.ember.sdk.Microvm;
import io.ember.sdk.MicrovmState;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a microVM ends after a crash, once the server has settled: the crash benchmark's row. Good outcomes are
 * RUNNING with its data, SUSPENDED and resumable with its data, or TERMINATED with a reason; anything else
 * (stuck in a transition, a snapshot that does not resume, data lost) is a finding.
 */
final class CrashOutcome {
    static final String RUNNING = "RUNNING, intact";
    static final String SUSPENDED = "SUSPENDED, resumed intact";
    static final String TERMINATED = "TERMINATED with a reason";
    private static final EnumSet<MicrovmState> TRANSITIONS =
            EnumSet.of(MicrovmState.PENDING, MicrovmState.SUSPENDING, MicrovmState.TERMINATING);

    /** Outcome counts in the order first seen (the good three first), and every TERMINATED reason with its count. */
    final Map<String, Integer> counts = new LinkedHashMap<>(Map.of());
    final Map<String, Integer> reasons = new TreeMap<>();

    CrashOutcome() {
        counts.put(RUNNING, 0);
        counts.put(SUSPENDED, 0);
        counts.put(TERMINATED, 0);
    }

    /** Waits (up to {@code settleMs}) for the microVM to leave PENDING/SUSPENDING/TERMINATING, then classifies it. */
    String classify(EmberClient client, GuestProbe probe, long settleMs) {
        long deadline = System.nanoTime() + settleMs * 1_000_000;
        Microvm vm = client.getMicrovm(probe.id());
        while (TRANSITIONS.contains(vm.state()) && System.nanoTime() < deadline) {
            BenchServer.sleep(250);
            vm = client.getMicrovm(probe.id());
        }
        String outcome = switch (vm.state()) {
            case RUNNING -> {
                String c = checked(probe, RUNNING, "RUNNING");
                // RUNNING said of a microVM whose VMM was already gone: the state it then reaches is what the user saw next.
                if (c.contains("exec fails") && client.getMicrovm(probe.id()).state() == MicrovmState.TERMINATED)
                    c = "RUNNING although its VMM was dead, TERMINATED soon after";
                yield c;
            }
            case SUSPENDED -> resumed(client, probe);
            case TERMINATED -> {
                if (vm.stateReason() == null || vm.stateReason().isBlank()) yield "TERMINATED without a reason";
                reasons.merge(shorten(vm.stateReason()), 1, Integer::sum);
                yield TERMINATED;
            }
            default -> "stuck in " + vm.state() + " after " + settleMs / 1000 + " s";
        };
        counts.merge(outcome, 1, Integer::sum);
        return outcome;
    }

    private static String resumed(EmberClient client, GuestProbe probe) {
        try {
            client.resumeMicrovm(probe.id());
        } catch (RuntimeException e) {
            return "SUSPENDED, not resumable (" + shorten(e.getMessage()) + ")";
        }
        return checked(probe, SUSPENDED, "SUSPENDED, resumed");
    }

    private static String checked(GuestProbe probe, String intact, String prefix) {
        try {
            GuestProbe.Verdict v = probe.check();
            if (v.intact()) return intact;
            return prefix + ", " + (v.fileOk() ? "" : "file lost ") + (v.counterOk() ? "" : "process memory lost");
        } catch (RuntimeException e) {
            return prefix + ", exec fails (" + shorten(e.getMessage()) + ")";
        }
    }

    static boolean good(String outcome) {
        return outcome.equals(RUNNING) || outcome.equals(SUSPENDED) || outcome.equals(TERMINATED);
    }

    int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    int other() {
        return counts.entrySet().stream().filter(e -> !good(e.getKey())).mapToInt(Map.Entry::getValue).sum();
    }

    /** Reasons and messages without ids, so equal causes count together. */
    static String shorten(String s) {
        if (s == null) return "";
        String t = s.replaceAll("mvm-[0-9a-f]+", "mvm-…").replaceAll("/tmp/[^ :]+", "…");
        return t.length() > 140 ? t.substring(0, 140) + "…" : t;
    }
}
