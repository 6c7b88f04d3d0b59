package io.ember.microvm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.agent.GuestAgent;
import io.ember.image.ImageCatalog;
import io.ember.image.ManagedImage;
import io.ember.store.EventRecord;
import io.ember.store.MicrovmRecord;
import io.ember.store.Store;
import io.ember.vmm.VmmDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The lifecycle of microVMs: the one place that decides. RunMicrovm records the microVM PENDING
 * and returns at once; the boot continues in the background (see {@link Boot}). Terminate stops
 * the VMM and removes its directory before it returns. Refusals are {@link MicrovmException}s.
 */
public final class Microvms implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final Object admission = new Object();

    private Microvms(Engine engine) {
        this.engine = engine;
    }

    /** Builds the lifecycle and reconciles the store with the host (blocking) before returning. */
    public static Microvms start(Store store, ImageCatalog catalog, VmmDriver driver, AgentConnector agents,
                                 MicrovmSettings settings) {
        Engine engine = new Engine(store, catalog, driver, agents, settings);
        new Reconciler(engine).run();
        return new Microvms(engine);
    }

    public MicrovmRecord run(Action.Run run) {
        ManagedImage image = image(run.imageIdentifier(), run.imageVersion());
        Machine m;
        synchronized (admission) {
            if (run.clientToken() != null) {
                var earlier = engine.store.findByClientToken(run.clientToken());
                if (earlier.isPresent()) return sameRequest(earlier.get(), run, image);
            }
            if (engine.machines.size() >= engine.settings.maxRunningVms()) {
                throw new MicrovmException(MicrovmException.Kind.QUOTA_EXCEEDED, "the host runs "
                        + engine.machines.size() + " microVMs, its limit (maxRunningVms = "
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
                r = engine.store.insert(new MicrovmRecord(0, id, MicrovmIds.arn(id), image.name(),
                        image.arn(), image.version(), first.name(), null, image.vcpus(), image.memoryMib(),
                        toJson(run.idlePolicy()), run.maximumDurationSeconds(), run.executionRoleArn(), now, null,
                        null, workDir.toString(), run.clientToken()),
                        new EventRecord(id, now, null, first.name(), Cause.USER.name(), "RunMicrovm " + image.name()));
            } catch (RuntimeException e) {
                removeQuietly(workDir); // no record points to it
                throw e;
            }
            m = new Machine(r);
            engine.machines.put(id, m);
        }
        engine.scheduleExpiry(m);
        engine.tasks.execute(() -> engine.run(m, new Boot(engine, m, image)::run));
        return m.created;
    }

    /** The stored microVM; {@code identifier} is its id or ARN. */
    public MicrovmRecord get(String identifier) {
        String id = id(identifier);
        return engine.store.find(id).orElseThrow(() -> MicrovmException.notFound(id));
    }

    /**
     * Up to {@code limit} microVMs created after {@code afterOrdinal} (0 = from the start), oldest
     * first, optionally only those of one image (name or ARN) and version.
     */
    public List<MicrovmRecord> list(long afterOrdinal, int limit, String imageIdentifier, String imageVersion) {
        String arn = imageIdentifier == null ? null
                : engine.catalog.find(imageIdentifier).map(ManagedImage::arn).orElse(imageIdentifier);
        return engine.store.list(afterOrdinal, limit, arn, imageVersion);
    }

    /** Stops and discards the microVM; terminating one already on its way is not an error. */
    public void terminate(Action.Terminate t) {
        MicrovmRecord r = get(t.microvmIdentifier());
        Machine m = engine.machines.get(r.id());
        if (m == null) return; // TERMINATED already: nothing runs
        engine.terminate(m, t.cause(), t.cause() == Cause.USER ? "Terminated by user" : "Terminated (" + t.cause() + ")");
    }

    /**
     * The agent of a RUNNING microVM, waiting (bounded by {@code runningWait}) while it is PENDING.
     * CONFLICT when it is or becomes anything else.
     */
    public GuestAgent agent(String identifier) {
        MicrovmRecord r = get(identifier);
        Machine m = engine.machines.get(r.id());
        if (m == null) throw notRunning(r);
        if (m.state != MicrovmState.PENDING && m.state != MicrovmState.RUNNING) throw notRunning(get(r.id()));
        try {
            return m.running.get(engine.settings.runningWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MicrovmException me) throw me;
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new MicrovmException(MicrovmException.Kind.CONFLICT, "microVM " + r.id() + " is still "
                    + m.state + " after " + engine.settings.runningWait().toSeconds() + " s", "Microvm", r.id());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MicrovmException(MicrovmException.Kind.CONFLICT, "interrupted waiting for " + r.id());
        }
    }

    /** The API saw the agent channel of {@code id} break: the microVM is failed (a no-op if already). */
    public void agentFailed(String identifier, String reason) {
        Machine m = engine.machines.get(id(identifier));
        if (m != null) engine.agentFailed(m, reason);
    }

    /** The transitions of a microVM, oldest first. */
    public List<EventRecord> events(String identifier) {
        return engine.store.events(get(identifier).id());
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
    private static MicrovmRecord sameRequest(MicrovmRecord earlier, Action.Run run, ManagedImage image) {
        boolean same = earlier.imageArn().equals(image.arn())
                && earlier.maximumDurationSeconds() == run.maximumDurationSeconds()
                && Objects.equals(earlier.executionRoleArn(), run.executionRoleArn())
                && Objects.equals(earlier.idlePolicyJson(), toJson(run.idlePolicy()));
        if (!same) {
            throw new MicrovmException(MicrovmException.Kind.CONFLICT, "clientToken " + run.clientToken()
                    + " was already used by a RunMicrovm call with different parameters", "Microvm", earlier.id());
        }
        return earlier;
    }

    static String toJson(IdlePolicy p) {
        try {
            return p == null ? null : JSON.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
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
