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
    private static final Action SUSPEND = new Action.Suspend();
    private static final Action SAVED = new Action.Saved();
    private static final Action SAVE_FAILED = new Action.SaveFailed("disk full");
    private static final Action RESUME = new Action.Resume();
    private static final Action RESUME_FAILED = new Action.ResumeFailed("qemu did not start");

    @ParameterizedTest
    @EnumSource(MicrovmState.class)
    void shouldAllowExactlyTheDocumentedTransitions(MicrovmState from) {
        Set<MicrovmState> allowed = switch (from) {
            case PENDING -> EnumSet.of(RUNNING, SUSPENDED, TERMINATING, TERMINATED);
            case RUNNING -> EnumSet.of(SUSPENDING, TERMINATING, TERMINATED);
            case SUSPENDING -> EnumSet.of(SUSPENDED, RUNNING, TERMINATED);
            case SUSPENDED -> EnumSet.of(PENDING, TERMINATING, TERMINATED);
            case TERMINATING -> EnumSet.of(TERMINATED);
            case TERMINATED -> EnumSet.noneOf(MicrovmState.class);
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
        assertThat(Lifecycle.decide(SUSPENDED, TERMINATE)).isEqualTo(new Decision.Move(TERMINATING));
        assertThat(Lifecycle.decide(SUSPENDING, TERMINATE)).isInstanceOf(Decision.Refuse.class);
        assertThat(Lifecycle.decide(TERMINATING, STOPPED)).isEqualTo(new Decision.Move(TERMINATED));
        assertThat(Lifecycle.decide(RUNNING, STOPPED)).isInstanceOf(Decision.Refuse.class);
    }

    @Test
    void shouldFailLiveVmsStraightToTerminated() {
        assertThat(Lifecycle.decide(PENDING, FAIL)).isEqualTo(new Decision.Move(TERMINATED));
        assertThat(Lifecycle.decide(RUNNING, FAIL)).isEqualTo(new Decision.Move(TERMINATED));
        assertThat(Lifecycle.decide(TERMINATING, FAIL)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(TERMINATED, FAIL)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(SUSPENDING, FAIL)).isEqualTo(new Decision.Move(TERMINATED));
        assertThat(Lifecycle.decide(SUSPENDED, FAIL)).isEqualTo(new Decision.Move(TERMINATED));
    }

    @Test
    void shouldSuspendOnlyRunningVmsAndTreatRepeatsAsDone() {
        assertThat(Lifecycle.decide(RUNNING, SUSPEND)).isEqualTo(new Decision.Move(SUSPENDING));
        assertThat(Lifecycle.decide(SUSPENDING, SUSPEND)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(SUSPENDED, SUSPEND)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(PENDING, SUSPEND)).isInstanceOf(Decision.Refuse.class);
        assertThat(Lifecycle.decide(TERMINATED, SUSPEND)).isInstanceOf(Decision.Refuse.class);
        assertThat(Lifecycle.decide(SUSPENDING, SAVED)).isEqualTo(new Decision.Move(SUSPENDED));
        assertThat(Lifecycle.decide(SUSPENDING, SAVE_FAILED)).isEqualTo(new Decision.Move(RUNNING));
        assertThat(Lifecycle.decide(RUNNING, SAVED)).isInstanceOf(Decision.Refuse.class);
    }

    @Test
    void shouldResumeThroughPendingOnlyFromSuspended() {
        assertThat(Lifecycle.decide(SUSPENDED, RESUME)).isEqualTo(new Decision.Move(PENDING));
        assertThat(Lifecycle.decide(PENDING, RESUME)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(RUNNING, RESUME)).isInstanceOf(Decision.Ignore.class);
        assertThat(Lifecycle.decide(SUSPENDING, RESUME)).isInstanceOf(Decision.Refuse.class);
        assertThat(Lifecycle.decide(TERMINATED, RESUME)).isInstanceOf(Decision.Refuse.class);
        assertThat(Lifecycle.decide(PENDING, RESUME_FAILED)).isEqualTo(new Decision.Move(SUSPENDED));
        assertThat(Lifecycle.decide(RUNNING, RESUME_FAILED)).isInstanceOf(Decision.Refuse.class);
    }

    @ParameterizedTest
    @EnumSource(MicrovmState.class)
    void shouldNeverDecideAMoveTheStateMachineForbids(MicrovmState from) {
        for (Action a : new Action[] {TERMINATE, BOOTED, FAIL, STOPPED, SUSPEND, SAVED, SAVE_FAILED, RESUME, RESUME_FAILED}) {
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
        assertThat(MicrovmIds.parse(MicrovmIds.arn(io.ember.tenant.Tenant.ADMIN_ID, id))).contains(id);
        assertThat(MicrovmIds.parse("mvm-XYZ")).isEmpty();
        assertThat(MicrovmIds.parse("arn:aws:lambda:us-east-1:1:microvm/" + id)).isEmpty();
        assertThat(MicrovmIds.parse(id + "0")).isEmpty();
    }
}
