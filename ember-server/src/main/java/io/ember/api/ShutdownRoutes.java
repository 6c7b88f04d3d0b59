package io.ember.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.microvm.Action;
import io.ember.microvm.Cause;
import io.ember.microvm.Microvms;
import io.ember.store.MicrovmRecord;
import io.ember.tenant.Tenant;
import io.ember.tenant.Tenants;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ember extension, admin only: {@code POST /ember/v1/shutdown} terminates every microVM of every tenant (the admin
 * lists only its own, so a script cannot do this through the ordinary calls) and puts the server in a stopping state
 * in which every later call that could start something answers ServiceUnavailableException (503): nothing is
 * launched between this call and the SIGTERM that follows it ({@code bin/ember stop-server}). Reads still answer,
 * so that the caller may look at what it stopped.
 */
final class ShutdownRoutes {
    static final String PATH = "/ember/v1/shutdown";
    private static final Logger log = LoggerFactory.getLogger(ShutdownRoutes.class);
    private static final int PAGE = 100;

    private final Microvms microvms;
    private final Tenants tenants;
    private final AtomicBoolean stopping = new AtomicBoolean();

    ShutdownRoutes(Microvms microvms, Tenants tenants) {
        this.microvms = microvms;
        this.tenants = tenants;
    }

    /** Registers the route, and the refusal of changes once stopping (after authentication: the caller is known). */
    void register(Javalin app) {
        app.before(ctx -> {
            if (stopping.get() && changesState(ctx) && !ctx.path().equals(PATH)) {
                throw new ApiException("ServiceUnavailableException", 503, "the server is stopping: it accepts no new work", Map.of());
            }
        });
        app.post(PATH, this::shutdown);
    }

    private static boolean changesState(Context ctx) {
        return ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD && ctx.method() != HandlerType.OPTIONS;
    }

    private void shutdown(Context ctx) throws InterruptedException {
        Caller.admin(ctx);
        stopping.set(true);
        List<MicrovmRecord> live = new ArrayList<>();
        for (Tenant t : everyTenant()) {
            long after = 0;
            while (true) {
                List<MicrovmRecord> page = microvms.list(t.id(), after, PAGE, null, null);
                for (MicrovmRecord r : page) if (!r.state().equals("TERMINATED")) live.add(r);
                if (page.size() < PAGE) break;
                after = page.getLast().ordinal();
            }
        }
        // At once rather than one after another: each may wait for its terminate hook and its VMM's exit.
        ConcurrentLinkedQueue<String> terminated = new ConcurrentLinkedQueue<>(), failed = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (MicrovmRecord r : live) {
            threads.add(Thread.ofVirtual().name("shutdown-" + r.id()).start(() -> {
                try {
                    microvms.terminate(r.tenantId(), new Action.Terminate(r.id(), Cause.USER));
                    terminated.add(r.id());
                } catch (RuntimeException e) {
                    log.warn("shutdown: terminating {} failed: {}", r.id(), e.toString());
                    failed.add(r.id());
                }
            }));
        }
        for (Thread t : threads) t.join();
        log.info("shutdown requested by the admin: {} microVMs terminated, {} failed; refusing new work until stopped",
                terminated.size(), failed.size());
        ObjectNode out = Json.object();
        ArrayNode ids = out.putArray("terminatedMicrovmIds");
        terminated.stream().sorted().forEach(ids::add);
        ArrayNode bad = out.putArray("failedMicrovmIds");
        failed.stream().sorted().forEach(bad::add);
        Json.ok(ctx, out);
    }

    private List<Tenant> everyTenant() {
        List<Tenant> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<Tenant> page = tenants.list(after, PAGE);
            all.addAll(page);
            if (page.size() < PAGE) return all;
            after = page.getLast().ordinal();
        }
    }
}
