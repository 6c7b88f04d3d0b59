package io.ember.artifact;

import io.ember.artifact.ArtifactException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Code artifacts read from S3 or an S3-compatible store with the server's own credentials (AWS SDK for Java v2 over
 * the JDK's HTTP client). The client is made at the first read: a server that never reads S3 never looks for
 * credentials or a region.
 */
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {
    private final S3Settings settings;
    private final String region;
    private S3Client client;

    /** @param serverRegion the region used when the settings name none */
    public S3ArtifactStore(S3Settings settings, String serverRegion) {
        this.settings = settings;
        this.region = settings.regionOr(serverRegion);
    }

    @Override
    public void checkAllowed(S3Location location) throws ArtifactException {
        if (!settings.allowedBuckets().isEmpty() && !settings.allowedBuckets().contains(location.bucket()))
            throw new ArtifactException(Reason.S3_ACCESS_DENIED, "bucket " + location.bucket()
                    + " is not one this server reads code artifacts from (its operator's --s3-allowed-buckets)");
    }

    @Override
    public StoredObject download(S3Location location, Path target, long maxBytes, BooleanSupplier cancelled) throws ArtifactException {
        checkAllowed(location);
        long deadline = System.nanoTime() + settings.maxDuration().toNanos();
        Path part = target.resolveSibling(target.getFileName() + ".part");
        GetObjectRequest request = GetObjectRequest.builder().bucket(location.bucket()).key(location.key()).build();
        boolean done = false;
        try (ResponseInputStream<GetObjectResponse> in = client().getObject(request)) {
            GetObjectResponse r = in.response();
            Long length = r.contentLength();
            if (length != null && length > maxBytes) {
                in.abort();
                throw tooLarge(location, length, maxBytes);
            }
            long size = copy(in, part, location, maxBytes, deadline, cancelled);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return new StoredObject(location, unquote(r.eTag()), r.versionId(), size);
        } catch (S3Exception e) {
            throw S3Errors.of(location, e);
        } catch (SdkException e) {
            throw S3Errors.of(location, endpointName(), e);
        } catch (IOException e) {
            throw new ArtifactException(Reason.INTERNAL_PLATFORM_ERROR, "reading " + location + " failed: " + e.getMessage(), e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException e) {
                    // the next read of this version replaces it
                }
            }
        }
    }

    /** Streams the body to {@code part}, stopping at the cap, the deadline or a cancel (the caller aborts the stream). */
    private static long copy(ResponseInputStream<GetObjectResponse> in, Path part, S3Location location, long maxBytes, long deadline,
                             BooleanSupplier cancelled) throws IOException, ArtifactException {
        long size = 0;
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(part)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                size += n;
                if (size > maxBytes) {
                    in.abort();
                    throw tooLarge(location, size, maxBytes);
                }
                if (cancelled.getAsBoolean()) {
                    in.abort();
                    throw new ArtifactException(Reason.INTERNAL_PLATFORM_ERROR, "reading " + location + " was cancelled");
                }
                if (System.nanoTime() > deadline) {
                    in.abort();
                    throw new ArtifactException(Reason.INTERNAL_PLATFORM_ERROR, "reading " + location + " took longer than the "
                            + "server allows (" + size + " bytes read)");
                }
                out.write(buf, 0, n);
            }
            out.flush();
        }
        return size;
    }

    private static ArtifactException tooLarge(S3Location location, long size, long maxBytes) {
        return new ArtifactException(Reason.S3_INVALID_OBJECT, location + " is larger than the " + maxBytes
                + " bytes a code artifact may have (" + size + (size > maxBytes ? "" : "+") + " bytes)");
    }

    private static String unquote(String eTag) {
        if (eTag == null) return null;
        return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"") ? eTag.substring(1, eTag.length() - 1) : eTag;
    }

    /** For messages: the store's URL, or AWS S3 and the region. */
    String endpointName() {
        return settings.endpoint() != null ? settings.endpoint().toString() : "AWS S3 (" + region + ")";
    }

    private synchronized S3Client client() {
        if (client == null) {
            S3ClientBuilder b = S3Client.builder()
                    .region(Region.of(region))
                    .forcePathStyle(settings.pathStyle())
                    .credentialsProvider(credentials())
                    // until the answer's headers, retries included; the body's bytes are bounded in copy()
                    .overrideConfiguration(o -> o.apiCallTimeout(settings.maxDuration()))
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(settings.connectTimeout())
                            .socketTimeout(settings.readTimeout()));
            if (settings.endpoint() != null) b.endpointOverride(settings.endpoint());
            client = b.build();
        }
        return client;
    }

    private AwsCredentialsProvider credentials() {
        if (settings.accessKeyId() != null)
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public synchronized void close() {
        if (client != null) client.close();
        client = null;
    }
}
