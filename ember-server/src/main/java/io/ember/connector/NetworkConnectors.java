package io.ember.connector;

import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressPolicyJson;
import io.ember.egress.HostNetworks;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.store.ConnectorRecord;
import io.ember.store.ConnectorStore;
import io.ember.store.MicrovmRecord;
import io.ember.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A tenant's network connectors (docs/connectors.md): Ember's counterpart of lambda-core's Create/Get/List/Update/
 * DeleteNetworkConnector, whose configuration is an {@link EgressPolicy}. A connector is created (or updated) PENDING
 * and checked in the background: ACTIVE when its host network is usable (or it names none), FAILED with a stateReason
 * otherwise. Another tenant's connector is not found, exactly as a missing one. Also RunMicrovm's
 * {@link Attachment.Resolver}: it copies the policy a connector has at that moment.
 */
public final class NetworkConnectors implements Attachment.Resolver, AutoCloseable {
    public static final String PENDING = "PENDING", ACTIVE = "ACTIVE", FAILED = "FAILED", DELETING = "DELETING";
    public static final int MAX_TAGS = 50;
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern ID = Pattern.compile("nc-[0-9a-f]{24}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConnectorStore store;
    private final Store microvms;
    private final HostNetworks hosts;
    private final Clock clock;
    private final ExecutorService checks = Executors.newVirtualThreadPerTaskExecutor();

    /** Checks again, in the background, every connector a stop left PENDING. */
    public NetworkConnectors(ConnectorStore store, Store microvms, HostNetworks hosts, Clock clock) {
        this.store = store;
        this.microvms = microvms;
        this.hosts = hosts;
        this.clock = clock;
        store.pending().forEach(this::check);
    }

    /** The connector's ARN: its account is its tenant's id. */
    public static String arn(ConnectorRecord r) {
        return ConnectorArn.of(r.tenantId(), r.id());
    }

    public static EgressPolicy policy(ConnectorRecord r) {
        return EgressPolicyJson.parseConfiguration(tree(r.configurationJson()));
    }

    /** CreateMicrovmImage's check of its egressNetworkConnectors: their form only (what they name is resolved at RunMicrovm). */
    public static void checkImageEgress(List<String> arns) {
        ConnectorChoice.checkEgressForm("egressNetworkConnectors", arns);
    }

    /**
     * CreateNetworkConnector. A retry with the same clientToken answers the connector it made, if name and
     * configuration are the same (else CONFLICT).
     */
    public ConnectorRecord create(String tenantId, String name, JsonNode configuration, String operatorRole, String clientToken,
                                  Map<String, String> tags) {
        if (name == null || !NAME.matcher(name).matches() || ID.matcher(name).matches())
            throw ConnectorException.invalid("name must be 1 to 64 of letters, digits, '-' and '_', starting with a letter or"
                    + " digit, and not of the form of an id (nc-<24 hex digits>)");
        String config = canonical(configuration);
        if (tags != null && tags.size() > MAX_TAGS) throw ConnectorException.invalid("tags: at most " + MAX_TAGS);
        String token = clientToken == null ? null : tenantId + "/" + clientToken;
        synchronized (this) {
            if (token != null) {
                Optional<ConnectorRecord> earlier = store.byClientToken(token);
                if (earlier.isPresent()) {
                    ConnectorRecord e = earlier.get();
                    if (e.name().equals(name) && e.configurationJson().equals(config)) return e;
                    throw new ConnectorException(ConnectorException.Kind.CONFLICT, "clientToken " + clientToken
                            + " was used for another CreateNetworkConnector request", e.id());
                }
            }
            if (store.find(tenantId, name).isPresent())
                throw new ConnectorException(ConnectorException.Kind.CONFLICT, "a network connector named " + name + " exists", name);
            var now = clock.instant();
            ConnectorRecord r = store.insert(new ConnectorRecord(0, newId(), tenantId, name, config, operatorRole, PENDING, null,
                    token, tags == null || tags.isEmpty() ? null : write(tags), now, now));
            check(r);
            return r;
        }
    }

    /** By id, name or ARN; NOT_FOUND when the tenant has none such. */
    public ConnectorRecord get(String tenantId, String identifier) {
        if (identifier == null) throw notFound("(none)");
        String key = identifier;
        if (identifier.startsWith("arn:")) {
            ConnectorArn a;
            try {
                a = ConnectorArn.parse(identifier);
            } catch (IllegalArgumentException e) {
                throw ConnectorException.invalid(e.getMessage());
            }
            if (a.isManaged() || !a.account().equals(tenantId)) throw notFound(identifier);
            key = a.connectorId();
        }
        return store.find(tenantId, key).orElseThrow(() -> notFound(identifier));
    }

    public List<ConnectorRecord> list(String tenantId, long after, int limit) {
        return store.list(tenantId, after, limit);
    }

    /**
     * UpdateNetworkConnector: a new configuration and/or operator role (null: unchanged). The connector is PENDING
     * again until checked. microVMs running with it keep the policy they were run with.
     */
    public synchronized ConnectorRecord update(String tenantId, String identifier, JsonNode configuration, String operatorRole) {
        ConnectorRecord r = get(tenantId, identifier);
        String config = configuration == null ? r.configurationJson() : canonical(configuration);
        String role = operatorRole == null ? r.operatorRole() : operatorRole;
        if (!store.update(r.id(), config, role, PENDING, null, clock.instant())) throw notFound(identifier);
        ConnectorRecord updated = get(tenantId, r.id());
        check(updated);
        return updated;
    }

    /** DeleteNetworkConnector: CONFLICT while a microVM that is not TERMINATED was run with it; answers it DELETING. */
    public synchronized ConnectorRecord delete(String tenantId, String identifier) {
        ConnectorRecord r = get(tenantId, identifier);
        String arn = arn(r);
        List<String> users = microvms.notIn("TERMINATED").stream()
                .filter(m -> m.egressNetworkConnectors().contains(arn)).map(MicrovmRecord::id).toList();
        if (!users.isEmpty())
            throw new ConnectorException(ConnectorException.Kind.CONFLICT, "network connector " + r.name() + " is used by "
                    + users.size() + " microVM(s) not terminated (" + String.join(", ", users.subList(0, Math.min(5, users.size())))
                    + "); terminate them first", r.id());
        store.delete(r.id());
        return new ConnectorRecord(r.ordinal(), r.id(), r.tenantId(), r.name(), r.configurationJson(), r.operatorRole(),
                DELETING, null, r.clientToken(), r.tagsJson(), r.createdAt(), clock.instant());
    }

    @Override
    public Attachment resolve(String tenantId, List<String> ingress, List<String> egress, List<String> imageEgress) {
        return ConnectorChoice.resolve(tenantId, ingress, egress, imageEgress, (field, a) -> {
            ConnectorRecord r = store.find(tenantId, a.connectorId())
                    .orElseThrow(() -> ConnectorException.invalid(field + ": network connector " + a.connectorId() + " not found"));
            if (!r.state().equals(ACTIVE))
                throw ConnectorException.invalid(field + ": network connector " + r.name() + " is " + r.state()
                        + (r.stateReason() != null ? " (" + r.stateReason() + ")" : "") + ", not ACTIVE");
            return policy(r);
        });
    }

    /** PENDING to ACTIVE or FAILED in the background, unless the configuration changed meanwhile. */
    private void check(ConnectorRecord r) {
        checks.execute(() -> {
            String host = policy(r).hostNetwork();
            Optional<String> problem = host == null ? Optional.empty() : hosts.problem(host);
            store.settle(r.id(), r.configurationJson(), PENDING, problem.isEmpty() ? ACTIVE : FAILED, problem.orElse(null), clock.instant());
        });
    }

    /** Parsed (INVALID naming the field when bad) and written back canonical, so equal policies are equal text. */
    private static String canonical(JsonNode configuration) {
        if (configuration == null) throw ConnectorException.invalid("configuration is required");
        try {
            return EgressPolicyJson.configuration(EgressPolicyJson.parseConfiguration(configuration)).toString();
        } catch (IllegalArgumentException e) {
            throw ConnectorException.invalid(e.getMessage());
        }
    }

    private static ConnectorException notFound(String identifier) {
        return new ConnectorException(ConnectorException.Kind.NOT_FOUND, "network connector " + identifier + " not found", identifier);
    }

    private static String newId() {
        byte[] bits = new byte[12];
        RANDOM.nextBytes(bits);
        return "nc-" + HexFormat.of().formatHex(bits);
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored configuration is not JSON", e);
        }
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
