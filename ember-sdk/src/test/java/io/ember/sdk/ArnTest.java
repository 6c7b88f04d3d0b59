package io.ember.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArnTest {
    static final String VM = "mvm-0123456789abcdef01234567";

    @Test
    void parsesAwsFormsAndEmbersOlderOne() {
        assertThat(Arn.parse("arn:aws:lambda:eu-west-1:123456789012:microvm-image:my-microvm-image"))
                .contains(new Arn("aws", "eu-west-1", "123456789012", Arn.IMAGE, "my-microvm-image"));
        assertThat(Arn.parse("arn:aws:lambda:us-east-1:123456789012:microvm:" + VM))
                .contains(Arn.microvm("us-east-1", "123456789012", VM));
        assertThat(Arn.parse("arn:aws:lambda:us-east-1:aws:network-connector:aws-network-connector:SHELL_INGRESS"))
                .contains(Arn.managedConnector("us-east-1", "SHELL_INGRESS"));
        assertThat(Arn.parse("arn:aws:lambda:local:000000000000:microvm/" + VM))
                .contains(new Arn("aws", "local", "000000000000", Arn.MICROVM, VM));
        assertThat(Arn.parse("arn:aws-cn:lambda:cn-north-1:aws:microvm-image:debian"))
                .contains(new Arn("aws-cn", "cn-north-1", "aws", Arn.IMAGE, "debian"));
        for (String s : List.of("busybox", VM, "arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:iam::123456789012:role/r",
                "arn:aws:lambda:us-east-1:1234:microvm:" + VM, "arn:aws:lambda:us-east-1:123456789012:network-connector/nc-1",
                "arn:aws:lambda:us-east-1:123456789012:microvm:"))
            assertThat(Arn.parse(s)).as(s).isEmpty();
        assertThat(Arn.parse(null)).isEmpty();
    }

    @Test
    void printsAwsFormAndMovesRegions() {
        assertThat(Arn.managedImage("eu-west-1", "busybox")).hasToString("arn:aws:lambda:eu-west-1:aws:microvm-image:busybox");
        assertThat(Arn.image("us-east-1", "123456789012", "app").inRegion("ap-southeast-2"))
                .hasToString("arn:aws:lambda:ap-southeast-2:123456789012:microvm-image:app");
        assertThat(Arn.parse("arn:aws:lambda:local:000000000000:microvm-image/app").orElseThrow().inRegion("us-east-1"))
                .hasToString("arn:aws:lambda:us-east-1:000000000000:microvm-image:app");
        assertThat(NetworkConnector.INTERNET_EGRESS)
                .isEqualTo("arn:aws:lambda:us-east-1:aws:network-connector:aws-network-connector:INTERNET_EGRESS");
    }
}
