package io.ember.sdk;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A client for an Ember server: the Lambda MicroVMs operations (microVMs and images) plus Ember's
 * exec, shell, files, code upload and build log extensions. Thread-safe; close it to release its connections. Service errors are thrown as
 * {@link EmberException} subclasses, transport failures as {@link UncheckedIOException}.
 */
public final class EmberClient implements AutoCloseable {
    private static final String API = "/2025-09-09";
    private static final String EXT = "/ember/v1";
    /** Default per-stream cap of {@link #execAndWait(String, ExecRequest)}. */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 16 << 20;

    private final Transport transport;

    private EmberClient(Transport transport) {
        this.transport = transport;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client for {@code endpoint} (e.g. {@code http://127.0.0.1:8080}) with default timeouts. */
    public static EmberClient create(String endpoint) {
        return builder().endpoint(URI.create(endpoint)).build();
    }

    // ---- Lambda MicroVMs operations ----

    /** Starts a microVM; it comes back PENDING (see {@link #waitUntilRunning}). Fills a missing clientToken. */
    public Microvm runMicrovm(RunMicrovmRequest request) {
        RunMicrovmRequest r = request.clientToken() != null ? request : request.withClientToken(UUID.randomUUID().toString());
        return transport.call("POST", API + "/microvms", r, Microvm.class);
    }

    /** {@code microvmIdentifier} is the id ({@code mvm-...}) or the ARN. */
    public Microvm getMicrovm(String microvmIdentifier) {
        return transport.call("GET", API + "/microvms/" + Transport.segment(microvmIdentifier), null, Microvm.class);
    }

    /** One page; pass its {@code nextToken} back for the next, or use {@link #listAllMicrovms}. */
    public ListMicrovmsResponse listMicrovms(ListMicrovmsRequest request) {
        return transport.call("GET", API + "/microvms" + Transport.query("maxResults", request.maxResults(),
                "nextToken", request.nextToken(), "imageIdentifier", request.imageIdentifier(),
                "imageVersion", request.imageVersion()), null, ListMicrovmsResponse.class);
    }

    /** All pages from {@code request.nextToken()} on, each fetched when iteration reaches it. */
    public Iterable<ListMicrovmsResponse> listMicrovmsPages(ListMicrovmsRequest request) {
        return () -> new Pages<>(request.nextToken(), t -> listMicrovms(request.withNextToken(t)),
                ListMicrovmsResponse::nextToken);
    }

    /** Every microVM across all pages, lazily. */
    public Stream<MicrovmItem> listAllMicrovms(ListMicrovmsRequest request) {
        return StreamSupport.stream(listMicrovmsPages(request).spliterator(), false).flatMap(p -> p.items().stream());
    }

    /** Stops the microVM and discards its disk; terminating a TERMINATED microVM is not an error. */
    public void terminateMicrovm(String microvmIdentifier) {
        transport.call("DELETE", API + "/microvms/" + Transport.segment(microvmIdentifier), null, Void.class);
    }

    public ListManagedMicrovmImagesResponse listManagedMicrovmImages() {
        return listManagedMicrovmImages(null, null);
    }

    public ListManagedMicrovmImagesResponse listManagedMicrovmImages(Integer maxResults, String nextToken) {
        return transport.call("GET", API + "/managed-microvm-images"
                + Transport.query("maxResults", maxResults, "nextToken", nextToken), null, ListManagedMicrovmImagesResponse.class);
    }

    public ListManagedMicrovmImageVersionsResponse listManagedMicrovmImageVersions(String imageIdentifier) {
        return listManagedMicrovmImageVersions(imageIdentifier, null, null);
    }

    public ListManagedMicrovmImageVersionsResponse listManagedMicrovmImageVersions(
            String imageIdentifier, Integer maxResults, String nextToken) {
        return transport.call("GET", API + "/managed-microvm-images/" + Transport.segment(imageIdentifier) + "/versions"
                        + Transport.query("maxResults", maxResults, "nextToken", nextToken),
                null, ListManagedMicrovmImageVersionsResponse.class);
    }

    /** Suspends the microVM (SuspendMicrovm): memory and disk go to disk, the VMM process ends. */
    public void suspendMicrovm(String microvmIdentifier) {
        transport.call("POST", API + "/microvms/" + Transport.segment(microvmIdentifier) + "/suspend", null, Void.class);
    }

    /**
     * A token for the microVM's endpoint (CreateMicrovmAuthToken), valid {@code expirationInMinutes} (1 to 60)
     * for the given ports: send {@link AuthToken#value()} as the {@value AuthToken#HEADER} header.
     */
    public AuthToken createMicrovmAuthToken(String microvmIdentifier, int expirationInMinutes,
                                            List<PortSpecification> allowedPorts) {
        record Body(int expirationInMinutes, List<PortSpecification> allowedPorts) {}
        return transport.call("POST", API + "/microvms/" + Transport.segment(microvmIdentifier) + "/auth-token",
                new Body(expirationInMinutes, allowedPorts), AuthToken.class);
    }

    /** Resumes a SUSPENDED microVM (ResumeMicrovm) with its processes, memory and disk as they were. */
    public void resumeMicrovm(String microvmIdentifier) {
        transport.call("POST", API + "/microvms/" + Transport.segment(microvmIdentifier) + "/resume", null, Void.class);
    }

    // ---- Tags (TagResource, UntagResource, ListTags): microVMs and built images, by ARN (a microVM's id works too) ----

    /** Adds tags, replacing the values of keys the resource has already; at most 50 tags per resource. */
    public void tagResource(String resourceArn, Map<String, String> tags) {
        transport.call("POST", tagsPath(resourceArn), Map.of("Tags", tags), Void.class);
    }

    /** Removes the tags with these keys; a key the resource does not have is not an error. */
    public void untagResource(String resourceArn, List<String> tagKeys) {
        transport.call("DELETE", tagsPath(resourceArn) + Transport.query(tagKeys.stream().flatMap(k -> Stream.of("tagKeys", k)).toArray()),
                null, Void.class);
    }

    /** The resource's tags, sorted by key; empty when it has none. */
    public Map<String, String> listTags(String resourceArn) {
        TagList t = transport.call("GET", tagsPath(resourceArn), null, TagList.class);
        return t.tags() == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(t.tags()));
    }

    private static String tagsPath(String resourceArn) {
        return "/2017-03-31/tags/" + Transport.segment(resourceArn);
    }

    record TagList(@JsonProperty("Tags") Map<String, String> tags) {}

    /**
     * Polls until the microVM is RUNNING and returns it. Throws {@link ConflictException} if it reaches
     * a state from which RUNNING cannot follow (with its stateReason), or {@link WaiterTimeoutException}.
     * A microVM with a short idle policy may be suspended again between two polls (every 200 ms) and then
     * stays SUSPENDED: to wait for a boot and use the guest, call {@link #exec} instead, which waits for
     * the boot on the server and wakes a suspended microVM.
     */
    public Microvm waitUntilRunning(String microvmIdentifier, Duration timeout) {
        return waitUntilState(microvmIdentifier, MicrovmState.RUNNING, timeout);
    }

    /**
     * Polls until the microVM is in {@code state} and returns it. Throws {@link ConflictException} once it
     * is TERMINATING or TERMINATED (unless that is what is awaited), or {@link WaiterTimeoutException}.
     */
    public Microvm waitUntilState(String microvmIdentifier, MicrovmState state, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Microvm vm = getMicrovm(microvmIdentifier);
            if (vm.state() == state) return vm;
            if (vm.state() == MicrovmState.TERMINATED || vm.state() == MicrovmState.TERMINATING && state != MicrovmState.TERMINATED) {
                throw new ConflictException(0, null, "microVM " + vm.microvmId() + " is " + vm.state()
                        + (vm.stateReason() == null ? "" : ": " + vm.stateReason()) + ", not " + state);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new WaiterTimeoutException("microVM " + microvmIdentifier + " still " + vm.state() + " after "
                        + timeout.toSeconds() + "s, not " + state);
            }
            sleep(Duration.ofMillis(200));
        }
    }

    // ---- Lambda MicroVMs operations: images ----

    /** Creates an image and starts building its version 1 (201). Fills a missing clientToken. */
    public CreateMicrovmImageResponse createMicrovmImage(CreateMicrovmImageRequest request) {
        CreateMicrovmImageRequest r = request.clientToken() != null ? request : request.withClientToken(UUID.randomUUID().toString());
        return transport.call("POST", API + "/microvm-images", r, CreateMicrovmImageResponse.class);
    }

    /** {@code imageIdentifier} is the image's name, ARN or id. */
    public MicrovmImage getMicrovmImage(String imageIdentifier) {
        return transport.call("GET", image(imageIdentifier), null, MicrovmImage.class);
    }

    /** One page; pass its {@code nextToken} back for the next, or use {@link #listAllMicrovmImages}. */
    public ListMicrovmImagesResponse listMicrovmImages(ListMicrovmImagesRequest request) {
        return transport.call("GET", API + "/microvm-images" + Transport.query("maxResults", request.maxResults(),
                "nextToken", request.nextToken(), "nameFilter", request.nameFilter()), null, ListMicrovmImagesResponse.class);
    }

    /** All pages from {@code request.nextToken()} on, each fetched when iteration reaches it. */
    public Iterable<ListMicrovmImagesResponse> listMicrovmImagesPages(ListMicrovmImagesRequest request) {
        return () -> new Pages<>(request.nextToken(), t -> listMicrovmImages(request.withNextToken(t)),
                ListMicrovmImagesResponse::nextToken);
    }

    /** Every image across all pages, lazily. */
    public Stream<MicrovmImage> listAllMicrovmImages(ListMicrovmImagesRequest request) {
        return StreamSupport.stream(listMicrovmImagesPages(request).spliterator(), false).flatMap(p -> p.items().stream());
    }

    /** Starts a new version of the image, built from the request. Fills a missing clientToken. */
    public UpdateMicrovmImageResponse updateMicrovmImage(UpdateMicrovmImageRequest request) {
        UpdateMicrovmImageRequest r = request.clientToken() != null ? request : request.withClientToken(UUID.randomUUID().toString());
        return transport.call("PUT", image(r.imageIdentifier()), r, UpdateMicrovmImageResponse.class);
    }

    /** Deletes the image with all its versions; ConflictException while a microVM runs it or it builds. */
    public DeleteMicrovmImageResponse deleteMicrovmImage(String imageIdentifier) {
        return transport.call("DELETE", image(imageIdentifier), null, DeleteMicrovmImageResponse.class);
    }

    public MicrovmImageVersion getMicrovmImageVersion(String imageIdentifier, String imageVersion) {
        return transport.call("GET", version(imageIdentifier, imageVersion), null, MicrovmImageVersion.class);
    }

    public ListMicrovmImageVersionsResponse listMicrovmImageVersions(String imageIdentifier, Integer maxResults, String nextToken) {
        return transport.call("GET", image(imageIdentifier) + "/versions" + Transport.query("maxResults", maxResults,
                "nextToken", nextToken), null, ListMicrovmImageVersionsResponse.class);
    }

    /** Every version of the image across all pages, lazily. */
    public Stream<MicrovmImageVersion> listAllMicrovmImageVersions(String imageIdentifier) {
        Iterable<ListMicrovmImageVersionsResponse> pages = () -> new Pages<>(null,
                t -> listMicrovmImageVersions(imageIdentifier, null, t), ListMicrovmImageVersionsResponse::nextToken);
        return StreamSupport.stream(pages.spliterator(), false).flatMap(p -> p.items().stream());
    }

    /** Sets a version ACTIVE or INACTIVE (new microVMs launch only from ACTIVE versions). */
    public MicrovmImageVersion updateMicrovmImageVersion(String imageIdentifier, String imageVersion,
                                                         MicrovmImageVersionStatus status) {
        return transport.call("PATCH", version(imageIdentifier, imageVersion), new VersionStatus(status), MicrovmImageVersion.class);
    }

    public DeleteMicrovmImageVersionResponse deleteMicrovmImageVersion(String imageIdentifier, String imageVersion) {
        return transport.call("DELETE", version(imageIdentifier, imageVersion), null, DeleteMicrovmImageVersionResponse.class);
    }

    public ListMicrovmImageBuildsResponse listMicrovmImageBuilds(String imageIdentifier, String imageVersion,
                                                                 Integer maxResults, String nextToken) {
        return transport.call("GET", version(imageIdentifier, imageVersion) + "/builds" + Transport.query("maxResults",
                maxResults, "nextToken", nextToken), null, ListMicrovmImageBuildsResponse.class);
    }

    /** Every build of the version across all pages, lazily. */
    public Stream<MicrovmImageBuild> listAllMicrovmImageBuilds(String imageIdentifier, String imageVersion) {
        Iterable<ListMicrovmImageBuildsResponse> pages = () -> new Pages<>(null,
                t -> listMicrovmImageBuilds(imageIdentifier, imageVersion, null, t), ListMicrovmImageBuildsResponse::nextToken);
        return StreamSupport.stream(pages.spliterator(), false).flatMap(p -> p.items().stream());
    }

    public MicrovmImageBuild getMicrovmImageBuild(String imageIdentifier, String imageVersion, String buildId) {
        return transport.call("GET", version(imageIdentifier, imageVersion) + "/builds/" + Transport.segment(buildId),
                null, MicrovmImageBuild.class);
    }

    /**
     * Polls GetMicrovmImageVersion until the version's build is over and returns it: check its
     * {@code state()}, SUCCESSFUL or FAILED (with {@code stateReason()}). Throws {@link WaiterTimeoutException}.
     */
    public MicrovmImageVersion waitForImageVersion(String imageIdentifier, String imageVersion, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            MicrovmImageVersion v = getMicrovmImageVersion(imageIdentifier, imageVersion);
            if (v.state() != null && v.state().isFinal()) return v;
            if (Instant.now().isAfter(deadline)) {
                throw new WaiterTimeoutException("version " + imageVersion + " of image " + imageIdentifier + " still "
                        + v.state() + " after " + timeout.toSeconds() + "s");
            }
            sleep(Duration.ofMillis(500));
        }
    }

