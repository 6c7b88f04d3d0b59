package io.ember.arn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LambdaArnTest {
    static final String VM = "mvm-0123456789abcdef01234567";

    @Test
    void readsAwsFormInAnyRegionAndPartition() {
        assertThat(LambdaArn.parse("arn:aws:lambda:us-east-1:123456789012:microvm-image:my-microvm-image"))
                .contains(new LambdaArn("123456789012", LambdaArn.IMAGE, "my-microvm-image"));
        assertThat(LambdaArn.parse("arn:aws:lambda:eu-west-1:123456789012:microvm:" + VM))
                .contains(new LambdaArn("123456789012", LambdaArn.MICROVM, VM));
        assertThat(LambdaArn.parse("arn:aws-cn:lambda:cn-north-1:aws:microvm-image:debian"))
                .contains(new LambdaArn("aws", LambdaArn.IMAGE, "debian"));
        assertThat(LambdaArn.parse("arn:aws-us-gov:lambda:us-gov-west-1:aws:network-connector:aws-network-connector:HTTP_INGRESS"))
                .contains(new LambdaArn("aws", LambdaArn.CONNECTOR, "aws-network-connector:HTTP_INGRESS"));
        assertThat(LambdaArn.parse("arn:aws:lambda:us-east-1:123456789012:network-connector:nc-0123456789abcdef01234567"))
                .contains(new LambdaArn("123456789012", LambdaArn.CONNECTOR, "nc-0123456789abcdef01234567"));
    }

    @Test
    void readsTheStoredFormAndEmbersOlderForms() {
        assertThat(LambdaArn.parse("arn:aws:lambda::000000000000:microvm:" + VM))
                .contains(new LambdaArn("000000000000", LambdaArn.MICROVM, VM));
        assertThat(LambdaArn.parse("arn:aws:lambda:local:000000000000:microvm/" + VM))
                .contains(new LambdaArn("000000000000", LambdaArn.MICROVM, VM));
        assertThat(LambdaArn.parse("arn:aws:lambda:local:aws:microvm-image/busybox"))
                .contains(new LambdaArn("aws", LambdaArn.IMAGE, "busybox"));
        assertThat(LambdaArn.parse("arn:aws:lambda:local:000000000000:network-connector:nc-0123456789abcdef01234567"))
                .contains(new LambdaArn("000000000000", LambdaArn.CONNECTOR, "nc-0123456789abcdef01234567"));
    }

    @Test
    void refusesWhatIsNotAMicrovmsArn() {
        for (String s : List.of("busybox", VM, "", "arn:", "arn:aws:lambda:us-east-1:123456789012:function:f",
                "arn:aws:s3:::bucket", "arn:aws:iam::123456789012:role/r",
                "arn:aws:lambda:us-east-1:12345:microvm:" + VM, // account: 12 digits or aws
                "arn:aws:lambda:us-east-1:abcdefghijkl:microvm-image:x",
                "arn:aws:lambda:us-east-1:123456789012:microvm-image:", // no resource
                "arn:aws:lambda:us-east-1:123456789012:microvm-image:a b", // a space
                "arn:aws:lambda:us-east-1:123456789012:network-connector/nc-0123456789abcdef01234567", // slash: only the old types
                "arn:aws:lambda:US-EAST-1:123456789012:microvm:" + VM, // case
                "arn:AWS:lambda:us-east-1:123456789012:microvm:" + VM,
                "ARN:aws:lambda:us-east-1:123456789012:microvm:" + VM,
                "arn:aws:lambda:us-east-1:123456789012:microvm:" + VM + "\n",
                "xarn:aws:lambda:us-east-1:123456789012:microvm:" + VM)) {
            assertThat(LambdaArn.parse(s)).as(s).isEmpty();
        }
        assertThat(LambdaArn.parse(null)).isEmpty();
        assertThat(LambdaArn.parse("arn:aws:lambda:us-east-1:123456789012:microvm:" + VM, LambdaArn.IMAGE)).isEmpty();
    }

    @Test
    void storedFormHasNoRegion_answeredFormHasTheServers() {
        LambdaArn a = LambdaArn.parse("arn:aws-cn:lambda:local:123456789012:microvm-image/app").orElseThrow();
        assertThat(a.canonical()).isEqualTo("arn:aws:lambda::123456789012:microvm-image:app");
        assertThat(a.in(new Region("eu-west-1"))).isEqualTo("arn:aws:lambda:eu-west-1:123456789012:microvm-image:app");
        assertThat(LambdaArn.microvm("123456789012", VM)).isEqualTo("arn:aws:lambda::123456789012:microvm:" + VM);
        assertThat(LambdaArn.image("aws", "debian")).isEqualTo("arn:aws:lambda::aws:microvm-image:debian");
        // every accepted form of one image has one stored form; names and ids are left as they are
        for (String s : List.of("arn:aws:lambda:us-east-1:123456789012:microvm-image:app", "arn:aws:lambda:local:123456789012:microvm-image/app",
                "arn:aws:lambda::123456789012:microvm-image:app", "arn:aws-us-gov:lambda:us-gov-east-1:123456789012:microvm-image:app"))
            assertThat(LambdaArn.normalize(s)).as(s).isEqualTo("arn:aws:lambda::123456789012:microvm-image:app");
        assertThat(LambdaArn.normalize("app")).isEqualTo("app");
        assertThat(LambdaArn.normalize("arn:aws:iam::123456789012:role/r")).isEqualTo("arn:aws:iam::123456789012:role/r");
    }

    @Test
    void constructorRefusesWhatCouldNotBeParsedBack() {
        assertThatThrownBy(() -> new LambdaArn("123", LambdaArn.IMAGE, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LambdaArn("123456789012", "function", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LambdaArn("123456789012", LambdaArn.IMAGE, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LambdaArn("123456789012", LambdaArn.IMAGE, "a b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void region_acceptsAwsRegionNamesOnly() {
        for (String r : List.of("us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1", "il-central-1",
                "us-isob-east-1", "eu-central-2"))
            assertThat(new Region(r).name()).isEqualTo(r);
        for (String r : new String[] {null, "", "local", "us-east", "US-EAST-1", "us_east_1", "us-east-1 ", "eu-west-100", "1-east-1",
                "us-east-1;rm", "a-b-1"})
            assertThatThrownBy(() -> new Region(r)).as(String.valueOf(r)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("region must be an AWS region name");
        assertThat(Region.DEFAULT.name()).isEqualTo("us-east-1");
    }

    @Test
    void region_rendersLambdaAndSecretArns_leavesTheRest() {
        Region r = new Region("ap-southeast-2");
        assertThat(r.render("arn:aws:lambda::000000000000:microvm:" + VM)).isEqualTo("arn:aws:lambda:ap-southeast-2:000000000000:microvm:" + VM);
        assertThat(r.render("arn:aws:lambda:local:aws:microvm-image/busybox")).isEqualTo("arn:aws:lambda:ap-southeast-2:aws:microvm-image:busybox");
        assertThat(r.render(List.of("arn:aws:lambda:eu-west-1:aws:network-connector:aws-network-connector:INTERNET_EGRESS")))
                .containsExactly("arn:aws:lambda:ap-southeast-2:aws:network-connector:aws-network-connector:INTERNET_EGRESS");
        assertThat(r.render("arn:aws:secretsmanager:local:000000000000:secret:app/db"))
                .isEqualTo("arn:aws:secretsmanager:ap-southeast-2:000000000000:secret:app/db");
        assertThat(r.secretArn("000000000000", "x")).isEqualTo("arn:aws:secretsmanager:ap-southeast-2:000000000000:secret:x");
        assertThat(Region.parseSecretArn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b")).containsExactly("123456789012", "a/b");
        assertThat(Region.parseSecretArn("arn:aws:secretsmanager:eu-west-1:1234:secret:a")).isNull();
        assertThat(r.render("arn:aws:iam::000000000000:role/r")).isEqualTo("arn:aws:iam::000000000000:role/r");
        assertThat(r.render("busybox")).isEqualTo("busybox");
        assertThat(r.render((String) null)).isNull();
    }
}
