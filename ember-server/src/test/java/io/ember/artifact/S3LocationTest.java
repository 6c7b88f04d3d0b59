package io.ember.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3LocationTest {
    @Test
    void parsesBucketAndKeyTakingTheKeyLiterally() {
        S3Location l = S3Location.parse("s3://my-bucket/apps/v1/code.zip");
        assertThat(l.bucket()).isEqualTo("my-bucket");
        assertThat(l.key()).isEqualTo("apps/v1/code.zip");
        assertThat(l).hasToString("s3://my-bucket/apps/v1/code.zip");
        assertThat(S3Location.parse("s3://b.with.dots/a%20b?x=1").key()).isEqualTo("a%20b?x=1");
        assertThat(S3Location.parse("s3://b_1/k//deep/").key()).isEqualTo("k//deep/");
        assertThat(S3Location.parse("S3://Legacy_Bucket/k").bucket()).isEqualTo("Legacy_Bucket");
    }

    @Test
    void recognisesTheSchemeOnly() {
        assertThat(S3Location.isS3("s3://b/k")).isTrue();
        assertThat(S3Location.isS3("ember-upload://upl-1")).isFalse();
        assertThat(S3Location.isS3("s3:/b/k")).isFalse();
        assertThat(S3Location.isS3(null)).isFalse();
    }

    @Test
    void refusesWhatNamesNoObjectSayingWhy() {
        assertThatThrownBy(() -> S3Location.parse("s3://bucket")).hasMessageContaining("no key").hasMessageContaining("s3://bucket/");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket/")).hasMessageContaining("no key");
        assertThatThrownBy(() -> S3Location.parse("s3:///key")).hasMessageContaining("bucket ''");
        assertThatThrownBy(() -> S3Location.parse("s3://ab/k")).hasMessageContaining("bucket 'ab'");
        assertThatThrownBy(() -> S3Location.parse("s3://-bad/k")).hasMessageContaining("bucket '-bad'");
        assertThatThrownBy(() -> S3Location.parse("s3://a..b/k")).hasMessageContaining("bucket 'a..b'");
        assertThatThrownBy(() -> S3Location.parse("s3://user@host/k")).hasMessageContaining("bucket 'user@host'");
        assertThatThrownBy(() -> S3Location.parse("s3://b" + "x".repeat(255) + "/k")).hasMessageContaining("bucket");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket/" + "k".repeat(1025))).hasMessageContaining("1024 bytes");
        assertThatThrownBy(() -> S3Location.parse("s3://bucket/a\u0001b")).hasMessageContaining("control character");
        assertThatThrownBy(() -> S3Location.parse("https://bucket/k")).hasMessageContaining("not an s3:// URI");
        assertThat(S3Location.parse("s3://bucket/" + "k".repeat(1024)).key()).hasSize(1024);
    }

    @Test
    void settingsCheckWhatTheOperatorGave() {
        assertThat(S3Settings.parseBuckets(" a-bucket, other ,,")).containsExactly("a-bucket", "other");
        assertThat(S3Settings.parseBuckets(null)).isEmpty();
        assertThatThrownBy(() -> S3Settings.DEFAULTS.withAllowedBuckets(java.util.Set.of("no/slash"))).hasMessageContaining("no/slash");
        assertThatThrownBy(() -> S3Settings.DEFAULTS.withEndpoint(java.net.URI.create("ftp://x"))).hasMessageContaining("--s3-endpoint");
        assertThatThrownBy(() -> S3Settings.DEFAULTS.withRegion("US East")).hasMessageContaining("--s3-region");
        assertThatThrownBy(() -> S3Settings.DEFAULTS.withCredentials("id", null)).hasMessageContaining("both");
        assertThat(S3Settings.DEFAULTS.regionOr("eu-west-1")).isEqualTo("eu-west-1");
        assertThat(S3Settings.DEFAULTS.withRegion("ap-south-2").regionOr("eu-west-1")).isEqualTo("ap-south-2");
    }

    @Test
    void mapsStoreErrorsToAwsReasons() {
        assertThat(S3Errors.reason("NoSuchKey", 404)).isEqualTo(ArtifactException.Reason.S3_NO_SUCH_KEY);
        assertThat(S3Errors.reason("NoSuchBucket", 404)).isEqualTo(ArtifactException.Reason.S3_NO_SUCH_BUCKET);
        assertThat(S3Errors.reason(null, 404)).isEqualTo(ArtifactException.Reason.S3_NO_SUCH_KEY);
        assertThat(S3Errors.reason("SignatureDoesNotMatch", 403)).isEqualTo(ArtifactException.Reason.S3_ACCESS_DENIED);
        assertThat(S3Errors.reason("InvalidObjectState", 403)).isEqualTo(ArtifactException.Reason.S3_INVALID_OBJECT);
        assertThat(S3Errors.reason("PermanentRedirect", 301)).isEqualTo(ArtifactException.Reason.S3_CROSS_REGION_ACCESS_DENIED);
        assertThat(S3Errors.reason("AuthorizationHeaderMalformed", 400)).isEqualTo(ArtifactException.Reason.S3_CROSS_REGION_ACCESS_DENIED);
        assertThat(S3Errors.reason("InternalError", 500)).isEqualTo(ArtifactException.Reason.INTERNAL_PLATFORM_ERROR);
    }
}
