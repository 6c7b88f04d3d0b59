package io.ember.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.endpoint.LocalCa;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.EmberClient;
import io.ember.sdk.Hooks;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.PortSpecification;
import io.ember.sdk.RunMicrovmRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * examples/aws-app, written from AWS's Lambda MicroVMs documentation alone, built and run on Ember unchanged and
 * driven as an AWS client drives it: its hooks at AWS's paths (ready answering 503 until the application started,
 * validate on a test microVM, run with the payload), then through the endpoint over TLS with Ember's CA: HTTP/2 with
 * {@code X-aws-proxy-auth}, gRPC (unary and server streaming) on port 50051 with {@code x-aws-proxy-port} and
 * {@code x-aws-proxy-force-h2}, and a WebSocket with AWS's subprotocols.
 */
class AwsAppEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path APP = Path.of("..", "examples", "aws-app");
    static final String DOMAIN = "endpoint.test"; // gRPC names the microVM by authority; no DNS is asked
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
    static final MethodDescriptor<byte[], byte[]> HELLO = method("example.Greeter/Hello", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> COUNT = method("example.Greeter/Count", MethodDescriptor.MethodType.SERVER_STREAMING);

    static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName(name)
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    @Test
    void anApplicationWrittenFromAwsDocsRunsUnchangedOverHttp2GrpcAndWebSocket() throws Exception {
        Path debs = APP.resolve("debs");
        try (Stream<Path> listed = Files.isDirectory(debs) ? Files.list(debs) : Stream.empty()) {
            assertThat(listed.filter(p -> p.toString().endsWith(".deb")).count())
                    .as("run examples/aws-app/fetch-debs.sh (bin/test does) for Debian's python3-grpcio").isGreaterThanOrEqualTo(6);
        }
        try (EmberTestServer server = EmberTestServer.withEndpointTls(DOMAIN)) {
            EmberClient client = server.client();
            CodeZip code = CodeZip.dockerfile(Files.readString(APP.resolve("Dockerfile")))
                    .file("app.py", Files.readString(APP.resolve("app.py")));
            try (Stream<Path> files = Files.list(debs)) {
                for (Path deb : files.filter(p -> p.toString().endsWith(".deb")).toList()) {
                    code.file("debs/" + deb.getFileName(), Files.readAllBytes(deb));
                }
            }
            Path zip = code.write(server.dataDir());
            // The hooks exactly as AWS's getting-started configures them (port 9000, ready and validate enabled).
            Hooks hooks = JSON.readValue("""
                    {"port": 9000,
                     "microvmImageHooks": {"ready": "ENABLED", "readyTimeoutInSeconds": 300,
                                           "validate": "ENABLED", "validateTimeoutInSeconds": 120},
                     "microvmHooks": {"run": "ENABLED", "runTimeoutInSeconds": 10, "resume": "ENABLED", "resumeTimeoutInSeconds": 10,
                                      "suspend": "ENABLED", "suspendTimeoutInSeconds": 5, "terminate": "ENABLED", "terminateTimeoutInSeconds": 5}}
                    """, Hooks.class);
            var created = client.createMicrovmImage(CreateMicrovmImageRequest.of("aws-app", "debian",
                    client.uploadCodeArtifact(zip).codeArtifact()).withHooks(hooks));
            MicrovmImageVersion v = client.waitForImageVersion("aws-app", created.imageVersion(), Duration.ofMinutes(15));
            assertThat(v.state()).as("build: %s", v.stateReason()).isEqualTo(MicrovmImageVersionState.SUCCESSFUL);

            RunMicrovmRequest run = RunMicrovmRequest.of("aws-app").withRunHookPayload("{\"user\":\"u-1\"}");
            try (TestVm vm = TestVm.run(server, run)) {
                String token = client.createMicrovmAuthToken(vm.id, 10,
                        List.of(PortSpecification.port(8080), PortSpecification.port(50051))).value();
                assertThat(client.getMicrovm(vm.id).endpoint()).isEqualTo("https://" + vm.id + "." + DOMAIN + ":" + server.endpointPort());
                // The same listener serves the path form, which needs no DNS for the test's domain.
                String endpoint = "https://127.0.0.1:" + server.endpointPort() + "/" + vm.id;
                Path ca = server.dataDir().resolve(LocalCa.CERT_FILE);

                // HTTP/2 over TLS with X-aws-proxy-auth: the application sees none of the proxy's headers.
                HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                        .sslContext(EndpointProtocolsEndToEndTest.trusting(ca)).build();
                HttpResponse<String> root = h2.send(HttpRequest.newBuilder(URI.create(endpoint + "/"))
                        .header("X-aws-proxy-auth", token).timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(root.statusCode()).as(root.body()).isEqualTo(200);
                assertThat(root.version()).isEqualTo(HttpClient.Version.HTTP_2);
                JsonNode state = JSON.readTree(root.body());
                assertThat(state.get("hello").asText()).isEqualTo("world");
                assertThat(state.get("payload").asText()).isEqualTo("{\"user\":\"u-1\"}");
                assertThat(state.get("instance").asText()).as("drawn by the run hook, after the snapshot").isNotEmpty();
                assertThat(JSON.convertValue(state.get("hooks"), List.class)).as("ready before the snapshot, run after")
                        .contains("ready", "run").doesNotContain("validate"); // validate ran on a test microVM
                assertThat(state.get("sawProxyHeaders")).isEmpty();

                // gRPC to port 50051: the port and h2 to the application are asked for by metadata, as AWS documents.
                ManagedChannel grpc = NettyChannelBuilder.forAddress("127.0.0.1", server.endpointPort())
                        .overrideAuthority(vm.id + "." + DOMAIN)
                        .sslContext(GrpcSslContexts.forClient().trustManager(ca.toFile()).build()).build();
                try {
                    Metadata m = new Metadata();
                    m.put(Metadata.Key.of("x-aws-proxy-auth", Metadata.ASCII_STRING_MARSHALLER), token);
                    m.put(Metadata.Key.of("x-aws-proxy-port", Metadata.ASCII_STRING_MARSHALLER), "50051");
                    m.put(Metadata.Key.of("x-aws-proxy-force-h2", Metadata.ASCII_STRING_MARSHALLER), "true");
                    Channel ch = ClientInterceptors.intercept(grpc, MetadataUtils.newAttachHeadersInterceptor(m));
                    CallOptions deadline = CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
                    assertThat(new String(ClientCalls.blockingUnaryCall(ch, HELLO, deadline, "ember".getBytes(StandardCharsets.UTF_8)),
                            StandardCharsets.UTF_8)).isEqualTo("hello ember");
                    List<String> counted = new ArrayList<>();
                    ClientCalls.blockingServerStreamingCall(ch, COUNT, deadline, "4".getBytes(StandardCharsets.UTF_8))
                            .forEachRemaining(b -> counted.add(new String(b, StandardCharsets.UTF_8)));
                    assertThat(counted).containsExactly("0", "1", "2", "3");
                } finally {
                    grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }

                // A WebSocket as a browser opens it: auth and port in AWS's subprotocols, stripped before the application.
                CompletableFuture<String> echoed = new CompletableFuture<>();
                WebSocket ws = HttpClient.newBuilder().sslContext(EndpointProtocolsEndToEndTest.trusting(ca)).build()
                        .newWebSocketBuilder()
                        .subprotocols("lambda-microvms", "lambda-microvms.authentication." + token, "lambda-microvms.port.8080", "echo")
                        .buildAsync(URI.create(endpoint.replaceFirst("^https", "wss") + "/ws"), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                                echoed.complete(data.toString());
                                return null;
                            }
                        }).get(120, TimeUnit.SECONDS);
                ws.sendText("hi", true);
                assertThat(echoed.get(60, TimeUnit.SECONDS)).isEqualTo("echo: hi offered=echo");
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
                h2.close();
            }
        }
    }
}
