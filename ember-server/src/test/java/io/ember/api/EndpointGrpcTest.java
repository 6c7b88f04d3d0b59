package io.ember.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.endpoint.LocalCa;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the endpoint, as Lambda MicroVMs serves it: a gRPC client over TLS (ALPN h2) names the microVM by
 * authority ({@code mvm-….<domain>}), sends its token as metadata and {@code x-aws-proxy-force-h2: true} so that
 * the call reaches the plaintext gRPC server (h2c) in the "guest" as HTTP/2; unary and server-streaming calls, with
 * their status and trailers intact.
 */
class EndpointGrpcTest {
    static final String DOMAIN = "endpoint.test";
    static final Metadata.Key<String> AUTH = Metadata.Key.of("x-aws-proxy-auth", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> FORCE = Metadata.Key.of("x-aws-proxy-force-h2", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> SEEN = Metadata.Key.of("seen-headers", Metadata.ASCII_STRING_MARSHALLER);
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override public InputStream stream(byte[] value) { return new ByteArrayInputStream(value); }
        @Override public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<byte[], byte[]> SAY = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("echo.Echo/Say")
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    static final MethodDescriptor<byte[], byte[]> COUNT = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("echo.Echo/Count")
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    @TempDir Path dir;
    ApiFixture api;
    Server grpc;
    ManagedChannel channel;
    String id;
    String token;
    final List<String> seenAuthorities = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        api = new ApiFixture(dir, 64, c -> c.withEndpoint(c.endpoint().withLocalCa(c.dataDir()).withDomain(DOMAIN)));
        ServerServiceDefinition echo = ServerServiceDefinition.builder("echo.Echo")
                .addMethod(SAY, ServerCalls.asyncUnaryCall((req, out) -> {
                    String text = new String(req, StandardCharsets.UTF_8);
                    if (text.equals("fail")) {
                        out.onError(Status.INVALID_ARGUMENT.withDescription("no failing here").asRuntimeException());
                        return;
                    }
                    out.onNext(("hello " + text).getBytes(StandardCharsets.UTF_8));
                    out.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int n = Integer.parseInt(new String(req, StandardCharsets.UTF_8));
                    for (int i = 1; i <= n; i++) out.onNext(("" + i).getBytes(StandardCharsets.UTF_8));
                    out.onCompleted();
                }))
                .build();
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(io.grpc.ServerInterceptors.intercept(echo, new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call, Metadata headers,
                                                                              io.grpc.ServerCallHandler<Q, A> next) {
                        synchronized (seenAuthorities) {
                            seenAuthorities.add(call.getAuthority() + " auth=" + headers.get(AUTH) + " force=" + headers.get(FORCE));
                        }
                        return next.startCall(call, headers);
                    }
                })).build().start();
        id = api.runningWithShell();
        api.agents.tcpPorts.put(8080, grpc.getPort());
        token = api.ok("POST", "/2025-09-09/microvms/" + id + "/auth-token",
                "{\"expirationInMinutes\":5,\"allowedPorts\":[{\"port\":8080}]}").get("authToken").get("X-aws-proxy-auth").asText();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", api.server.endpointPort())
                .overrideAuthority(id + "." + DOMAIN)
                .sslContext(GrpcSslContexts.forClient().trustManager(api.dataDir.resolve(LocalCa.CERT_FILE).toFile()).build())
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        api.close();
    }

    Channel with(boolean force, String tokenValue) {
        Metadata m = new Metadata();
        if (tokenValue != null) m.put(AUTH, tokenValue);
        if (force) m.put(FORCE, "true");
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(m));
    }

    @Test
    void unaryAndServerStreamingCallsWithTheirStatusReachAPlaintextGrpcServer() {
        Channel ch = with(true, token);
        byte[] answer = ClientCalls.blockingUnaryCall(ch, SAY, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                "ember".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("hello ember");

        Iterator<byte[]> counted = ClientCalls.blockingServerStreamingCall(ch, COUNT,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "5".getBytes(StandardCharsets.UTF_8));
        List<String> got = new ArrayList<>();
        counted.forEachRemaining(b -> got.add(new String(b, StandardCharsets.UTF_8)));
        assertThat(got).containsExactly("1", "2", "3", "4", "5");

        // An error status travels in the trailers: it must come through whole.
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, SAY, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                "fail".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no failing here");
                });
        synchronized (seenAuthorities) {
            assertThat(seenAuthorities).isNotEmpty().allSatisfy(s ->
                    assertThat(s).isEqualTo(id + "." + DOMAIN + " auth=null force=null"));
        }
    }

    @Test
    void withoutATokenTheCallIsRefusedBeforeTheGuestAndWithoutForceH2TheHttp11RelayCannotReachIt() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(with(true, null), SAY,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED)); // HTTP 403
        assertThat(api.agents.tcpConnects).isEmpty();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(with(false, token), SAY,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE)); // HTTP 502
    }
}
