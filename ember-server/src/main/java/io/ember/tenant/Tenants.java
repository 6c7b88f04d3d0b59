package io.ember.tenant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.auth.ReplayGuard;
import io.ember.secrets.HostKey;
import io.ember.store.AccessKeyRecord;
import io.ember.store.TenantRecord;
import io.ember.store.TenantStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Tenants and their access keys. A key's secret is made here, shown once ({@link NewAccessKey}) and stored
 * sealed with the host key; signature checks read it through an in-memory map of active keys, which a
 * revocation empties before it returns, so a revoked key fails from the next request on.
 */
public final class Tenants {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TenantStore store;
    private final HostKey hostKey;
    private final Clock clock;
    private final Map<String, ActiveKey> active = new ConcurrentHashMap<>();
    private final Map<String, Instant> touched = new ConcurrentHashMap<>();
    /** Each tenant's quota overrides, read once: every request is checked against its rate. */
    private final Map<String, Quotas> overrides = new ConcurrentHashMap<>();
    private ReplayGuard replays;

    /**
     * Live state-changing signatures one tenant may have (about 40 bytes each in memory, a row in the store): ten
     * minutes at 160 a second, above what the default request rate lets through, so only a tenant whose rate was raised
     * can reach it, and then only it is refused.
     */
    static final int REPLAY_CAPACITY_PER_TENANT = 100_000;

    /** An active key: whose (and whether that is the admin), and the secret a signature is checked with. */
    public record ActiveKey(String id, String tenantId, boolean admin, String secret) {
        @Override
        public String toString() {
            return "ActiveKey[" + id + ", tenant " + tenantId + "]";
        }
    }

    public Tenants(TenantStore store, HostKey hostKey, Clock clock) {
        this.store = store;
        this.hostKey = hostKey;
        this.clock = clock;
    }

