package io.ember.secrets;

import io.ember.agent.MetadataAnswer;
import io.ember.agent.MetadataService;
import io.ember.store.RoleRecord;
import io.ember.store.SecretRecord;
import io.ember.store.SecretStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Secrets by reference (docs/secrets.md): a tenant's named secrets, write-only (no method returns a value to a caller
 * outside the guest: {@link #resolve} feeds an exec's environment, {@link #metadata} the guest's metadata endpoint), and
 * execution roles naming the secrets a microVM may read. Roles are read at the moment of use, so an edited role or a
 * deleted secret applies at once. Values are sealed with the host key under "secret:<tenantId>:<name>".
 */
public final class Secrets {
    static final String SECRET_NAME = "[A-Za-z0-9/_+=.@-]{1,128}";
    static final String ROLE_NAME = "[A-Za-z0-9_+=,.@-]{1,64}";
    public static final int MAX_VALUE_BYTES = 65_536;
    public static final int MAX_DESCRIPTION = 1024;
    public static final int MAX_ROLE_SECRETS = 100;
    public static final int MAX_REFERENCES = 100;

    private final SecretStore store;
    private final HostKey key;
    private final Clock clock;

    public Secrets(SecretStore store, HostKey key, Clock clock) {
        this.store = store;
        this.key = key;
        this.clock = clock;
    }

    public static String roleArn(String tenantId, String name) {
        return RoleArn.of(tenantId, name);
    }

    // ---- secrets ------------------------------------------------------------------------------

    /** Creates or replaces the secret {@code name}; the answer holds no value. */
    public SecretRecord put(String tenantId, String name, String value, String description) {
        checkSecretName(name);
        checkDescription(description);
        if (value == null) throw SecretsException.invalid("value is required");
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 1 || bytes.length > MAX_VALUE_BYTES) {
            throw SecretsException.invalid("value must be 1 to " + MAX_VALUE_BYTES + " bytes (UTF-8), got " + bytes.length);
        }
        if (value.indexOf('\0') >= 0) throw SecretsException.invalid("value must not contain NUL characters");
        return store.putSecret(tenantId, name, description, key.seal(bytes, context(tenantId, name)), clock.instant());
    }

    /** The secret's metadata; ResourceNotFound also for another tenant's. */
    public SecretRecord get(String tenantId, String name) {
        checkSecretName(name);
        return store.secret(tenantId, name).orElseThrow(() -> missingSecret(name));
    }

    public List<SecretRecord> list(String tenantId, long after, int limit) {
        return store.secrets(tenantId, after, limit);
    }

    public void delete(String tenantId, String name) {
        checkSecretName(name);
        if (!store.deleteSecret(tenantId, name)) throw missingSecret(name);
    }

    /** The tags of a tenant's secret ({@code role} false) or role; ResourceNotFound also for another tenant's. */
    public Map<String, String> tags(boolean role, String tenantId, String name) {
        return store.tags(role, tenantId, name).orElseThrow(() -> role ? missingRole(name) : missingSecret(name));
    }

    /** Replaces those tags with {@code change(current)}, atomically. */
    public void updateTags(boolean role, String tenantId, String name, java.util.function.UnaryOperator<Map<String, String>> change) {
        if (!store.updateTags(role, tenantId, name, change)) throw role ? missingRole(name) : missingSecret(name);
    }

    // ---- roles --------------------------------------------------------------------------------

    /** Creates or replaces the role {@code name}; every secret it names must exist for the tenant now. */
    public RoleRecord putRole(String tenantId, String name, List<String> secrets, String description) {
        checkRoleName(name);
        checkDescription(description);
        if (secrets == null) throw SecretsException.invalid("secrets is required (a list of secret names, may be empty)");
        if (secrets.size() > MAX_ROLE_SECRETS) {
            throw SecretsException.invalid("secrets may name at most " + MAX_ROLE_SECRETS + " secrets, got " + secrets.size());
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String s : secrets) {
            if (s == null || !s.matches(SECRET_NAME)) throw SecretsException.invalid("secrets: '" + s + "' is not a secret name");
            if (store.secret(tenantId, s).isEmpty()) {
                throw SecretsException.invalid("secrets: secret '" + s + "' does not exist");
            }
            unique.add(s);
        }
        return store.putRole(tenantId, name, description, new ArrayList<>(unique), clock.instant());
    }

    public RoleRecord role(String tenantId, String name) {
        checkRoleName(name);
        return store.role(tenantId, name).orElseThrow(() -> missingRole(name));
    }

    public List<RoleRecord> roles(String tenantId, long after, int limit) {
        return store.roles(tenantId, after, limit);
    }

    public void deleteRole(String tenantId, String name) {
        checkRoleName(name);
        if (!store.deleteRole(tenantId, name)) throw missingRole(name);
    }

    /**
     * RunMicrovm's check of its {@code executionRoleArn} (null: none): a role of the caller's tenant that exists.
     * Another tenant's role is not found, exactly as a missing one.
     */
    public void requireUsableRole(String tenantId, String roleArn) {
        if (roleArn == null) return;
        RoleArn arn = RoleArn.parse(roleArn);
        if (arn == null) {
            throw SecretsException.invalid("executionRoleArn '" + roleArn
                    + "' is not an Ember role ARN (arn:aws:iam::<account id>:role/<name>)");
        }
        if (!arn.tenantId().equals(tenantId) || store.role(tenantId, arn.name()).isEmpty()) {
            throw SecretsException.notFound("execution role " + roleArn + " not found", "Role", roleArn);
        }
    }

    // ---- use ----------------------------------------------------------------------------------

    /**
     * An exec's {@code secretEnvironment} (variable → secret name) as variable → value, read through {@code roleArn}
     * (the microVM's role, null: none) now. Every failure names the reference, never a value.
     */
    public Map<String, String> resolve(String roleArn, Map<String, String> references) {
        if (references.size() > MAX_REFERENCES) {
            throw SecretsException.invalid("secretEnvironment may hold at most " + MAX_REFERENCES + " references");
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (references.isEmpty()) return out;
        RoleArn arn = RoleArn.parse(roleArn);
        for (Map.Entry<String, String> ref : references.entrySet()) {
            String where = "secretEnvironment." + ref.getKey() + " (secret '" + ref.getValue() + "')";
            if (roleArn == null) throw SecretsException.invalid(where + ": the microVM has no execution role");
            RoleRecord role = arn == null ? null : store.role(arn.tenantId(), arn.name()).orElse(null);
            if (role == null) throw SecretsException.invalid(where + ": the microVM's execution role " + roleArn + " no longer exists");
            if (!role.secrets().contains(ref.getValue())) {
                throw SecretsException.invalid(where + ": the secret is not in the microVM's execution role " + roleArn);
            }
            SecretRecord s = store.secret(arn.tenantId(), ref.getValue()).orElse(null);
            if (s == null) throw SecretsException.invalid(where + ": the secret does not exist");
            out.put(ref.getKey(), new String(open(s), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The metadata endpoint of a microVM whose execution role ARN {@code roleArn} gives (null: none), read per request. */
    public MetadataService metadata(Supplier<String> roleArn) {
        return name -> {
            String arnText = roleArn.get();
            if (arnText == null) return MetadataAnswer.error(404, "this microVM has no execution role");
            RoleArn arn = RoleArn.parse(arnText);
            RoleRecord role = arn == null ? null : store.role(arn.tenantId(), arn.name()).orElse(null);
            if (role == null) return MetadataAnswer.error(403, "this microVM's execution role no longer exists");
            if (name == null) {
                return MetadataAnswer.names(role.secrets().stream()
                        .filter(s -> store.secret(arn.tenantId(), s).isPresent()).toList());
            }
            if (!name.matches(SECRET_NAME)) return MetadataAnswer.error(400, "not a secret name");
            if (!role.secrets().contains(name)) return MetadataAnswer.error(403, "secret '" + name + "' is not in this microVM's execution role");
            SecretRecord s = store.secret(arn.tenantId(), name).orElse(null);
            if (s == null) return MetadataAnswer.error(404, "secret '" + name + "' does not exist");
            return MetadataAnswer.value(open(s));
        };
    }

    private byte[] open(SecretRecord s) {
        return key.open(s.sealed(), context(s.tenantId(), s.name()));
    }

    static String context(String tenantId, String name) {
        return "secret:" + tenantId + ":" + name;
    }

    private static void checkSecretName(String name) {
        if (name == null || !name.matches(SECRET_NAME)) {
            throw SecretsException.invalid("secret name '" + name + "' is invalid: 1 to 128 of A-Z a-z 0-9 / _ + = . @ -");
        }
    }

    private static void checkRoleName(String name) {
        if (name == null || !name.matches(ROLE_NAME)) {
            throw SecretsException.invalid("role name '" + name + "' is invalid: 1 to 64 of A-Z a-z 0-9 _ + = , . @ -");
        }
    }

    private static void checkDescription(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw SecretsException.invalid("description must be at most " + MAX_DESCRIPTION + " characters");
        }
    }

    private static SecretsException missingSecret(String name) {
        return SecretsException.notFound("secret " + name + " not found", "Secret", name);
    }

    private static SecretsException missingRole(String name) {
        return SecretsException.notFound("role " + name + " not found", "Role", name);
    }
}
