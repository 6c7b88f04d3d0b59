package io.ember.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.agent.MetadataAnswer;
import io.ember.agent.MetadataService;
import io.ember.store.SecretRecord;
import io.ember.store.SecretStore;
import io.ember.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secrets service over a real database and host key: sealing, tenants, roles read at the moment of use. */
class SecretsTest {
    static final String A = "111111111111", B = "222222222222";
    static final String VALUE = "hunter2-\u00e9-value";
    @TempDir Path dir;
    Store store;
    SecretStore secretStore;
    Secrets secrets;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("ember.db"));
        secretStore = SecretStore.open(dir.resolve("ember.db"));
        secrets = new Secrets(secretStore, HostKey.open(dir.resolve("host.key")), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        secretStore.close();
        store.close();
    }

    @Test
    void valuesAreSealedAtRestAndTheDatabaseNeverHoldsThePlaintext() throws Exception {
        SecretRecord r = secrets.put(A, "db/password", VALUE, "the db");
        assertThat(r.sealed()).isNotNull();
        assertThat(new String(r.sealed(), StandardCharsets.ISO_8859_1)).doesNotContain("hunter2");
        secretStore.close();
        store.close();
        for (String f : List.of("ember.db", "ember.db-wal")) {
            Path p = dir.resolve(f);
            if (Files.exists(p)) assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).doesNotContain("hunter2");
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("host.key")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        open();
        secrets.putRole(A, "app", List.of("db/password"), null);
        assertThat(secrets.resolve("arn:aws:iam::" + A + ":role/app", Map.of("DB", "db/password"))).containsEntry("DB", VALUE);
    }

    @Test
    void aTamperedOrMovedSealedValueDoesNotOpen() throws Exception {
        HostKey key = HostKey.open(dir.resolve("host.key"));
        byte[] sealed = key.seal(VALUE.getBytes(StandardCharsets.UTF_8), Secrets.context(A, "s"));
        assertThat(new String(key.open(sealed, Secrets.context(A, "s")), StandardCharsets.UTF_8)).isEqualTo(VALUE);
        byte[] flipped = sealed.clone();
        flipped[flipped.length - 20] ^= 1;
        assertThatThrownBy(() -> key.open(flipped, Secrets.context(A, "s"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> key.open(sealed, Secrets.context(B, "s"))).as("other tenant").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> key.open(sealed, Secrets.context(A, "t"))).as("other name").isInstanceOf(IllegalStateException.class);
        HostKey other = HostKey.open(dir.resolve("other.key"));
        assertThatThrownBy(() -> other.open(sealed, Secrets.context(A, "s"))).as("other key").isInstanceOf(IllegalStateException.class);

        // A row's sealed value copied onto another tenant's row does not open there either.
        secrets.put(A, "s", VALUE, null);
        secrets.put(B, "s", "b's own", null);
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ember.db"))) {
            c.createStatement().executeUpdate("UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE tenant_id = '"
                    + A + "') WHERE tenant_id = '" + B + "'");
        }
        secrets.putRole(B, "r", List.of("s"), null);
        assertThatThrownBy(() -> secrets.resolve("arn:aws:iam::" + B + ":role/r", Map.of("X", "s")))
                .isInstanceOf(IllegalStateException.class).hasMessageNotContaining(VALUE);
    }

    @Test
    void tenantsSeeOnlyTheirOwn() {
        secrets.put(A, "s", VALUE, null);
        assertThatThrownBy(() -> secrets.get(B, "s")).isInstanceOfSatisfying(SecretsException.class,
                e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.NOT_FOUND));
        assertThat(secrets.list(B, 0, 10)).isEmpty();
        assertThatThrownBy(() -> secrets.delete(B, "s")).isInstanceOf(SecretsException.class);
        assertThatThrownBy(() -> secrets.putRole(B, "r", List.of("s"), null)).hasMessageContaining("secret 's' does not exist");
        secrets.putRole(A, "r", List.of("s"), null);
        assertThatThrownBy(() -> secrets.requireUsableRole(B, "arn:aws:iam::" + A + ":role/r"))
                .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.NOT_FOUND));
        secrets.requireUsableRole(A, "arn:aws:iam::" + A + ":role/r");
        secrets.requireUsableRole(A, null);
        assertThatThrownBy(() -> secrets.requireUsableRole(A, "arn:aws:iam::" + A + ":role/missing"))
                .hasMessageContaining("not found");
        assertThatThrownBy(() -> secrets.requireUsableRole(A, "arn:aws:iam::123:user/x"))
                .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.INVALID));
    }

    @Test
    void replacingKeepsCreationAndListsPageInCreationOrder() {
        SecretRecord first = secrets.put(A, "a", "1", "one");
        secrets.put(A, "b", "2", null);
        SecretRecord again = secrets.put(A, "a", "3", "uno");
        assertThat(again.seq()).isEqualTo(first.seq());
        assertThat(again.createdAt()).isEqualTo(first.createdAt());
        assertThat(again.description()).isEqualTo("uno");
        assertThat(secrets.list(A, 0, 10)).extracting(SecretRecord::name).containsExactly("a", "b");
        assertThat(secrets.list(A, first.seq(), 10)).extracting(SecretRecord::name).containsExactly("b");
    }

    @Test
    void badInputIsRefusedWithoutEchoingTheValue() {
        assertThatThrownBy(() -> secrets.put(A, "bad name", VALUE, null)).hasMessageContaining("secret name");
        assertThatThrownBy(() -> secrets.put(A, "x".repeat(129), VALUE, null)).hasMessageContaining("secret name");
        assertThatThrownBy(() -> secrets.put(A, "ok", "", null)).hasMessageContaining("1 to 65536 bytes");
        assertThatThrownBy(() -> secrets.put(A, "ok", "\u00e9".repeat(40_000), null)).hasMessageContaining("got 80000");
        assertThatThrownBy(() -> secrets.put(A, "ok", "a\0" + VALUE, null)).hasMessageNotContaining(VALUE);
        secrets.put(A, "ok", "x".repeat(65_536), null);
        assertThatThrownBy(() -> secrets.putRole(A, "r", java.util.Collections.nCopies(101, "ok"), null)).hasMessageContaining("at most 100");
        assertThatThrownBy(() -> secrets.putRole(A, "bad/role", List.of(), null)).hasMessageContaining("role name");
    }

    @Test
    void resolutionReadsTheRoleNowAndNamesTheReferenceNeverTheValue() {
        secrets.put(A, "in", VALUE, null);
        secrets.put(A, "out", "outside-value", null);
        secrets.putRole(A, "r", List.of("in"), null);
        String arn = "arn:aws:iam::" + A + ":role/r";
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("IN", "in");
        assertThat(secrets.resolve(arn, refs)).containsExactly(Map.entry("IN", VALUE));
        assertThatThrownBy(() -> secrets.resolve(arn, Map.of("OUT", "out")))
                .hasMessageContaining("secretEnvironment.OUT").hasMessageContaining("not in the microVM's execution role")
                .hasMessageNotContaining("outside-value");
        assertThatThrownBy(() -> secrets.resolve(null, Map.of("IN", "in"))).hasMessageContaining("no execution role");
        assertThatThrownBy(() -> secrets.resolve(arn, Map.of("GONE", "nope"))).hasMessageContaining("secretEnvironment.GONE");
        secrets.putRole(A, "r", List.of("in", "out"), null); // an edit applies at once
        assertThat(secrets.resolve(arn, Map.of("OUT", "out"))).containsEntry("OUT", "outside-value");
        secrets.delete(A, "in");
        assertThatThrownBy(() -> secrets.resolve(arn, Map.of("IN", "in"))).hasMessageContaining("does not exist");
        secrets.deleteRole(A, "r");
        assertThatThrownBy(() -> secrets.resolve(arn, Map.of("OUT", "out"))).hasMessageContaining("no longer exists");
    }

    @Test
    void theMetadataServiceAnswersThroughTheRoleOfTheMoment() {
        secrets.put(A, "in", VALUE, null);
        secrets.put(A, "out", "o", null);
        secrets.putRole(A, "r", List.of("in"), null);
        AtomicReference<String> role = new AtomicReference<>("arn:aws:iam::" + A + ":role/r");
        MetadataService m = secrets.metadata(role::get);
        assertThat(new String(m.answer("in").value(), StandardCharsets.UTF_8)).isEqualTo(VALUE);
        assertThat(m.answer(null).names()).containsExactly("in");
        MetadataAnswer out = m.answer("out");
        assertThat(out.status()).isEqualTo(403);
        assertThat(out.value()).isNull();
        assertThat(m.answer("bad name").status()).isEqualTo(400);
        secrets.putRole(A, "r", List.of("in", "out"), null);
        assertThat(m.answer("out").status()).isEqualTo(200);
        secrets.delete(A, "out");
        assertThat(m.answer("out").status()).isEqualTo(404);
        assertThat(m.answer(null).names()).containsExactly("in");
        role.set(null);
        assertThat(m.answer("in").status()).isEqualTo(404);
        role.set("arn:aws:iam::" + A + ":role/deleted");
        assertThat(m.answer("in").status()).isEqualTo(403);
    }
}
