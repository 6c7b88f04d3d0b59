package io.ember.microvm;

import static io.ember.microvm.MicrovmState.PENDING;
import static io.ember.microvm.MicrovmState.RUNNING;
import static io.ember.microvm.MicrovmState.SUSPENDED;
import static io.ember.microvm.MicrovmState.SUSPENDING;
import static io.ember.microvm.MicrovmState.TERMINATED;
import static io.ember.microvm.MicrovmState.TERMINATING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LifecycleTest {
    private static final Action RUN = new Action.Run("busybox", null, null, null, 600, null);
    private static final Action TERMINATE = new Action.Terminate("mvm-x", Cause.USER);
    private static final Action BOOTED = new Action.Booted("agent");
    private static final Action FAIL = new Action.Fail("VMM died");
    private static final Action STOPPED = new Action.Stopped("Terminated by user");

    @ParameterizedTest
    @EnumSource(MicrovmState.class)
    void shouldAllowExactlyTheDocumentedTransitions(MicrovmState from) {
        Set<MicrovmState> allowed = switch (from) {
            case PENDING -> EnumSet.of(RUNNING, TERMINATING, TERMINATED);
            case RUNNING -> EnumSet.of(TERMINATING, TERMINATED);
            case TERMINATING -> EnumSet.of(TERMINATED);
            case SUSPENDING, SUSPENDED, TERMINATED -> EnumSet.noneOf(MicrovmState.class);
        };
        for (MicrovmState to : MicrovmState.values()) {
            assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(allowed.contains(to));
        }
    }

    @Test
    void shouldCreatePendingOnRunAndRefuseRunOnAnExistingVm() {
        assertThat(Lifecycle.decide(null, RUN)).isEqualTo(new Decision.Move(PENDING));
        assertThat(Lifecycle.decide(RUNNING, RUN)).isInstanceOf(Decision.Refuse.class);
    }

    @Test
    void shouldBecomeRunningOnlyFromPending() {
        assertThat(Lifecycle.decide(PENDING, BOOTED)).isEqualTo(new Decision.Move(RUNNING));
        assertThat(Lifecycle.decide(TERMINATING, BOOTED)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(TERMINATED, BOOTED)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(RUNNING, BOOTED)).isInstanceOf(Decision.Refuse.class);
    }

    @Test
    void shouldTerminateLiveVmsAndTreatRepeatsAsDone() {
        assertThat(Lifecycle.decide(PENDING, TERMINATE)).isEqualTo(new Decision.Move(TERMINATING));
        assertThat(Lifecycle.decide(RUNNING, TERMINATE)).isEqualTo(new Decision.Move(TERMINATING));
        assertThat(Lifecycle.decide(TERMINATING, TERMINATE)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(TERMINATED, TERMINATE)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(SUSPENDED, TERMINATE)).isInstanceOf(Decision.Refuse.class);
        assertThat(Lifecycle.decide(TERMINATING, STOPPED)).isEqualTo(new Decision.Move(TERMINATED));
        assertThat(Lifecycle.decide(RUNNING, STOPPED)).isInstanceOf(Decision.Refuse.class);
    }

    @Test
    void shouldFailLiveVmsStraightToTerminated() {
        assertThat(Lifecycle.decide(PENDING, FAIL)).isEqualTo(new Decision.Move(TERMINATED));
        assertThat(Lifecycle.decide(RUNNING, FAIL)).isEqualTo(new Decision.Move(TERMINATED));
        assertThat(Lifecycle.decide(TERMINATING, FAIL)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(TERMINATED, FAIL)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(SUSPENDING, FAIL)).isInstanceOf(Decision.Refuse.class);
    }

    @ParameterizedTest
    @EnumSource(MicrovmState.class)
    void shouldNeverDecideAMoveTheStateMachineForbids(MicrovmState from) {
        for (Action a : new Action[] {TERMINATE, BOOTED, FAIL, STOPPED}) {
            if (Lifecycle.decide(from, a) instanceof Decision.Move(MicrovmState to)) {
                assertThat(from.canMoveTo(to)).as(from + " on " + a).isTrue();
            }
        }
    }

    @Test
    void shouldRejectRunsOutsideTheModelsRanges() {
        assertThatThrownBy(() -> new Action.Run("busybox", null, null, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Action.Run("busybox", null, null, null, 28_801, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Action.Run("", null, null, null, 60, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldParseIdsAndArnsOnly() {
        String id = MicrovmIds.newId();
        assertThat(id).matches("mvm-[0-9a-f]{24}");
        assertThat(MicrovmIds.parse(id)).contains(id);
        assertThat(MicrovmIds.parse(MicrovmIds.arn(id))).contains(id);
        assertThat(MicrovmIds.parse("mvm-XYZ")).isEmpty();
        assertThat(MicrovmIds.parse("arn:aws:lambda:us-east-1:1:microvm/" + id)).isEmpty();
        assertThat(MicrovmIds.parse(id + "0")).isEmpty();
    }
}
