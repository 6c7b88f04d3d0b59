package io.ember.microvm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.agent.GuestAgent;
import io.ember.connector.Attachment;
import io.ember.hooks.Hooks;
import io.ember.image.ImageCatalog;
import io.ember.image.ImageSource;
import io.ember.image.ImageUnavailableException;
import io.ember.image.LaunchSource;
import io.ember.image.ManagedImage;
import io.ember.network.Networks;
import io.ember.store.EventRecord;
import io.ember.store.LaunchRecord;
import io.ember.store.MicrovmRecord;
import io.ember.store.Store;
import io.ember.store.TenantEvent;
import io.ember.store.UsageRecord;
import io.ember.tenant.Tenant;
import io.ember.vmm.VmmDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The lifecycle of microVMs: the one place that decides. RunMicrovm records the microVM PENDING
 * and returns at once; the boot continues in the background (see {@link Boot}). Terminate stops
 * the VMM and removes its directory before it returns. Refusals are {@link MicrovmException}s.
 */
public final class Microvms implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a launch may write before it runs (its disk overlay's first writes, the console log): checked free. */
    static final long LAUNCH_DISK_MARGIN = 256L << 20;

    private final Engine engine;
    private final Suspension suspension;
    private final Leases leases;
    private final Object admission = new Object();
    private volatile Admission limits = Admission.UNLIMITED;
    private volatile Attachment.Resolver connectors = Attachment.Resolver.MANAGED;

    private Microvms(Engine engine) {
        this.engine = engine;
        this.suspension = new Suspension(engine, admission,
                m -> admit(m.created.tenantId(), m.created.vcpus(), m.created.memoryMib(), "resuming " + m.id));
        this.leases = new Leases(engine, suspension);
    }

    /** Managed images only (tests). */
    public static Microvms start(Store store, ImageCatalog catalog, VmmDriver driver, AgentConnector agents,
                                 MicrovmSettings settings) {
        return start(store, catalog, ImageSource.managed(catalog), driver, agents, settings);
    }

    /**
     * Builds the lifecycle and reconciles the store with the host (blocking) before returning.
     * A driver that also implements {@link io.ember.vmm.Snapshots} enables suspend, resume and launches
     * from image snapshots.
     */
    public static Microvms start(Store store, ImageCatalog catalog, ImageSource images, VmmDriver driver,
                                 AgentConnector agents, MicrovmSettings settings) {
        return start(store, catalog, images, driver, agents, settings, Networks.off());
    }

    /** With microVM networks (docs/network.md): reconciled with the host before the microVMs are. */
    public static Microvms start(Store store, ImageCatalog catalog, ImageSource images, VmmDriver driver,
                                 AgentConnector agents, MicrovmSettings settings, Networks networks) {
        Engine engine = new Engine(store, catalog, images, driver, agents, settings, networks);
        new Reconciler(engine).run();
        Microvms microvms = new Microvms(engine);
        new IdleWatch(engine, microvms.suspension, microvms::admitIdleSuspension).start();
        return microvms;
    }

    /** RunMicrovm for the admin tenant (tests and tools that run as the host's owner). */
    public MicrovmRecord run(Action.Run run) {
        return run(Tenant.ADMIN_ID, run, false);
    }

    /**
     * @param coldBoot boot the image's disk even when the image has a snapshot (benchmarks compare the two;
     *     the image's application is then not started)
     */
    public MicrovmRecord run(String tenantId, Action.Run run, boolean coldBoot) {
        LaunchSource image = resolve(tenantId, run.imageIdentifier(), run.imageVersion());
        // ConnectorException (INVALID) before anything is created; the policy is copied as it is now, for the microVM's life.
        Attachment network = connectors.resolve(tenantId, run.ingressNetworkConnectors(), run.egressNetworkConnectors(),
                image.egressNetworkConnectors());
        String clientToken = run.clientToken() == null ? null : tenantId + "/" + run.clientToken();
        Path template = coldBoot ? null : image.snapshot();
        // Hooks are the application's, and only a launch from the snapshot has it running.
        Hooks hooks = template == null ? Hooks.NONE : image.hooks().ofMicrovm();
        Machine.Launch launch = new Machine.Launch(image.rootfs(), template, image.environment(), hooks,
                hooks.isEnabled(Hooks.Hook.RUN) ? run.runHookPayload() : null, image.arch());
        if (launch.template() != null && engine.snapshots == null) {
            throw new MicrovmException(MicrovmException.Kind.CONFLICT, "image " + image.imageName()
                    + " launches from a snapshot, which this server's VMM driver cannot restore");
        }
        Machine m;
        synchronized (admission) {
            if (clientToken != null) {
                var earlier = engine.store.findByClientToken(clientToken);
                if (earlier.isPresent()) return sameRequest(earlier.get(), run, image);
            }
            admit(tenantId, image.vcpus(), image.memoryMib(), "RunMicrovm of " + image.imageName());
            refuseWithoutDisk(tenantId, LAUNCH_DISK_MARGIN, "RunMicrovm of " + image.imageName());
            int live = engine.withVmm();
            if (live >= engine.settings.maxRunningVms()) {
                throw new MicrovmException(MicrovmException.Kind.QUOTA_EXCEEDED, "the host runs "
                        + live + " microVMs, its limit (maxRunningVms = "
                        + engine.settings.maxRunningVms() + "); terminate one first");
            }
            if (!(Lifecycle.decide(null, run) instanceof Decision.Move(MicrovmState first))) {
                throw new IllegalStateException("Run must create a microVM");
            }
            String id = MicrovmIds.newId();
            Path workDir = WorkDirs.root(engine.settings.dataDir()).resolve(id);
            try {
                Files.createDirectories(workDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + workDir, e);
            }
            Instant now = Instant.now();
            MicrovmRecord r;
            try {
                r = engine.store.insert(new MicrovmRecord(0, id, MicrovmIds.arn(tenantId, id), image.imageName(),
                        image.imageArn(), image.imageVersion(), first.name(), null, image.vcpus(), image.memoryMib(),
                        toJson(run.idlePolicy()), run.maximumDurationSeconds(), run.executionRoleArn(), now, null,
                        null, workDir.toString(), clientToken, tenantId, network.ingressNetworkConnectors(),
                        network.egressNetworkConnectors(), network.egressPolicy(),
                        image.size() == null ? null : image.size().baselineMemoryMib),
                        new LaunchRecord(str(launch.rootfs()), str(launch.template()), toJson(launch.environment()),
                                hooks.isEmpty() ? null : hooks.toJson(), launch.runHookPayload()),
                        new EventRecord(id, now, null, first.name(), Cause.USER.name(), "RunMicrovm " + image.imageName()
                                + ":" + image.imageVersion() + (launch.template() != null ? " (from its snapshot)" : " (cold boot)")),
                        UsageRule.opening(id, now, UsageRule.kind(null, first), UsageRule.Billed.of(image.vcpus(), image.memoryMib(),
                                image.size()), 0));
            } catch (RuntimeException e) {
                removeQuietly(workDir); // no record points to it
                throw e;
            }
            m = new Machine(r, launch);
            engine.machines.put(id, m);
            if (template == null && image.snapshot() != null && image.hooks().isEnabled(Hooks.Hook.RUN)) {
                engine.hooks.runSkipped(id, first, "a cold boot does not start the image's application, so no hook is called");
            }
        }
        engine.scheduleExpiry(m);
        engine.tasks.execute(() -> engine.run(m, new Boot(engine, m)::run));
        return m.created;
    }

    /** Sets what RunMicrovm resolves network connectors with (default: managed connectors only). */
    public void connectWith(Attachment.Resolver value) {
        connectors = value;
    }

    /** Sets the quotas and host capacity RunMicrovm and resumes are admitted under. */
    public void admitUnder(Admission value) {
        limits = value;
    }

    /**
     * Refuses (QUOTA_EXCEEDED or INSUFFICIENT_CAPACITY, naming the limit, recorded as the tenant's event) a microVM
     * of {@code vcpus} and {@code memoryMib} about to hold a VMM. Caller holds the admission lock.
     */
    private void admit(String tenantId, int vcpus, int memoryMib, String what) {
        List<Admission.Holder> holding = engine.machines.values().stream().filter(m -> m.state != MicrovmState.SUSPENDED)
                .map(m -> new Admission.Holder(m.created.tenantId(), m.created.vcpus(), m.created.memoryMib())).toList();
        refuse(tenantId, limits.toRun(tenantId, vcpus, memoryMib, holding, what));
    }

    /** The idle policy's suspension is bound by the same quotas as SuspendMicrovm's. */
    private void admitIdleSuspension(Machine m) {
        synchronized (admission) {
            admitSuspension(m, "the idle policy's suspension of " + m.id);
        }
    }

    /** SuspendMicrovm's check: the tenant's suspended microVMs, and their bytes on disk, within its quotas. */
    private void admitSuspension(Machine m, String what) {
        String tenantId = m.created.tenantId();
        long suspended = engine.machines.values().stream()
                .filter(x -> x.state == MicrovmState.SUSPENDED && x.created.tenantId().equals(tenantId)).count();
        refuse(tenantId, limits.toSuspend(tenantId, suspended, engine.store.suspendedBytes(tenantId),
                (long) m.created.memoryMib() << 20, what));
        // The saved state holds the RAM (at most its size); a suspend that cannot finish must not start.
        refuseWithoutDisk(tenantId, (long) m.created.memoryMib() << 20, what);
    }

    /** INSUFFICIENT_CAPACITY (a tenant event) when the data directory's disk cannot take {@code writing} bytes and its reserve. */
    private void refuseWithoutDisk(String tenantId, long writing, String what) {
        engine.settings.disk().refusal(engine.settings.dataDir(), writing, what)
                .ifPresent(message -> refuse(tenantId, new Admission.Refusal(null, message)));
    }

    private void refuse(String tenantId, Admission.Refusal refusal) {
        if (refusal == null) return;
        engine.store.addTenantEvent(tenantId, Instant.now(), refusal.quota() == null ? "CAPACITY" : "QUOTA", refusal.message());
        throw refusal.quota() == null ? new MicrovmException(MicrovmException.Kind.INSUFFICIENT_CAPACITY, refusal.message())
                : new MicrovmException(MicrovmException.Kind.QUOTA_EXCEEDED, refusal.message(), "Quota", refusal.quota());
    }

    /** The stored microVM, whoever owns it; {@code identifier} is its id or ARN. */
    public MicrovmRecord get(String identifier) {
        String id = id(identifier);
        return engine.store.find(id).orElseThrow(() -> MicrovmException.notFound(id));
    }

    /**
     * The stored microVM if {@code tenantId} owns it. Another tenant's answers NOT_FOUND exactly as an id
     * that does not exist, so ids tell nothing across tenants.
     */
    public MicrovmRecord get(String tenantId, String identifier) {
        String id = id(identifier);
        return engine.store.find(id)
                // an ARN naming another account (any region) is not found, as another tenant's id
                .filter(r -> r.tenantId().equals(tenantId) && (!identifier.startsWith("arn:")
                        || io.ember.arn.LambdaArn.parse(identifier).map(a -> a.account().equals(tenantId)).orElse(false)))
                .orElseThrow(() -> MicrovmException.notFound(id));
    }

    /**
     * Up to {@code limit} microVMs created after {@code afterOrdinal} (0 = from the start), oldest
     * first, optionally only those of one image (name or ARN) and version.
     */
    public List<MicrovmRecord> list(String tenantId, long afterOrdinal, int limit, String imageIdentifier, String imageVersion) {
        String arn = imageIdentifier == null ? null : engine.images.arn(tenantId, imageIdentifier).orElse(imageIdentifier);
        return engine.store.list(tenantId, afterOrdinal, limit, arn, imageVersion);
    }

    /** Stops and discards the microVM; terminating one already on its way is not an error. */
    public void terminate(String tenantId, Action.Terminate t) {
        MicrovmRecord r = get(tenantId, t.microvmIdentifier());
        Machine m = engine.machines.get(r.id());
        if (m == null) return; // TERMINATED already: nothing runs
        engine.terminate(m, t.cause(), t.cause() == Cause.USER ? "Terminated by user" : "Terminated (" + t.cause() + ")");
    }

    /**
     * The guest of a microVM for one request (exec, a file call): waits (bounded by {@code runningWait})
     * while it is PENDING, and wakes it when it is SUSPENDED and its idle policy allows that (no policy
     * allows it). The lease counts as activity for the idle policy until it is closed. CONFLICT when the
     * microVM is or becomes TERMINATING/TERMINATED, or is suspended with autoResumeEnabled=false.
     */
    public GuestLease use(String tenantId, String identifier) {
        get(tenantId, identifier); // ownership does not change: checked once
        return use(identifier);
    }

    /** As {@link #use(String, String)} for a caller that proved its right otherwise (an auth token naming the microVM). */
    public GuestLease use(String identifier) {
        return use(identifier, engine.settings.runningWait());
    }

    /**
     * As {@link #use(String)}, waiting at most {@code wait} in all: for a boot or a resume, for a suspend under way to
     * end, for the machine's lock. When it runs out: CONFLICT saying what the microVM is still doing (see {@link Leases}).
     */
    public GuestLease use(String identifier, java.time.Duration wait) {
        String id = id(identifier);
        // Every endpoint request comes here: a live microVM is found in memory, without a store query.
        if (!engine.machines.containsKey(id)) get(id); // NOT_FOUND when unknown
        return leases.take(id, wait, () -> notRunning(get(id)));
    }

    /**
     * SuspendMicrovm: snapshot to disk and end the VMM; returns once SUSPENDED (a no-op when it already
     * is). Requests in flight on the microVM are cut (their processes go on in the snapshot).
     */
    public MicrovmRecord suspend(String tenantId, String identifier) {
        Machine m = live(tenantId, identifier);
        synchronized (admission) {
            if (m.state != MicrovmState.SUSPENDED) admitSuspension(m, "SuspendMicrovm of " + m.id);
        }
        suspension.suspend(m, Cause.USER, "SuspendMicrovm", false);
        return get(m.id);
    }

    /** ResumeMicrovm: returns once RUNNING again (a no-op when PENDING or RUNNING). */
    public MicrovmRecord resume(String tenantId, String identifier) {
        Machine m = live(tenantId, identifier);
        if (m.state == MicrovmState.PENDING) return get(m.id);
        suspension.resume(m, Cause.USER, "ResumeMicrovm");
        return get(m.id);
    }

    private Machine live(String tenantId, String identifier) {
        MicrovmRecord r = get(tenantId, identifier);
        Machine m = engine.machines.get(r.id());
        if (m == null) throw notRunning(r);
        return m;
    }

    /**
     * The metered intervals (docs/metering.md) overlapping [from, to) of a tenant's microVMs (null: every tenant's):
     * of one ({@code identifier}: its id or ARN; NOT_FOUND if the tenant has none such) or of all (null).
     */
    public List<UsageRecord> usage(String tenantId, String identifier, Instant from, Instant to) {
        String id = identifier == null ? null : (tenantId == null ? get(identifier) : get(tenantId, identifier)).id();
        return engine.store.usage(tenantId, id, from, to);
    }

    /** The transitions of a microVM, oldest first. */
    public List<EventRecord> events(String identifier) {
        return engine.store.events(get(identifier).id());
    }

    /** Up to {@code limit} events of a tenant after {@code afterSeq}: of one of its microVMs, or (null) all of them. */
    public List<TenantEvent> events(String tenantId, String identifier, long afterSeq, int limit) {
        String id = identifier == null ? null : get(tenantId, identifier).id();
        return engine.store.events(tenantId, id, afterSeq, limit);
    }

    /** The tags of a microVM, sorted by key. A TERMINATED one keeps its record, and so its tags can still be read. */
    public Map<String, String> tags(String tenantId, String identifier) {
        String id = get(tenantId, identifier).id();
        return engine.store.tags(id).orElseThrow(() -> MicrovmException.notFound(id));
    }

    /**
     * Replaces the tags of a microVM with {@code change(current)}, atomically; an exception from {@code change}
     * changes nothing. NOT_FOUND when the microVM is unknown or TERMINATED (gone, though its record stays).
     */
    public void updateTags(String tenantId, String identifier, UnaryOperator<Map<String, String>> change) {
        MicrovmRecord r = get(tenantId, identifier);
        if (r.state().equals(MicrovmState.TERMINATED.name())) {
            throw new MicrovmException(MicrovmException.Kind.NOT_FOUND, "microVM " + r.id()
                    + " is TERMINATED: its tags can be listed but no longer changed", "Microvm", r.id());
        }
        if (!engine.store.updateTags(r.id(), change)) throw MicrovmException.notFound(r.id());
    }

    /** What an image identifier and optional version launch; NOT_FOUND or CONFLICT (not launchable now). */
    LaunchSource resolve(String tenantId, String identifier, String version) {
        try {
            return engine.images.resolve(tenantId, identifier, version).orElseThrow(() -> new MicrovmException(
                    MicrovmException.Kind.NOT_FOUND, "image " + identifier + " not found", "MicrovmImage", identifier));
        } catch (ImageUnavailableException e) {
            throw e.notFound() ? new MicrovmException(MicrovmException.Kind.NOT_FOUND, e.getMessage(), "MicrovmImageVersion", version)
                    : new MicrovmException(MicrovmException.Kind.CONFLICT, e.getMessage(), "MicrovmImage", identifier);
        }
    }

    /** The catalog's image for an identifier and optional version; NOT_FOUND when there is none. */
    public ManagedImage image(String identifier, String version) {
        ManagedImage image = engine.catalog.find(identifier).orElseThrow(() -> new MicrovmException(
                MicrovmException.Kind.NOT_FOUND, "image " + identifier + " not found", "MicrovmImage", identifier));
        if (version != null && !version.equals(image.version())) {
            throw new MicrovmException(MicrovmException.Kind.NOT_FOUND, "image " + image.name() + " has no version "
                    + version + " (it has " + image.version() + ")", "MicrovmImageVersion", version);
        }
        return image;
    }

    public List<ManagedImage> images() {
        return engine.catalog.images();
    }

    /** The least idlePolicy.maxIdleDurationSeconds a run may ask for (MicrovmSettings.minIdleSeconds). */
    public int minIdleSeconds() {
        return engine.settings.minIdleSeconds();
    }

    /** Stops timers and agent channels; the VMs keep running for the next server to adopt. */
    @Override
    public void close() {
        engine.close();
    }

    private static String id(String identifier) {
        return MicrovmIds.parse(identifier).orElseThrow(() -> new MicrovmException(MicrovmException.Kind.INVALID,
                "microvmIdentifier must be a microVM id (mvm- and 24 hex digits) or its ARN, got '"
                        + Objects.toString(identifier, "") + "'"));
    }

    private static void removeQuietly(Path dir) {
        try {
            WorkDirs.remove(dir);
        } catch (IOException | RuntimeException e) {
            // swept at the next start
        }
    }

    private static MicrovmException notRunning(MicrovmRecord r) {
        String reason = r.stateReason() == null ? "" : ": " + r.stateReason();
        return new MicrovmException(MicrovmException.Kind.CONFLICT,
                "microVM " + r.id() + " is " + r.state() + reason, "Microvm", r.id());
    }

    /** Idempotent RunMicrovm: the same clientToken with the same parameters returns the first result. */
    private static MicrovmRecord sameRequest(MicrovmRecord earlier, Action.Run run, LaunchSource image) {
        boolean same = earlier.imageArn().equals(image.imageArn())
                && earlier.maximumDurationSeconds() == run.maximumDurationSeconds()
                && Objects.equals(earlier.executionRoleArn(), run.executionRoleArn())
                && Objects.equals(earlier.idlePolicyJson(), toJson(run.idlePolicy()));
        if (!same) {
            throw new MicrovmException(MicrovmException.Kind.CONFLICT, "clientToken " + run.clientToken()
                    + " was already used by a RunMicrovm call with different parameters", "Microvm", earlier.id());
        }
        return earlier;
    }

    static String toJson(Object p) {
        try {
            return p == null ? null : JSON.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String str(Path p) {
        return p == null ? null : p.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> environment(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored environment is not JSON", e);
        }
    }

    /** The idle policy stored with a record, or null. */
    public static IdlePolicy idlePolicy(MicrovmRecord r) {
        try {
            return r.idlePolicyJson() == null ? null : JSON.readValue(r.idlePolicyJson(), IdlePolicy.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored idle policy of " + r.id() + " is not JSON", e);
        }
    }
}
