package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsChainTest {
    @TempDir Path home;
    Map<String, String> env;
    Path dataDir;

    @BeforeEach
    void setUp() throws Exception {
        dataDir = Files.createDirectories(home.resolve("data"));
        env = new HashMap<>(Map.of("HOME", home.toString(), "EMBER_DATA_DIR", dataDir.toString()));
    }

    @Test
    void environmentComesFirstThenTheProfileFileThenTheServersFile() throws Exception {
        Files.writeString(dataDir.resolve("credentials"), "[ember-admin]\naws_access_key_id = AKIDADMIN\naws_secret_access_key = admin/secret\n");
        assertThat(CredentialsChain.of(env).resolve()).isEqualTo(new Credentials("AKIDADMIN", "admin/secret"));

        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/credentials"), """
                # comment
                [default]
                aws_access_key_id=AKIDDEFAULT
                aws_secret_access_key = default+secret=
                aws_session_token = ignored

                [team]
                aws_access_key_id = AKIDTEAM
                aws_secret_access_key = team-secret
                """);
        assertThat(CredentialsChain.of(env).resolve()).isEqualTo(new Credentials("AKIDDEFAULT", "default+secret="));
        env.put("AWS_PROFILE", "team");
        assertThat(CredentialsChain.of(env).resolve()).isEqualTo(new Credentials("AKIDTEAM", "team-secret"));

        env.put("AWS_ACCESS_KEY_ID", "AKIDENV");
        env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
        env.put("AWS_SESSION_TOKEN", "ignored");
        assertThat(CredentialsChain.of(env).resolve()).isEqualTo(new Credentials("AKIDENV", "env-secret"));
        // A profile named explicitly (--profile) wins over the environment, as in the AWS CLI.
        assertThat(CredentialsChain.of(env).withProfile("default").resolve()).isEqualTo(new Credentials("AKIDDEFAULT", "default+secret="));
        // ... and is looked up in the server's file too when the AWS files lack it.
        assertThat(CredentialsChain.of(env).withProfile("ember-admin").resolve()).isEqualTo(new Credentials("AKIDADMIN", "admin/secret"));
    }

    @Test
    void theConfigFileGivesProfilesAndTheRegion() throws Exception {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/config"), """
                [default]
                region = eu-west-1
                [profile dev]
                region = us-east-2
                aws_access_key_id = AKIDDEV
                aws_secret_access_key = dev-secret
                """);
        assertThat(CredentialsChain.of(env).region()).isEqualTo("eu-west-1");
        assertThat(CredentialsChain.of(env).withProfile("dev").region()).isEqualTo("us-east-2");
        assertThat(CredentialsChain.of(env).withProfile("dev").resolve()).isEqualTo(new Credentials("AKIDDEV", "dev-secret"));
        assertThat(CredentialsChain.of(env).withProfile("other").region()).isEqualTo("local");
        env.put("AWS_REGION", "ap-south-1");
        assertThat(CredentialsChain.of(env).withProfile("dev").region()).isEqualTo("ap-south-1");
    }

    @Test
    void sharedFilesCanBeMovedByTheAwsVariables() throws Exception {
        Path creds = Files.writeString(home.resolve("elsewhere"), "[ember-admin]\naws_access_key_id = AKIDX\naws_secret_access_key = x\n");
        env.put("AWS_SHARED_CREDENTIALS_FILE", creds.toString());
        env.put("AWS_PROFILE", "ember-admin");
        assertThat(CredentialsChain.of(env).resolve()).isEqualTo(new Credentials("AKIDX", "x"));
    }

    @Test
    void nothingFound_namesEveryPlaceLooked() throws Exception {
        env.put("AWS_ACCESS_KEY_ID", "AKIDHALF");
        Files.writeString(dataDir.resolve("credentials"), "[someone-else]\naws_access_key_id = A\naws_secret_access_key = b\n");
        MissingCredentialsException e = catchThrowableOfType(MissingCredentialsException.class, () -> CredentialsChain.of(env).resolve());
        assertThat(e.getMessage())
                .contains("AWS_SECRET_ACCESS_KEY is not set")
                .contains(home.resolve(".aws/credentials") + " (missing)")
                .contains(home.resolve(".aws/config") + " (missing)")
                .contains(dataDir.resolve("credentials") + " (no profile ember-admin)");
    }

    @Test
    void theClientLooksForKeysOnlyWhenItSignsAndSaysWhereItLooked() throws Exception {
        try (Stub stub = new Stub(); EmberClient c = EmberClient.builder().endpoint(stub.url())
                .credentialsProvider(CredentialsChain.of(env)).build()) {
            stub.json("GET", "/ember/v1/health", 200, "{\"status\":\"ok\"}");
            assertThat(c.health()).isNotNull(); // open to all: no keys needed
            MissingCredentialsException e = catchThrowableOfType(MissingCredentialsException.class, () -> c.getMicrovm("mvm-1"));
            assertThat(e.getMessage()).contains("No Ember credentials found").contains(dataDir.resolve("credentials").toString());
            assertThat(stub.seen).hasSize(1);
        }
    }
}
