package io.ember.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.tenant.Quotas;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Quotas per tenant and the host's capacity with overcommit, as pure logic. */
class AdmissionTest {
    private static final Quotas DEFAULTS = new Quotas(3, 4, 1024, 2, 1000L);
    private final Admission admission = new Admission(t -> t.equals("small") ? new Quotas(1, null, null, 0, null).over(DEFAULTS)
            : DEFAULTS, new Admission.Capacity(2, 2048, 4.0, 1.0)); // 8 vCPUs and 2048 MiB for the host

    private static Admission.Holder vm(String tenant, int vcpus, int mib) {
        return new Admission.Holder(tenant, vcpus, mib);
    }

    @Test
    void eachRunningQuotaIsCheckedAgainstTheTenantsOwnMicrovmsOnly() {
        List<Admission.Holder> others = List.of(vm("b", 1, 128), vm("b", 1, 128), vm("b", 1, 128));
        assertThat(admission.toRun("a", 1, 128, others, "run")).isNull();
        assertThat(admission.toRun("b", 1, 128, others, "run").quota()).isEqualTo("maxRunningMicrovms");
        assertThat(admission.toRun("a", 5, 128, List.of(), "run").quota()).isEqualTo("maxRunningVcpus");
        assertThat(admission.toRun("a", 1, 1025, List.of(), "run").quota()).isEqualTo("maxRunningMemoryInMiB");
        assertThat(admission.toRun("small", 1, 128, List.of(vm("small", 1, 128)), "run").message())
                .contains("maxRunningMicrovms = 1").contains("2 running microVMs");
    }

    @Test
    void theHostsCapacityCountsEveryTenantWithItsOvercommit() {
        List<Admission.Holder> full = List.of(vm("a", 4, 512), vm("b", 4, 512));
        Admission.Refusal r = admission.toRun("c", 1, 128, full, "RunMicrovm");
        assertThat(r.quota()).isNull();
        assertThat(r.message()).contains("8 of 8 vCPUs").contains("overcommit 4.0/1.0");
        assertThat(admission.toRun("c", 1, 1024, List.of(vm("a", 1, 1024)), "run")).isNull();
        assertThat(admission.toRun("c", 1, 100, List.of(vm("a", 1, 1024), vm("b", 1, 1000)), "run").message()).contains("no room");
    }

    @Test
    void suspendedMicrovmsAndTheirBytesHaveTheirOwnQuotas() {
        assertThat(admission.toSuspend("a", 1, 0, 100, "suspend")).isNull();
        assertThat(admission.toSuspend("a", 2, 0, 100, "suspend").quota()).isEqualTo("maxSuspendedMicrovms");
        assertThat(admission.toSuspend("a", 0, 950, 100, "suspend").quota()).isEqualTo("maxSuspendedBytes");
        assertThat(admission.toSuspend("small", 0, 0, 1, "suspend").quota()).isEqualTo("maxSuspendedMicrovms");
        assertThat(Admission.UNLIMITED.toSuspend("x", 1_000_000, Long.MAX_VALUE / 2, 1, "s")).isNull();
    }
}