    public Tenant create(String name, Quotas quotas) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new TenantException(TenantException.Kind.INVALID, "name must be 1-63 of a-z, 0-9 and '-', starting with a letter or digit");
        }
        Instant now = clock.instant();
        for (int attempt = 0; attempt < 8; attempt++) {
            TenantRecord r = new TenantRecord(0, accountId(), name, false, toJson(quotas), now);
            if (store.insert(r)) return get(r.id());
            if (store.tenant(name).isPresent()) break;
        }
        throw new TenantException(TenantException.Kind.CONFLICT, "a tenant named " + name + " exists or existed; choose another name");
    }

    /** A live tenant by id or name; NOT_FOUND otherwise. */
    public Tenant get(String idOrName) {
        return store.tenant(idOrName).map(Tenants::tenant).orElseThrow(() ->
                new TenantException(TenantException.Kind.NOT_FOUND, "tenant " + idOrName + " not found"));
    }

    public List<Tenant> list(long afterOrdinal, int limit) {
        return store.tenants(afterOrdinal, limit).stream().map(Tenants::tenant).toList();
    }

    public Tenant setQuotas(String tenantId, Quotas quotas) {
        Tenant t = get(tenantId);
        store.setQuotas(t.id(), toJson(quotas));
        Tenant updated = get(t.id());
        // A put (not a remove) waits for a read of the old row in progress and then replaces what it cached.
        overrides.put(t.id(), updated.quotas());
        return updated;
    }

    /** Deletes a tenant that owns nothing running or suspended; its keys stop working at once. */
    public void delete(String tenantId) {
        Tenant t = get(tenantId);
        if (t.admin()) throw new TenantException(TenantException.Kind.CONFLICT, "the admin tenant cannot be deleted");
        int live = store.liveMicrovms(t.id());
        if (live > 0) {
            throw new TenantException(TenantException.Kind.CONFLICT, "tenant " + t.name() + " has " + live
                    + " microVMs that are not TERMINATED; terminate them first");
        }
        store.delete(t.id(), clock.instant());
        active.values().removeIf(k -> k.tenantId().equals(t.id()));
        overrides.remove(t.id());
    }

    public NewAccessKey createKey(String tenantId) {
        Tenant t = get(tenantId);
        String id = keyId();
        byte[] raw = new byte[30];
        RANDOM.nextBytes(raw);
        String secret = Base64.getEncoder().encodeToString(raw); // 40 characters, as AWS's
        Instant now = clock.instant();
        store.insertKey(new AccessKeyRecord(id, t.id(), hostKey.seal(secret.getBytes(StandardCharsets.UTF_8), context(id)),
                "ACTIVE", now, null, null));
        return new NewAccessKey(id, secret, t.id(), now);
    }

    public List<AccessKey> keys(String tenantId) {
        Tenant t = get(tenantId);
        return store.keys(t.id()).stream()
                .map(k -> new AccessKey(k.id(), k.tenantId(), k.status(), k.createdAt(), k.lastUsedAt())).toList();
    }

    /** Revokes a key: the next request signed with it is refused. NOT_FOUND unless the tenant has it active. */
    public void revokeKey(String tenantId, String keyId) {
        Tenant t = get(tenantId);
        if (!store.revokeKey(t.id(), keyId, clock.instant())) {
            throw new TenantException(TenantException.Kind.NOT_FOUND, "tenant " + t.name() + " has no active access key " + keyId);
        }
        active.remove(keyId);
    }

    /** The active key {@code keyId}, for checking a signature; empty when unknown, revoked or its tenant deleted. */
    public Optional<ActiveKey> activeKey(String keyId) {
        ActiveKey k = active.get(keyId);
        if (k == null) {
            Optional<AccessKeyRecord> r = store.key(keyId).filter(x -> x.status().equals("ACTIVE"));
            if (r.isEmpty()) return Optional.empty();
            String secret = new String(hostKey.open(r.get().sealedSecret(), context(keyId)), StandardCharsets.UTF_8);
            boolean admin = store.tenant(r.get().tenantId()).map(TenantRecord::admin).orElse(false);
            k = new ActiveKey(keyId, r.get().tenantId(), admin, secret);
            active.put(keyId, k);
            // A revocation racing this read: the row says so now, and the key must not stay cached.
            if (store.key(keyId).filter(x -> x.status().equals("ACTIVE")).isEmpty()) {
                active.remove(keyId);
                return Optional.empty();
            }
        }
        return Optional.of(k);
    }

    /** Records that {@code keyId} signed a request: at most once a minute per key, not a write per request. */
    public void used(String keyId) {
        Instant now = clock.instant();
        Instant last = touched.get(keyId);
        if (last != null && Duration.between(last, now).compareTo(TOUCH_EVERY) < 0) return;
        touched.put(keyId, now);
        store.touchKey(keyId, now);
    }

    /**
     * The tenant's quotas over {@code defaults}, from memory after the first read. The admin tenant's request rate is
     * not limited unless set on it: it is the host's owner, and its calls (tenant management, stop-server) must not
     * wait behind a default meant for tenants.
     */
    public Quotas effectiveQuotas(String tenantId, Quotas defaults) {
        Quotas own = overrides.computeIfAbsent(tenantId, id -> get(id).quotas());
        Quotas q = own.over(defaults);
        if (Tenant.ADMIN_ID.equals(tenantId) && own.requestsPerSecond() == null) {
            q = new Quotas(q.maxRunningMicrovms(), q.maxRunningVcpus(), q.maxRunningMemoryInMiB(), q.maxSuspendedMicrovms(),
                    q.maxSuspendedBytes(), null, null, q.maxUploads(), q.maxUploadBytes());
        }
        return q;
    }

    /** The replay guard over the store's record of signatures seen (made on first use, loading the live ones). */
    public synchronized ReplayGuard replayGuard() {
        if (replays == null) {
            replays = new ReplayGuard(REPLAY_CAPACITY_PER_TENANT, new ReplayGuard.Ledger() {
                @Override
                public boolean record(String tenantId, String signature, Instant now, Instant expires) {
                    return store.recordSignature(tenantId, signature, now, expires);
                }

                @Override
                public void sweep(Instant now) {
                    store.sweepSignatures(now);
                }

                @Override
                public Map<String, List<Instant>> live(Instant now) {
                    return store.liveSignatures(now);
                }
            }, clock.instant());
        }
        return replays;
    }

    /** The admin's active keys; a new one when it has none (the first start, or every key revoked). */
    public Optional<NewAccessKey> ensureAdminKey() {
        boolean hasActive = store.keys(Tenant.ADMIN_ID).stream().anyMatch(k -> k.status().equals("ACTIVE"));
        return hasActive ? Optional.empty() : Optional.of(createKey(Tenant.ADMIN_ID));
    }

    private static String context(String keyId) {
        return "access-key:" + keyId;
    }

    private static String accountId() {
        // Never 000000000000 (the admin's) nor a leading zero, so ids read as account ids do.
        return String.valueOf(100_000_000_000L + (RANDOM.nextLong() & Long.MAX_VALUE) % 900_000_000_000L);
    }

    private static String keyId() {
        StringBuilder sb = new StringBuilder("AKIA");
        for (int i = 0; i < 16; i++) sb.append(KEY_ALPHABET.charAt(RANDOM.nextInt(KEY_ALPHABET.length())));
        return sb.toString();
    }

    private static Tenant tenant(TenantRecord r) {
        return new Tenant(r.id(), r.name(), r.admin(), fromJson(r.quotasJson()), r.createdAt(), r.ordinal());
    }

    private static String toJson(Quotas q) {
        if (q == null || q.equals(Quotas.NONE)) return null;
        try {
            return JSON.writeValueAsString(q);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Quotas fromJson(String json) {
        if (json == null) return Quotas.NONE;
        try {
            return JSON.readValue(json, Quotas.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored quotas are damaged: " + e.getMessage());
        }
    }
}
