package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ember.sdk.Stub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TagCommandsTest {
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:microvm:mvm-0123456789abcdef01234567";
    static final String RAW = "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Amicrovm%3Amvm-0123456789abcdef01234567";

    @RegisterExtension
    final Stub stub = Stub.started();

    @Test
    void tagResource_takesShorthandOrJsonAndPrintsNothing() throws Exception {
        stub.capture("POST", RAW, 204, "");
        Cli r = Cli.run("tag-resource", "--endpoint-url", stub.url(), "--resource", ARN, "--tags", "team=search,env=dev");
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(r.out).isEmpty();
        assertThat(stub.bodyOf("POST", RAW)).isEqualTo("{\"Tags\":{\"team\":\"search\",\"env\":\"dev\"}}");

        assertThat(Cli.run("tag-resource", "--endpoint-url", stub.url(), "--resource", ARN, "--tags", "{\"a b\":\"c,d\"}").exit).isZero();
        assertThat(stub.bodyOf("POST", RAW)).isEqualTo("{\"Tags\":{\"a b\":\"c,d\"}}");
    }

    @Test
    void tagResource_badTagsAreAUsageError_serviceErrorsExit254() {
        Cli bad = Cli.run("tag-resource", "--endpoint-url", stub.url(), "--resource", ARN, "--tags", "team");
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.err).contains("Invalid value for --tags");
        assertThat(stub.seen).isEmpty();

        stub.on("POST", RAW, ex -> Stub.error(ex, 400, "ValidationException", "Tags: tag key 'aws:x' uses the reserved prefix aws:"));
        Cli r = Cli.run("tag-resource", "--endpoint-url", stub.url(), "--resource", ARN, "--tags", "aws:x=1");
        assertThat(r.exit).isEqualTo(254);
        assertThat(r.err).isEqualTo("An error occurred (ValidationException): Tags: tag key 'aws:x' uses the reserved prefix aws:\n");
    }

    @Test
    void untagResource_sendsEveryKey() {
        stub.json("DELETE", RAW, 204, "");
        Cli r = Cli.run("untag-resource", "--endpoint-url", stub.url(), "--resource", ARN, "--tag-keys", "team", "env");
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(stub.last().rawQuery()).isEqualTo("tagKeys=team&tagKeys=env");
        assertThat(Cli.run("untag-resource", "--endpoint-url", stub.url(), "--resource", ARN).exit).isEqualTo(2);
    }

    @Test
    void listTags_printsTagsLikeTheAwsCli() throws Exception {
        stub.json("GET", RAW, 200, "{\"Tags\":{\"team\":\"search\",\"env\":\"dev\"}}");
        Cli r = Cli.run("list-tags", "--endpoint-url", stub.url(), "--resource", ARN);
        assertThat(r.exit).as(r.toString()).isZero();
        assertThat(Output.MAPPER.readTree(r.out).toString()).isEqualTo("{\"Tags\":{\"env\":\"dev\",\"team\":\"search\"}}");
        stub.json("GET", RAW, 200, "{}");
        assertThat(Cli.run("list-tags", "--endpoint-url", stub.url(), "--resource", ARN).out.replaceAll("\\s", ""))
                .isEqualTo("{\"Tags\":{}}");
    }
}
