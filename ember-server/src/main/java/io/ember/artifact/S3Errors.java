package io.ember.artifact;

import io.ember.artifact.ArtifactException.Reason;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** What an S3 error means for a build, as AWS reports it (ArtifactException's reasons). */
final class S3Errors {
    private S3Errors() {}

    /** An answer of the store. */
    static ArtifactException of(S3Location location, S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        String said = " (" + (code == null ? "HTTP " + status : code + ", HTTP " + status) + ")";
        Reason reason = reason(code, status);
        String message = switch (reason) {
            case S3_NO_SUCH_KEY -> location + " does not exist: bucket " + location.bucket() + " has no key " + location.key();
            case S3_NO_SUCH_BUCKET -> "bucket " + location.bucket() + " does not exist";
            case S3_ACCESS_DENIED -> "the server's credentials may not read " + location;
            case S3_INVALID_OBJECT -> location + " cannot be read now (an archived storage class?); move it to a standard one";
            case S3_CROSS_REGION_ACCESS_DENIED -> "bucket " + location.bucket() + " is in another region than the server reads from";
            case INTERNAL_PLATFORM_ERROR -> "the S3 store failed to answer for " + location;
        };
        return new ArtifactException(reason, message + said, e);
    }

    static Reason reason(String code, int status) {
        if (code != null) {
            switch (code) {
                case "NoSuchKey": return Reason.S3_NO_SUCH_KEY;
                case "NoSuchBucket": return Reason.S3_NO_SUCH_BUCKET;
                case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled", "AccountProblem",
                     "ExpiredToken", "InvalidToken", "InvalidSecurity":
                    return Reason.S3_ACCESS_DENIED;
                case "InvalidObjectState": return Reason.S3_INVALID_OBJECT;
                case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
                    return Reason.S3_CROSS_REGION_ACCESS_DENIED;
                default: break;
            }
        }
        if (status == 404) return Reason.S3_NO_SUCH_KEY;
        if (status == 401 || status == 403) return Reason.S3_ACCESS_DENIED;
        if (status == 301 || status == 307) return Reason.S3_CROSS_REGION_ACCESS_DENIED;
        return Reason.INTERNAL_PLATFORM_ERROR;
    }

    /** No answer: the store unreachable, or no credentials to sign with. */
    static ArtifactException of(S3Location location, String endpoint, SdkException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Unable to load credentials") || m.contains("credentials"))
            return new ArtifactException(Reason.INTERNAL_PLATFORM_ERROR, "the server has no S3 credentials to read " + location
                    + " with (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials of the server's user)", e);
        return new ArtifactException(Reason.INTERNAL_PLATFORM_ERROR, "cannot reach the S3 store at " + endpoint + " for " + location
                + ": " + firstLine(m), e);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