    // ---- Ember extensions: code uploads and build logs ----

    /** Streams a local code zip to the server (201); pass {@link CodeArtifactUpload#codeArtifact()} to an image. */
    public CodeArtifactUpload uploadCodeArtifact(Path zip) {
        try {
            HttpRequest req = transport.request(EXT + "/uploads").header("Content-Type", "application/zip")
                    .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofFile(zip)).build();
            try (InputStream in = transport.open(req, SigV4Signer.UNSIGNED_PAYLOAD).body()) {
                return Json.MAPPER.readValue(in, CodeArtifactUpload.class);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies the build log from byte {@code offset} into {@code out} (flushed as it arrives, not closed)
     * and returns the offset after the last byte. With {@code follow} the server keeps the answer open
     * until the build ends; without, it answers what there is now.
     */
    public long getBuildLog(String imageIdentifier, String imageVersion, String buildId, long offset, boolean follow,
                            OutputStream out) {
        return BuildLogs.copy(transport, logPath(imageIdentifier, imageVersion, buildId, offset, follow), offset, out);
    }

    /**
     * Streams the build log from byte {@code offset} into {@code out} until the build has ended, reconnecting
     * from where it stopped if the connection is cut, and returns the offset after the last byte.
     */
    public long followBuildLog(String imageIdentifier, String imageVersion, String buildId, long offset, OutputStream out) {
        return new BuildLogs(transport, o -> logPath(imageIdentifier, imageVersion, buildId, o, true),
                () -> getMicrovmImageBuild(imageIdentifier, imageVersion, buildId).buildState(), BuildLogs.RETRY_DELAY)
                .follow(offset, out);
    }

    /** As {@link #followBuildLog(String, String, String, long, OutputStream)}, a line (without its newline) at a time. */
    public long followBuildLog(String imageIdentifier, String imageVersion, String buildId, long offset,
                               Consumer<String> lines) {
        try (BuildLogs.LineSplitter splitter = new BuildLogs.LineSplitter(lines)) {
            return followBuildLog(imageIdentifier, imageVersion, buildId, offset, splitter);
        }
    }

    /** A token for {@link #openShell} (CreateMicrovmShellAuthToken), valid 1 to 60 minutes; it is checked when a shell opens. */
    public AuthToken createMicrovmShellAuthToken(String microvmIdentifier, int expirationInMinutes) {
        return transport.call("POST", API + "/microvms/" + Transport.segment(microvmIdentifier) + "/shell-auth-token",
                new ShellTokenRequest(expirationInMinutes), AuthToken.class);
    }

    // ---- Ember extensions: commands ----

    /** An interactive shell on a terminal of {@code rows} x {@code cols}: the guest's login shell. */
    public Shell openShell(String microvmIdentifier, String token, int rows, int cols, ShellListener listener) {
        return openShell(microvmIdentifier, token, ShellOptions.of(rows, cols), listener);
    }

    /**
     * Opens the shell WebSocket (a suspended microVM is resumed first). Refusals (a bad or expired token, an unknown
     * or ended microVM) are thrown here as typed {@link EmberException}s.
     */
    public Shell openShell(String microvmIdentifier, String token, ShellOptions options, ShellListener listener) {
        String path = EXT + "/microvms/" + Transport.segment(microvmIdentifier) + "/shell"
                + Transport.query("rows", options.rows(), "cols", options.cols(), "command", options.command());
        return transport.shell(path, java.util.Objects.requireNonNull(token, "token"), listener);
    }

    /** Starts a command and returns its events as they arrive; close the stream if you stop early. */
    public ExecStream exec(String microvmIdentifier, ExecRequest request) {
        byte[] body = Transport.json(request);
        HttpRequest req = transport.request(EXT + "/microvms/" + Transport.segment(microvmIdentifier) + "/exec")
                .header("Content-Type", "application/json").header("Accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<InputStream> r = transport.open(req, SigV4Signer.sha256Hex(body));
        return new ExecStream(r.body(), r.headers().firstValue("x-amzn-RequestId").orElse(null));
    }

    /** Runs a command, handing output to {@code handler} chunk by chunk, and returns how it ended. */
    public ExecEvent.Exit exec(String microvmIdentifier, ExecRequest request, ExecHandler handler) {
        try (ExecStream events = exec(microvmIdentifier, request)) {
            while (events.hasNext()) {
                switch (events.next()) {
                    case ExecEvent.Started s -> handler.onStarted(s.pid());
                    case ExecEvent.Stdout o -> handler.onStdout(o.data());
                    case ExecEvent.Stderr e -> handler.onStderr(e.data());
                    case ExecEvent.Exit x -> { return x; }
                }
            }
        }
        throw new IllegalStateException("unreachable: ExecStream ends with an exit event or throws");
    }

    /** Runs a command to completion, keeping up to {@link #DEFAULT_MAX_OUTPUT_BYTES} of each stream. */
    public ExecResult execAndWait(String microvmIdentifier, ExecRequest request) {
        return execAndWait(microvmIdentifier, request, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /** Runs a command to completion; output beyond {@code maxOutputBytes} per stream is read and dropped. */
    public ExecResult execAndWait(String microvmIdentifier, ExecRequest request, int maxOutputBytes) {
        CappedBuffer out = new CappedBuffer(maxOutputBytes);
        CappedBuffer err = new CappedBuffer(maxOutputBytes);
        ExecEvent.Exit x = exec(microvmIdentifier, request, new ExecHandler() {
            @Override public void onStdout(byte[] data) { out.add(data); }
            @Override public void onStderr(byte[] data) { err.add(data); }
        });
        return new ExecResult(out.toByteArray(), err.toByteArray(), x.exitCode(), x.signal(), x.timedOut(),
                out.truncated || err.truncated);
    }

    // ---- Ember extensions: agent tools (docs/agents.md) ----

    /** Runs one Anthropic client tool call in the microVM with the server's defaults (session {@code default}). */
    public ToolResult runTool(String microvmIdentifier, ToolUse toolUse) {
        return runTool(microvmIdentifier, toolUse, ToolOptions.defaults());
    }

    /**
     * Runs one Anthropic client tool call ({@code bash} or {@code str_replace_based_edit_tool}) in the microVM and
     * returns the tool_result block for the model. A failed tool call is a result with {@code isError}; a missing
     * or ended microVM is thrown. The call may take the command's timeout and then some: it is not bounded by the
     * client's request timeout.
     */
    public ToolResult runTool(String microvmIdentifier, ToolUse toolUse, ToolOptions options) {
        ToolOptions o = options == null ? ToolOptions.defaults() : options;
        String path = EXT + "/microvms/" + Transport.segment(microvmIdentifier) + "/tools" + Transport.query(
                "session", o.session(), "timeoutSeconds", o.timeoutSeconds(), "maxCharacters", o.maxCharacters());
        int seconds = o.timeoutSeconds() == null ? 120 : o.timeoutSeconds();
        byte[] body = Transport.json(Objects.requireNonNull(toolUse, "toolUse"));
        HttpRequest req = transport.request(path).timeout(Duration.ofSeconds(seconds + 90L))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try (InputStream in = transport.open(req, SigV4Signer.sha256Hex(body)).body()) {
            return Json.MAPPER.readValue(in, ToolResult.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Ember extensions: files ----

    /** Streams a local file to {@code remotePath}; {@code mode} (e.g. {@code 0644}) may be null. */
    public UploadResult uploadFile(String microvmIdentifier, String remotePath, Path local, Integer mode) {
        try {
            return upload(microvmIdentifier, remotePath, HttpRequest.BodyPublishers.ofFile(local), mode);
        } catch (java.io.FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams {@code in} (read to its end, not closed) to {@code remotePath}; {@code mode} may be null. */
    public UploadResult uploadFile(String microvmIdentifier, String remotePath, InputStream in, Integer mode) {
        Objects.requireNonNull(in, "in");
        InputStream unclosable = new java.io.FilterInputStream(in) {
            @Override public void close() {}
        };
        return upload(microvmIdentifier, remotePath, HttpRequest.BodyPublishers.ofInputStream(() -> unclosable), mode);
    }

    private UploadResult upload(String id, String remotePath, HttpRequest.BodyPublisher body, Integer mode) {
        HttpRequest req = transport.request(files(id, "", "path", remotePath, "mode", mode == null ? null : FileMode.octal(mode)))
                .header("Content-Type", "application/octet-stream").header("Accept", "application/json")
                .PUT(body).build();
        try (InputStream in = transport.open(req, SigV4Signer.UNSIGNED_PAYLOAD).body()) {
            return Json.MAPPER.readValue(in, UploadResult.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams the file at {@code remotePath} into {@code out} (not closed); returns the byte count. */
    public long downloadFile(String microvmIdentifier, String remotePath, OutputStream out) {
        HttpRequest req = transport.request(files(microvmIdentifier, "", "path", remotePath)).GET().build();
        try (InputStream in = transport.open(req).body()) {
            return in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams the file at {@code remotePath} to {@code local}, which appears whole or not at all. */
    public long downloadFile(String microvmIdentifier, String remotePath, Path local) {
        Path dir = local.toAbsolutePath().getParent();
        Path part = null;
        try {
            part = Files.createTempFile(dir, "." + local.getFileName(), ".ember-part");
            long n;
            try (OutputStream out = Files.newOutputStream(part)) {
                n = downloadFile(microvmIdentifier, remotePath, out);
            }
            try {
                Files.move(part, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, local, StandardCopyOption.REPLACE_EXISTING);
            }
            part = null;
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (part != null) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // Best effort: the download already failed and that error is what matters.
                }
            }
        }
    }

    public FileInfo stat(String microvmIdentifier, String path) {
        return transport.call("GET", files(microvmIdentifier, "/stat", "path", path), null, FileInfo.class);
    }

    public List<FileEntry> list(String microvmIdentifier, String path) {
        return transport.call("GET", files(microvmIdentifier, "/list", "path", path), null, Listing.class).entries();
    }

    public void mkdir(String microvmIdentifier, String path, boolean parents) {
        transport.call("POST", files(microvmIdentifier, "/mkdir"), new Mkdir(path, parents), Void.class);
    }

    public void remove(String microvmIdentifier, String path, boolean recursive) {
        transport.call("DELETE", files(microvmIdentifier, "", "path", path, "recursive", recursive), null, Void.class);
    }

    // ---- Ember extensions: tenants, keys, secrets, roles, events, usage (issue 5) ----

    /** Who signs this client's requests (WhoAmI): tenant, access key and whether it is the admin. */
    public CallerIdentity whoami() {
        return transport.call("GET", EXT + "/whoami", null, CallerIdentity.class);
    }

    /**
     * Admin only: terminates every microVM of every tenant, and from then on the server refuses every call that changes
     * state (ServiceUnavailableException) until its process is stopped: what {@code bin/ember stop-server} calls first.
     */
    public ShutdownResult shutdown() {
        // Not bounded by the request timeout: each microVM may take its terminate hook (up to 60 s) and its VMM's exit.
        HttpRequest req = transport.request(EXT + "/shutdown").timeout(Duration.ofMinutes(10)).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        try (InputStream in = transport.open(req).body()) {
            return Json.MAPPER.readValue(in, ShutdownResult.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Admin only: creates a tenant with {@code quotas} (null: the server's defaults). */
    public Tenant createTenant(String name, Quotas quotas) {
        record Body(String name, Quotas quotas) {}
        return transport.call("POST", EXT + "/tenants", new Body(name, quotas), Tenant.class);
    }

    /** Admin only: one page of tenants. */
    public ListTenantsResponse listTenants(Integer maxResults, String nextToken) {
        return transport.call("GET", EXT + "/tenants" + Transport.query("maxResults", maxResults, "nextToken", nextToken),
                null, ListTenantsResponse.class);
    }

    /** Admin only: every tenant across all pages, lazily. */
    public Stream<Tenant> listAllTenants() {
        return all(t -> listTenants(null, t), ListTenantsResponse::nextToken, ListTenantsResponse::tenants);
    }

    /** Admin only. */
    public Tenant getTenant(String tenantId) {
        return transport.call("GET", tenant(tenantId), null, Tenant.class);
    }

    /** Admin only: sets the quotas given (null fields: the server's defaults) and returns the tenant. */
    public Tenant updateTenant(String tenantId, Quotas quotas) {
        return transport.call("PATCH", tenant(tenantId), Map.of("quotas", Objects.requireNonNull(quotas, "quotas")), Tenant.class);
    }

    /** Admin only: deletes the tenant and revokes its keys. */
    public void deleteTenant(String tenantId) {
        transport.call("DELETE", tenant(tenantId), null, Void.class);
    }

    /** Admin only: a new key for the tenant; its secret is in this answer and nowhere else, ever. */
    public AccessKey createAccessKey(String tenantId) {
        return transport.call("POST", tenant(tenantId) + "/access-keys", null, AccessKey.class);
    }

    /** Admin only: the tenant's keys, without secrets. */
    public ListAccessKeysResponse listAccessKeys(String tenantId, Integer maxResults, String nextToken) {
        return transport.call("GET", tenant(tenantId) + "/access-keys" + Transport.query("maxResults", maxResults,
                "nextToken", nextToken), null, ListAccessKeysResponse.class);
    }

    /** Admin only: every key of the tenant across all pages, lazily. */
    public Stream<AccessKey> listAllAccessKeys(String tenantId) {
        return all(t -> listAccessKeys(tenantId, null, t), ListAccessKeysResponse::nextToken, ListAccessKeysResponse::accessKeys);
    }

    /** Admin only: revokes the key at once (the next request it signs is refused). */
    public void deleteAccessKey(String tenantId, String accessKeyId) {
        transport.call("DELETE", tenant(tenantId) + "/access-keys/" + Transport.segment(accessKeyId), null, Void.class);
    }

    /**
     * Stores (or replaces) the caller's secret {@code name}; the answer describes it without the value, and no
     * later answer returns it. {@code description} may be null.
     */
    public Secret putSecret(String name, String value, String description) {
        record Body(String value, String description) {}
        return transport.call("PUT", EXT + "/secrets/" + Transport.segment(name),
                new Body(Objects.requireNonNull(value, "value"), description), Secret.class);
    }

    public ListSecretsResponse listSecrets(Integer maxResults, String nextToken) {
        return transport.call("GET", EXT + "/secrets" + Transport.query("maxResults", maxResults, "nextToken", nextToken),
                null, ListSecretsResponse.class);
    }

    /** Every secret of the caller across all pages, lazily. */
    public Stream<Secret> listAllSecrets() {
        return all(t -> listSecrets(null, t), ListSecretsResponse::nextToken, ListSecretsResponse::secrets);
    }

    /** The secret's description (never its value). */
    public Secret getSecret(String name) {
        return transport.call("GET", EXT + "/secrets/" + Transport.segment(name), null, Secret.class);
    }

    public void deleteSecret(String name) {
        transport.call("DELETE", EXT + "/secrets/" + Transport.segment(name), null, Void.class);
    }

    /** Creates or replaces the role {@code name}: the secrets a microVM run with its ARN may read. */
    public Role putRole(String name, List<String> secrets, String description) {
        record Body(List<String> secrets, String description) {}
        return transport.call("PUT", EXT + "/roles/" + Transport.segment(name),
                new Body(List.copyOf(secrets), description), Role.class);
    }

    public ListRolesResponse listRoles(Integer maxResults, String nextToken) {
        return transport.call("GET", EXT + "/roles" + Transport.query("maxResults", maxResults, "nextToken", nextToken),
                null, ListRolesResponse.class);
    }

    /** Every role of the caller across all pages, lazily. */
    public Stream<Role> listAllRoles() {
        return all(t -> listRoles(null, t), ListRolesResponse::nextToken, ListRolesResponse::roles);
    }

    public Role getRole(String name) {
        return transport.call("GET", EXT + "/roles/" + Transport.segment(name), null, Role.class);
    }

    public void deleteRole(String name) {
        transport.call("DELETE", EXT + "/roles/" + Transport.segment(name), null, Void.class);
    }

    // ---- Ember extensions: network connectors (docs/connectors.md) ----

    /**
     * Creates a network connector; it comes back PENDING (see {@link #waitUntilNetworkConnectorSettled}).
     * {@code configuration}: {@code {"egressPolicyConfiguration": {...}}} as maps and lists (e.g. parsed from JSON);
     * {@code operatorRole} and {@code tags} may be null. A random clientToken makes a retried call safe.
     */
    public NetworkConnector createNetworkConnector(String name, Map<String, Object> configuration, String operatorRole,
                                                   Map<String, String> tags) {
        record Body(String name, Map<String, Object> configuration, String operatorRole, String clientToken, Map<String, String> tags) {}
        return transport.call("POST", EXT + "/network-connectors", new Body(Objects.requireNonNull(name, "name"),
                Objects.requireNonNull(configuration, "configuration"), operatorRole, UUID.randomUUID().toString(), tags),
                NetworkConnector.class);
    }

    /** By id, name or ARN. */
    public NetworkConnector getNetworkConnector(String identifier) {
        return transport.call("GET", EXT + "/network-connectors/" + Transport.segment(identifier), null, NetworkConnector.class);
    }

    public NetworkConnector.Page listNetworkConnectors(Integer maxResults, String nextToken) {
        return transport.call("GET", EXT + "/network-connectors" + Transport.query("maxResults", maxResults, "nextToken", nextToken),
                null, NetworkConnector.Page.class);
    }

    /** Every connector of the caller across all pages, lazily. */
    public Stream<NetworkConnector> listAllNetworkConnectors() {
        return all(t -> listNetworkConnectors(null, t), NetworkConnector.Page::nextToken, NetworkConnector.Page::networkConnectors);
    }

    /** A new configuration and/or operator role (null: unchanged); PENDING again until checked. Running microVMs keep theirs. */
    public NetworkConnector updateNetworkConnector(String identifier, Map<String, Object> configuration, String operatorRole) {
        record Body(Map<String, Object> configuration, String operatorRole) {}
        return transport.call("PUT", EXT + "/network-connectors/" + Transport.segment(identifier),
                new Body(configuration, operatorRole), NetworkConnector.class);
    }

    /** Deletes it (answered DELETING); ConflictException while a microVM not terminated was run with it. */
    public NetworkConnector deleteNetworkConnector(String identifier) {
        return transport.call("DELETE", EXT + "/network-connectors/" + Transport.segment(identifier), null, NetworkConnector.class);
    }

    /** Polls until the connector is no longer PENDING (ACTIVE or FAILED: look at it), or {@link WaiterTimeoutException}. */
    public NetworkConnector waitUntilNetworkConnectorSettled(String identifier, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            NetworkConnector c = getNetworkConnector(identifier);
            if (!"PENDING".equals(c.state())) return c;
            if (Instant.now().isAfter(deadline)) {
                throw new WaiterTimeoutException("network connector " + identifier + " still PENDING after " + timeout.toSeconds() + "s");
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** One page of the caller's events, oldest first: all, or one microVM's ({@code microvmId} not null). */
    public ListEventsResponse listEvents(String microvmId, Integer maxResults, String nextToken) {
        return transport.call("GET", EXT + "/events" + Transport.query("microvmId", microvmId, "maxResults", maxResults,
                "nextToken", nextToken), null, ListEventsResponse.class);
    }

    /** Every event across all pages, lazily ({@code microvmId} null: the whole tenant's). */
    public Stream<Event> listAllEvents(String microvmId) {
        return all(t -> listEvents(microvmId, null, t), ListEventsResponse::nextToken, ListEventsResponse::events);
    }

    /** One page of a microVM's events, oldest first: transitions with their causes and hook outcomes. */
    public ListEventsResponse listMicrovmEvents(String microvmIdentifier, Integer maxResults, String nextToken) {
        return transport.call("GET", EXT + "/microvms/" + Transport.segment(microvmIdentifier) + "/events"
                + Transport.query("maxResults", maxResults, "nextToken", nextToken), null, ListEventsResponse.class);
    }

    /** Every event of the microVM across all pages, lazily. */
    public Stream<Event> listAllMicrovmEvents(String microvmIdentifier) {
        return all(t -> listMicrovmEvents(microvmIdentifier, null, t), ListEventsResponse::nextToken, ListEventsResponse::events);
    }

    /** Metered, priced usage (docs/metering.md); another tenant's only for the admin. */
    public UsageReport getUsage(UsageRequest request) {
        return transport.call("GET", EXT + "/usage" + Transport.query("microvmId", request.microvmId(),
                "from", request.from(), "to", request.to(), "granularity", request.granularity(),
                "tenantId", request.tenantId()), null, UsageReport.class);
    }

    private static String tenant(String tenantId) {
        return EXT + "/tenants/" + Transport.segment(tenantId);
    }

    private static <P, T> Stream<T> all(java.util.function.Function<String, P> fetch,
                                        java.util.function.Function<P, String> nextToken,
                                        java.util.function.Function<P, List<T>> items) {
        Iterable<P> pages = () -> new Pages<>(null, fetch, nextToken);
        return StreamSupport.stream(pages.spliterator(), false).flatMap(p -> items.apply(p).stream());
    }

    // ---- end of issue 5 extensions ----

    public Health health() {
        return transport.call("GET", EXT + "/health", null, Health.class);
    }

    @Override
    public void close() {
        transport.close();
    }

    private static String image(String imageIdentifier) {
        return API + "/microvm-images/" + Transport.segment(imageIdentifier);
    }

    private static String version(String imageIdentifier, String imageVersion) {
        return image(imageIdentifier) + "/versions/" + Transport.segment(imageVersion);
    }

    private static String logPath(String image, String version, String buildId, long offset, boolean follow) {
        return EXT + "/microvm-images/" + Transport.segment(image) + "/versions/" + Transport.segment(version) + "/builds/"
                + Transport.segment(buildId) + "/log" + Transport.query("offset", offset, "follow", follow ? "true" : null);
    }

    private static String files(String id, String suffix, Object... query) {
        return EXT + "/microvms/" + Transport.segment(id) + "/files" + suffix + Transport.query(query);
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted while waiting"));
        }
    }

    record Listing(List<FileEntry> entries) {
        Listing {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    record Mkdir(String path, boolean parents) {}

    record ShellTokenRequest(int expirationInMinutes) {}

    record VersionStatus(MicrovmImageVersionStatus status) {}

    private static final class CappedBuffer extends ByteArrayOutputStream {
        private final int cap;
        boolean truncated;

        CappedBuffer(int cap) {
            this.cap = cap;
        }

        void add(byte[] data) {
            int room = cap - size();
            if (data.length > room) truncated = true;
            write(data, 0, Math.max(0, Math.min(room, data.length)));
        }
    }

    /**
     * Endpoint, keys, region and timeouts; the request timeout bounds non-streaming calls only. Without
     * {@link #credentials} the keys come from {@link CredentialsChain#standard()}, looked up at the first signed call.
     */
    public static final class Builder {
        private URI endpoint = URI.create("http://127.0.0.1:8080");
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private CredentialsProvider credentialsProvider;
        private String region;

        private Builder() {}

        public Builder endpoint(URI endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        public Builder endpoint(String endpoint) {
            return endpoint(URI.create(endpoint));
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d);
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = Objects.requireNonNull(d);
            return this;
        }

        /** Signs with these keys. */
        public Builder credentials(Credentials credentials) {
            return credentialsProvider(CredentialsProvider.of(credentials));
        }

        /** Signs with the keys this provider resolves (once, at the first signed call). */
        public Builder credentialsProvider(CredentialsProvider provider) {
            this.credentialsProvider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** The region in the signature's scope (Ember accepts any); default from the chain, else {@code local}. */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public EmberClient build() {
            String scheme = endpoint.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("endpoint must be an http(s) URL with a host: " + endpoint);
            }
            CredentialsProvider provider = credentialsProvider != null ? credentialsProvider : CredentialsChain.standard();
            String r = region != null && !region.isBlank() ? region
                    : (provider instanceof CredentialsChain chain ? chain : CredentialsChain.standard()).region();
            return new EmberClient(new Transport(endpoint, connectTimeout, requestTimeout, provider, r));
        }
    }
}
