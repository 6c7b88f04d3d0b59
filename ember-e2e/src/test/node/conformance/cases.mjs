// The conformance cases: the Lambda MicroVMs API reference (model 2025-09-09, the API_*.md pages) and the guide's
// examples, as inputs to the official client and the answer AWS documents for each. docs/compatibility.md lists the
// same constraints in a table, with Ember's behaviour beside each. Every case names where its rule is written.
//
// A case: { id, op, input, expect, doc, check? }
//   op      the client's command name without "Command"
//   input   the command input, or a function of the fixtures (ctx) returning it
//   expect  "ok" or the error's name (ValidationException, ResourceNotFoundException, ...)
//   check   optional: (output, ctx) => a string saying what is wrong, or nothing when right
//   cleanup optional: (output, ctx) => a promise, run after the case (terminate what it launched)

const s = (n, c = "a") => c.repeat(n);
const envMap = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => ["K" + i, "v"]));
const ROLE = "arn:aws:iam::123456789012:role/build";
const terminate = (out, ctx) => ctx.terminate(out.microvmId);

/** CreateMicrovmImage input with a valid base, role and artifact: `extra` is what the case is about. */
const image = (name, extra = {}) => (ctx) => ({
  name, baseImageArn: "busybox", buildRoleArn: ROLE, codeArtifact: { uri: ctx.codeUri }, ...extra,
});
const deleteImage = (out, ctx) => ctx.deleteImage(out.imageArn);

/** RunMicrovm of the managed busybox image with `extra`. */
const run = (extra = {}) => ({ imageIdentifier: "busybox", maximumDurationInSeconds: 600, ...extra });
const idle = (maxIdle, suspended, autoResume = true) => ({ idlePolicy: { maxIdleDurationSeconds: maxIdle,
  suspendedDurationSeconds: suspended, autoResumeEnabled: autoResume } });

export function cases() {
  return [
    // ---------------------------------------------------------------- RunMicrovm (API_RunMicrovm.md, API_IdlePolicy.md)
    { id: "run.guide-example", op: "RunMicrovm", doc: "guide microvms-launching: run-microvm example (ALL_INGRESS, INTERNET_EGRESS, idle policy, 14400 s)",
      input: (ctx) => ({ imageIdentifier: "busybox",
        ingressNetworkConnectors: [`arn:aws:lambda:${ctx.region}:aws:network-connector:aws-network-connector:ALL_INGRESS`],
        egressNetworkConnectors: [`arn:aws:lambda:${ctx.region}:aws:network-connector:aws-network-connector:INTERNET_EGRESS`],
        idlePolicy: { autoResumeEnabled: true, maxIdleDurationSeconds: 900, suspendedDurationSeconds: 1800 },
        maximumDurationInSeconds: 14400 }),
      expect: "ok", cleanup: terminate,
      check: (o) => o.maximumDurationInSeconds !== 14400 ? "maximumDurationInSeconds not echoed"
        : o.idlePolicy?.suspendedDurationSeconds !== 1800 ? "idlePolicy not echoed"
        : !(o.startedAt instanceof Date) ? "startedAt is not a timestamp"
        : !["PENDING", "RUNNING"].includes(o.state) ? "state " + o.state : undefined },
    { id: "run.max-duration.min", op: "RunMicrovm", doc: "maximumDurationInSeconds range 1..28800", input: run({ maximumDurationInSeconds: 1 }), expect: "ok", cleanup: terminate },
    { id: "run.max-duration.max", op: "RunMicrovm", doc: "maximumDurationInSeconds range 1..28800", input: run({ maximumDurationInSeconds: 28800 }), expect: "ok", cleanup: terminate },
    { id: "run.max-duration.below", op: "RunMicrovm", doc: "maximumDurationInSeconds range 1..28800", input: run({ maximumDurationInSeconds: 0 }), expect: "ValidationException" },
    { id: "run.max-duration.above", op: "RunMicrovm", doc: "maximumDurationInSeconds range 1..28800", input: run({ maximumDurationInSeconds: 28801 }), expect: "ValidationException" },
    { id: "run.idle.max-idle.min", op: "RunMicrovm", doc: "IdlePolicy.maxIdleDurationSeconds minimum 60", input: run(idle(60, 0)), expect: "ok", cleanup: terminate },
    { id: "run.idle.max-idle.below", op: "RunMicrovm", doc: "IdlePolicy.maxIdleDurationSeconds minimum 60", input: run(idle(59, 0)), expect: "ValidationException" },
    { id: "run.idle.suspended.below", op: "RunMicrovm", doc: "IdlePolicy.suspendedDurationSeconds minimum 0", input: run(idle(60, -1)), expect: "ValidationException" },
    { id: "run.idle.missing-auto-resume", op: "RunMicrovm", doc: "IdlePolicy: all three members required",
      input: run({ idlePolicy: { maxIdleDurationSeconds: 60, suspendedDurationSeconds: 0 } }), expect: "ValidationException" },
    { id: "run.idle.missing-max-idle", op: "RunMicrovm", doc: "IdlePolicy: all three members required",
      input: run({ idlePolicy: { suspendedDurationSeconds: 0, autoResumeEnabled: true } }), expect: "ValidationException" },
    { id: "run.idle.missing-suspended", op: "RunMicrovm", doc: "IdlePolicy: all three members required",
      input: run({ idlePolicy: { maxIdleDurationSeconds: 60, autoResumeEnabled: false } }), expect: "ValidationException" },
    { id: "run.image.missing", op: "RunMicrovm", doc: "imageIdentifier required", input: { maximumDurationInSeconds: 60 }, expect: "ValidationException" },
    { id: "run.image.too-long", op: "RunMicrovm", doc: "MicrovmImageIdentifier length 1..256", input: run({ imageIdentifier: s(257) }), expect: "ValidationException" },
    { id: "run.image.unknown", op: "RunMicrovm", doc: "RunMicrovm errors: ResourceNotFoundException", input: run({ imageIdentifier: "no-such-image" }), expect: "ResourceNotFoundException" },
    { id: "run.image.arn-other-region", op: "RunMicrovm", doc: "guide: --image-identifier is the image ARN (example in another region)",
      input: (ctx) => run({ imageIdentifier: ctx.imageArnIn("eu-west-1") }), expect: "ok", cleanup: terminate },
    { id: "run.image-version.blank", op: "RunMicrovm", doc: "Version pattern ^[^\\s]+$", input: run({ imageVersion: "1 0" }), expect: "ValidationException" },
    { id: "run.role.pattern", op: "RunMicrovm", doc: "RoleArn pattern ^arn:aws[a-z-]*:iam::[0-9]{12}:role/...", input: run({ executionRoleArn: "arn:aws:iam::12:role/x-too-short-account" }), expect: "ValidationException" },
    { id: "run.payload.too-long", op: "RunMicrovm", doc: "guide: runHookPayload at most 16 KB (model: length 4096)", input: run({ runHookPayload: s(16385) }), expect: "ValidationException" },
    { id: "run.client-token.max", op: "RunMicrovm", doc: "clientToken length 1..128", input: run({ clientToken: s(128, "t") }), expect: "ok", cleanup: terminate },
    { id: "run.client-token.above", op: "RunMicrovm", doc: "clientToken length 1..128", input: run({ clientToken: s(129, "t") }), expect: "ValidationException" },
    { id: "run.client-token.replay", op: "RunMicrovm", doc: "idempotencyToken: a retry with the same token returns the same microVM",
      input: run({ clientToken: "conformance-replay" }), expect: "ok",
      check: async (o, ctx) => { const again = await ctx.send("RunMicrovm", run({ clientToken: "conformance-replay" }));
        await ctx.terminate(o.microvmId); return again.microvmId === o.microvmId ? undefined : "a second microVM for the same clientToken"; } },
    { id: "run.client-token.conflict", op: "RunMicrovm", doc: "troubleshooting: clientToken reused with different parameters -> ConflictException",
      input: run({ clientToken: "conformance-replay", maximumDurationInSeconds: 601 }), expect: "ConflictException" },
    { id: "run.ingress.too-many", op: "RunMicrovm", doc: "NetworkConnectorList length ..10",
      input: (ctx) => run({ ingressNetworkConnectors: Array(11).fill(`arn:aws:lambda:${ctx.region}:aws:network-connector:aws-network-connector:HTTP_INGRESS`) }), expect: "ValidationException" },
    { id: "run.connector.malformed", op: "RunMicrovm", doc: "troubleshooting: malformed connector ARN -> ValidationException", input: run({ ingressNetworkConnectors: ["HTTP_INGRESS"] }), expect: "ValidationException" },
    { id: "run.logging.both", op: "RunMicrovm", doc: "Logging is a union: exactly one of disabled, cloudWatch",
      input: run({ logging: { disabled: {}, cloudWatch: { logGroup: "/aws/lambda-microvms/x" } } }), expect: "ValidationException" },
    { id: "run.logging.group-pattern", op: "RunMicrovm", doc: "CloudWatchLogging.logGroup pattern ^[a-zA-Z0-9_\\-/.#]+$",
      input: run({ logging: { cloudWatch: { logGroup: "bad group!" } } }), expect: "ValidationException" },
    { id: "run.logging.group-too-long", op: "RunMicrovm", doc: "CloudWatchLogging.logGroup length 1..512",
      input: run({ logging: { cloudWatch: { logGroup: s(513) } } }), expect: "ValidationException" },
    { id: "run.logging.stream-pattern", op: "RunMicrovm", doc: "CloudWatchLogging.logStream pattern ^[^:*]*$",
      input: run({ logging: { cloudWatch: { logGroup: "/aws/x", logStream: "a:b" } } }), expect: "ValidationException" },
    { id: "run.logging.guide-example", op: "RunMicrovm", doc: "getting-started: --logging cloudWatch logGroup example",
      input: run({ logging: { cloudWatch: { logGroup: "/aws/lambda-microvms/my-first-image" } } }), expect: "ok", cleanup: terminate },
    { id: "run.endpoint", op: "RunMicrovm", doc: "RunMicrovmResponse.endpoint required, length 1..2048; microvmId 1..256",
      input: run(), expect: "ok", cleanup: terminate,
      check: (o) => !o.endpoint || o.endpoint.length > 2048 ? "endpoint " + o.endpoint
        : !o.microvmId || o.microvmId.length > 256 ? "microvmId " + o.microvmId : undefined },

    // ---------------------------------------------------------------- Get/List/Terminate/Suspend/Resume
    { id: "get.unknown", op: "GetMicrovm", doc: "GetMicrovm errors: ResourceNotFoundException", input: { microvmIdentifier: "mvm-000000000000000000000000" }, expect: "ResourceNotFoundException" },
    { id: "get.too-long", op: "GetMicrovm", doc: "MicrovmIdentifier length 1..256", input: { microvmIdentifier: s(257) }, expect: "ValidationException" },
    { id: "get.fields", op: "GetMicrovm", doc: "GetMicrovmResponse: required microvmId, state, endpoint, imageArn (20..2048), imageVersion, maximumDurationInSeconds, startedAt",
      input: (ctx) => ({ microvmIdentifier: ctx.vm }), expect: "ok",
      check: (o) => ["microvmId", "state", "endpoint", "imageArn", "imageVersion", "maximumDurationInSeconds", "startedAt"].find((f) => o[f] === undefined)
        ?? (o.imageArn.length < 20 ? "imageArn shorter than 20" : undefined) },
    { id: "get.image-arn-form", op: "GetMicrovm", doc: "image ARN arn:<partition>:lambda:<region>:<account>:microvm-image:<name>",
      input: (ctx) => ({ microvmIdentifier: ctx.vm }), expect: "ok",
      check: (o) => /^arn:[a-z0-9-]+:lambda:[a-z0-9-]+:(aws|[0-9]{12}):microvm-image:.+$/.test(o.imageArn) ? undefined : "imageArn " + o.imageArn },
    ...["ListMicrovms", "ListMicrovmImages", "ListManagedMicrovmImages"].flatMap((op) => [
      { id: `${op}.max-results.min`, op, doc: "maxResults range 1..50", input: { maxResults: 1 }, expect: "ok" },
      { id: `${op}.max-results.max`, op, doc: "maxResults range 1..50", input: { maxResults: 50 }, expect: "ok" },
      { id: `${op}.max-results.below`, op, doc: "maxResults range 1..50", input: { maxResults: 0 }, expect: "ValidationException" },
      { id: `${op}.max-results.above`, op, doc: "maxResults range 1..50", input: { maxResults: 51 }, expect: "ValidationException" },
      { id: `${op}.next-token.bad`, op, doc: "nextToken: a token the service did not give is refused", input: { nextToken: "not-a-token" }, expect: "ValidationException" },
    ]),
    { id: "list.paged", op: "ListMicrovms", doc: "paginated: maxResults=1 gives one item and a nextToken when there are more",
      input: { maxResults: 1 }, expect: "ok", check: (o) => o.items.length === 1 && o.nextToken ? undefined : "items " + o.items.length + " nextToken " + o.nextToken },
    { id: "list.filter-image", op: "ListMicrovms", doc: "ListMicrovms imageIdentifier filter (an ARN)",
      input: (ctx) => ({ imageIdentifier: ctx.busyboxArn }), expect: "ok", check: (o, ctx) => o.items.some((i) => i.microvmId === ctx.vm) ? undefined : "the fixture microVM is not listed" },
    { id: "list.managed.arn-form", op: "ListManagedMicrovmImages", doc: "getting-started: managed image ARN arn:aws:lambda:<region>:aws:microvm-image:<name>",
      input: {}, expect: "ok", check: (o, ctx) => o.items.every((i) => i.imageArn.startsWith(`arn:aws:lambda:${ctx.region}:aws:microvm-image:`)) ? undefined : JSON.stringify(o.items.map((i) => i.imageArn)) },
    { id: "list.managed-versions.unknown", op: "ListManagedMicrovmImageVersions", doc: "errors: ResourceNotFoundException", input: { imageIdentifier: "no-such-base" }, expect: "ResourceNotFoundException" },
    { id: "list.managed-versions.max-results", op: "ListManagedMicrovmImageVersions", doc: "maxResults range 1..50", input: { imageIdentifier: "busybox", maxResults: 51 }, expect: "ValidationException" },
    { id: "terminate.unknown", op: "TerminateMicrovm", doc: "TerminateMicrovm errors: ResourceNotFoundException", input: { microvmIdentifier: "mvm-000000000000000000000000" }, expect: "ResourceNotFoundException" },
    { id: "terminate.idempotent", op: "TerminateMicrovm", doc: "TerminateMicrovm: terminating a terminated MicroVM succeeds",
      input: (ctx) => ({ microvmIdentifier: ctx.terminatedVm }), expect: "ok" },
    { id: "suspend.terminated", op: "SuspendMicrovm", doc: "SuspendMicrovm errors: ConflictException (state)", input: (ctx) => ({ microvmIdentifier: ctx.terminatedVm }), expect: "ConflictException" },
    { id: "resume.terminated", op: "ResumeMicrovm", doc: "ResumeMicrovm: the MicroVM must be SUSPENDED (ConflictException)", input: (ctx) => ({ microvmIdentifier: ctx.terminatedVm }), expect: "ConflictException" },

    // ---------------------------------------------------------------- auth tokens (API_CreateMicrovmAuthToken.md, API_PortSpecification.md)
    ...[
      ["token.expiration.min", { expirationInMinutes: 1 }, "ok"],
      ["token.expiration.max", { expirationInMinutes: 60 }, "ok"],
      ["token.expiration.below", { expirationInMinutes: 0 }, "ValidationException"],
      ["token.expiration.above", { expirationInMinutes: 61 }, "ValidationException"],
      ["token.ports.empty", { allowedPorts: [] }, "ValidationException"],
      ["token.port.min", { allowedPorts: [{ port: 1 }] }, "ok"],
      ["token.port.max", { allowedPorts: [{ port: 65535 }] }, "ok"],
      ["token.port.below", { allowedPorts: [{ port: 0 }] }, "ValidationException"],
      ["token.port.above", { allowedPorts: [{ port: 65536 }] }, "ValidationException"],
      ["token.range", { allowedPorts: [{ range: { startPort: 9000, endPort: 9001 } }] }, "ok"],
      ["token.range.missing-end", { allowedPorts: [{ range: { startPort: 9000 } }] }, "ValidationException"],
      ["token.all-ports", { allowedPorts: [{ allPorts: {} }] }, "ok"],
      ["token.guide-example", { expirationInMinutes: 30, allowedPorts: [{ port: 8080 }, { range: { startPort: 9000, endPort: 9001 } }] }, "ok"],
    ].map(([id, extra, expect]) => ({ id, op: "CreateMicrovmAuthToken", expect,
      doc: "expirationInMinutes 1..60 (PositiveInteger, documented maximum 60); allowedPorts length 1..; PortNumber 1..65535; PortSpecification union",
      input: (ctx) => ({ microvmIdentifier: ctx.vm, expirationInMinutes: 5, allowedPorts: [{ port: 8080 }], ...extra }),
      check: expect === "ok" ? (o) => typeof o.authToken?.["X-aws-proxy-auth"] === "string" ? undefined : "no X-aws-proxy-auth in " + JSON.stringify(Object.keys(o.authToken ?? {})) : undefined })),
    { id: "token.unknown-vm", op: "CreateMicrovmAuthToken", doc: "errors: ResourceNotFoundException",
      input: { microvmIdentifier: "mvm-000000000000000000000000", expirationInMinutes: 5, allowedPorts: [{ port: 8080 }] }, expect: "ResourceNotFoundException" },
    { id: "shell-token.expiration.below", op: "CreateMicrovmShellAuthToken", doc: "expirationInMinutes PositiveInteger",
      input: (ctx) => ({ microvmIdentifier: ctx.vm, expirationInMinutes: 0 }), expect: "ValidationException" },
    { id: "shell-token.ok", op: "CreateMicrovmShellAuthToken", doc: "shell token with SHELL_INGRESS attached",
      input: (ctx) => ({ microvmIdentifier: ctx.vm, expirationInMinutes: 5 }), expect: "ok",
      check: (o) => typeof o.authToken?.["X-aws-proxy-auth"] === "string" ? undefined : "no token" },

    // ---------------------------------------------------------------- images (API_CreateMicrovmImage.md and its shapes)
    { id: "image.create.guide-example", op: "CreateMicrovmImage", doc: "getting-started: create-microvm-image with hooks (port 9000, ready 60 s, run 2 s ...)",
      input: image("conf-guide", { description: "Hello world app", hooks: { port: 9000,
        microvmImageHooks: { ready: "ENABLED", readyTimeoutInSeconds: 60 },
        microvmHooks: { run: "ENABLED", runTimeoutInSeconds: 2, resume: "ENABLED", resumeTimeoutInSeconds: 2,
          suspend: "ENABLED", suspendTimeoutInSeconds: 5, terminate: "ENABLED", terminateTimeoutInSeconds: 5 } } }),
      expect: "ok", cleanup: deleteImage,
      check: (o) => o.$metadata.httpStatusCode !== 201 ? "status " + o.$metadata.httpStatusCode + ", the model says 201"
        : o.state !== "CREATING" ? "state " + o.state
        : !/^arn:[a-z0-9-]+:lambda:[a-z0-9-]*:[a-z0-9]*:microvm-image:.+$/.test(o.imageArn) ? "imageArn " + o.imageArn
        : !/^[0-9]+\.[0-9]+$/.test(o.imageVersion) ? "imageVersion " + o.imageVersion + " (AWS: major.minor)" : undefined },
    { id: "image.name.max", op: "CreateMicrovmImage", doc: "ImageName length 1..64, pattern ^[a-zA-Z0-9-_]+$", input: image("a-_" + s(61, "Z")), expect: "ok", cleanup: deleteImage },
    { id: "image.name.too-long", op: "CreateMicrovmImage", doc: "ImageName length 1..64", input: image(s(65)), expect: "ValidationException" },
    { id: "image.name.pattern", op: "CreateMicrovmImage", doc: "ImageName pattern ^[a-zA-Z0-9-_]+$", input: image("bad.name"), expect: "ValidationException" },
    { id: "image.name.taken", op: "CreateMicrovmImage", doc: "name unique within the account: ConflictException", input: (ctx) => image(ctx.imageName)(ctx), expect: "ConflictException" },
    { id: "image.role.missing", op: "CreateMicrovmImage", doc: "buildRoleArn required",
      input: (ctx) => { const i = image("conf-norole")(ctx); delete i.buildRoleArn; return i; }, expect: "ValidationException" },
    { id: "image.role.pattern", op: "CreateMicrovmImage", doc: "RoleArn pattern", input: image("conf-badrole", { buildRoleArn: "arn:aws:iam::123456789012:user/alice" }), expect: "ValidationException" },
    { id: "image.base.blank", op: "CreateMicrovmImage", doc: "baseImageArn NonBlankString ^[^\\s]+$", input: image("conf-blank", { baseImageArn: "bus box" }), expect: "ValidationException" },
    { id: "image.base.unknown", op: "CreateMicrovmImage", doc: "errors: ResourceNotFoundException (base image)", input: image("conf-nobase", { baseImageArn: "no-such-base" }), expect: "ResourceNotFoundException" },
    { id: "image.base.arn", op: "CreateMicrovmImage", doc: "getting-started: --base-image-arn arn:aws:lambda:<region>:aws:microvm-image:<name>",
      input: (ctx) => image("conf-basearn", { baseImageArn: `arn:aws:lambda:${ctx.region}:aws:microvm-image:busybox` })(ctx), expect: "ok", cleanup: deleteImage },
    { id: "image.artifact.missing", op: "CreateMicrovmImage", doc: "codeArtifact required",
      input: (ctx) => { const i = image("conf-noart")(ctx); delete i.codeArtifact; return i; }, expect: "ValidationException" },
    { id: "image.artifact.blank", op: "CreateMicrovmImage", doc: "CodeArtifact.uri NonBlankString", input: image("conf-blankart", { codeArtifact: { uri: "s3://b/has space" } }), expect: "ValidationException" },
    { id: "image.env.max", op: "CreateMicrovmImage", doc: "EnvironmentVariableMap length ..50", input: image("conf-env50", { environmentVariables: envMap(50) }), expect: "ok", cleanup: deleteImage },
    { id: "image.env.too-many", op: "CreateMicrovmImage", doc: "EnvironmentVariableMap length ..50", input: image("conf-env51", { environmentVariables: envMap(51) }), expect: "ValidationException" },
    { id: "image.env.key-blank", op: "CreateMicrovmImage", doc: "EnvironmentVariableKey ^[^\\s]+$", input: image("conf-envkey", { environmentVariables: { "A B": "x" } }), expect: "ValidationException" },
    { id: "image.env.value-too-long", op: "CreateMicrovmImage", doc: "EnvironmentVariableValue length ..4096", input: image("conf-envval", { environmentVariables: { A: s(4097) } }), expect: "ValidationException" },
    { id: "image.egress.two", op: "CreateMicrovmImage", doc: "image egressNetworkConnectors length ..1",
      input: (ctx) => image("conf-egress2", { egressNetworkConnectors: Array(2).fill(`arn:aws:lambda:${ctx.region}:aws:network-connector:aws-network-connector:INTERNET_EGRESS`) })(ctx), expect: "ValidationException" },
    { id: "image.resources.two", op: "CreateMicrovmImage", doc: "ResourcesList length ..1",
      input: image("conf-res2", { resources: [{ minimumMemoryInMiB: 512 }, { minimumMemoryInMiB: 1024 }] }), expect: "ValidationException" },
    { id: "image.resources.no-memory", op: "CreateMicrovmImage", doc: "Resources.minimumMemoryInMiB required", input: image("conf-resnone", { resources: [{}] }), expect: "ValidationException" },
    { id: "image.cpu.arm64", op: "CreateMicrovmImage", doc: "Architecture enum {ARM_64}", input: image("conf-arm", { cpuConfigurations: [{ architecture: "ARM_64" }] }), expect: "ok", cleanup: deleteImage },
    { id: "image.cpu.unknown", op: "CreateMicrovmImage", doc: "Architecture enum {ARM_64}", input: image("conf-mips", { cpuConfigurations: [{ architecture: "MIPS" }] }), expect: "ValidationException" },
    { id: "image.capabilities.all", op: "CreateMicrovmImage", doc: "Capability enum {ALL}", input: image("conf-capall", { additionalOsCapabilities: ["ALL"] }), expect: "ok", cleanup: deleteImage },
    { id: "image.capabilities.unknown", op: "CreateMicrovmImage", doc: "Capability enum {ALL}", input: image("conf-capx", { additionalOsCapabilities: ["SYS_ADMIN"] }), expect: "ValidationException" },
    { id: "image.hooks.port.below", op: "CreateMicrovmImage", doc: "Hooks.port 1..65535", input: image("conf-hp0", { hooks: { port: 0 } }), expect: "ValidationException" },
    { id: "image.hooks.port.above", op: "CreateMicrovmImage", doc: "Hooks.port 1..65535", input: image("conf-hp1", { hooks: { port: 65536 } }), expect: "ValidationException" },
    { id: "image.hooks.run-timeout.above", op: "CreateMicrovmImage", doc: "MicrovmHooks.*TimeoutInSeconds 1..60", input: image("conf-ht1", { hooks: { microvmHooks: { run: "ENABLED", runTimeoutInSeconds: 61 } } }), expect: "ValidationException" },
    { id: "image.hooks.suspend-timeout.below", op: "CreateMicrovmImage", doc: "MicrovmHooks.*TimeoutInSeconds 1..60", input: image("conf-ht2", { hooks: { microvmHooks: { suspendTimeoutInSeconds: 0 } } }), expect: "ValidationException" },
    { id: "image.hooks.ready-timeout.max", op: "CreateMicrovmImage", doc: "MicrovmImageHooks.readyTimeoutInSeconds 1..3600", input: image("conf-ht3", { hooks: { microvmImageHooks: { readyTimeoutInSeconds: 3600 } } }), expect: "ok", cleanup: deleteImage },
    { id: "image.hooks.validate-timeout.above", op: "CreateMicrovmImage", doc: "MicrovmImageHooks.validateTimeoutInSeconds 1..3600", input: image("conf-ht4", { hooks: { microvmImageHooks: { validateTimeoutInSeconds: 3601 } } }), expect: "ValidationException" },
    { id: "image.hooks.state", op: "CreateMicrovmImage", doc: "HookState enum {DISABLED, ENABLED}", input: image("conf-hs", { hooks: { microvmHooks: { run: "ON" } } }), expect: "ValidationException" },
    { id: "image.logging.both", op: "CreateMicrovmImage", doc: "Logging union", input: image("conf-log", { logging: { disabled: {}, cloudWatch: { logGroup: "/x" } } }), expect: "ValidationException" },
    { id: "image.tags.key-too-long", op: "CreateMicrovmImage", doc: "TagKey length 1..128", input: image("conf-tk", { tags: { [s(129)]: "v" } }), expect: "ValidationException" },
    { id: "image.tags.value-too-long", op: "CreateMicrovmImage", doc: "TagValue length 0..256", input: image("conf-tv", { tags: { k: s(257) } }), expect: "ValidationException" },
    { id: "image.client-token.above", op: "CreateMicrovmImage", doc: "clientToken length 1..128", input: image("conf-ct", { clientToken: s(129) }), expect: "ValidationException" },

    { id: "image.get.unknown", op: "GetMicrovmImage", doc: "errors: ResourceNotFoundException", input: { imageIdentifier: "no-such-image" }, expect: "ResourceNotFoundException" },
    { id: "image.get.too-long", op: "GetMicrovmImage", doc: "MicrovmImageIdentifier length 1..256", input: { imageIdentifier: s(257) }, expect: "ValidationException" },
    { id: "image.get.by-arn", op: "GetMicrovmImage", doc: "getting-started: get-microvm-image --image-identifier <ARN>", input: (ctx) => ({ imageIdentifier: ctx.imageArn }), expect: "ok",
      check: (o, ctx) => o.name !== ctx.imageName ? "name " + o.name : o.state !== "CREATED" ? "state " + o.state : undefined },
    { id: "image.get.by-arn-other-region", op: "GetMicrovmImage", doc: "an example ARN from another region names the same image", input: (ctx) => ({ imageIdentifier: ctx.imageArnIn("ap-southeast-2") }), expect: "ok" },
    { id: "image.get.other-account", op: "GetMicrovmImage", doc: "another account's image is not found",
      input: (ctx) => ({ imageIdentifier: ctx.imageArn.replace(/:[0-9]{12}:/, ":999999999999:") }), expect: "ResourceNotFoundException" },
    { id: "image.version.get", op: "GetMicrovmImageVersion", doc: "getting-started: versions are major.minor (1.0)",
      input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: ctx.imageVersion }), expect: "ok",
      check: (o) => o.state !== "SUCCESSFUL" || o.status !== "ACTIVE" ? o.state + "/" + o.status
        : !/^[0-9]+\.[0-9]+$/.test(o.imageVersion) ? "imageVersion " + o.imageVersion : undefined },
    { id: "image.version.get-unknown", op: "GetMicrovmImageVersion", doc: "errors: ResourceNotFoundException", input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: "99.0" }), expect: "ResourceNotFoundException" },
    { id: "image.version.list.max-results", op: "ListMicrovmImageVersions", doc: "maxResults range 1..50", input: (ctx) => ({ imageIdentifier: ctx.imageArn, maxResults: 51 }), expect: "ValidationException" },
    { id: "image.version.list", op: "ListMicrovmImageVersions", doc: "ListMicrovmImageVersions items", input: (ctx) => ({ imageIdentifier: ctx.imageArn }), expect: "ok",
      check: (o) => o.items.length >= 1 ? undefined : "no versions" },
    { id: "image.builds.list", op: "ListMicrovmImageBuilds", doc: "one build record per architecture: architecture, chipset, chipsetGeneration required",
      input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: ctx.imageVersion }), expect: "ok",
      check: (o) => o.items.length < 1 ? "no builds" : o.items.find((b) => !b.architecture || !b.chipset || !b.chipsetGeneration || !b.buildState) ? "a build lacks a required field: " + JSON.stringify(o.items[0]) : undefined },
    { id: "image.builds.filter", op: "ListMicrovmImageBuilds", doc: "architecture filter (query)", input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: ctx.imageVersion, architecture: "ARM_64" }), expect: "ok" },
    { id: "image.builds.max-results", op: "ListMicrovmImageBuilds", doc: "maxResults range 1..50", input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: ctx.imageVersion, maxResults: 0 }), expect: "ValidationException" },
    { id: "image.build.get-unknown", op: "GetMicrovmImageBuild", doc: "errors: ResourceNotFoundException", input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: ctx.imageVersion, buildId: "no-such-build" }), expect: "ResourceNotFoundException" },
    { id: "image.version.status.bad", op: "UpdateMicrovmImageVersion", doc: "MicrovmImageVersionStatus enum {ACTIVE, INACTIVE}", input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: ctx.imageVersion, status: "PAUSED" }), expect: "ValidationException" },
    { id: "image.version.status.active", op: "UpdateMicrovmImageVersion", doc: "UpdateMicrovmImageVersion sets status", input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: ctx.imageVersion, status: "ACTIVE" }), expect: "ok",
      check: (o) => o.status === "ACTIVE" ? undefined : "status " + o.status },
    { id: "image.update.missing-role", op: "UpdateMicrovmImage", doc: "PUT semantics: codeArtifact, baseImageArn, buildRoleArn required",
      input: (ctx) => ({ imageIdentifier: ctx.imageArn, baseImageArn: "busybox", codeArtifact: { uri: ctx.codeUri } }), expect: "ValidationException" },
    { id: "image.update.unknown", op: "UpdateMicrovmImage", doc: "errors: ResourceNotFoundException",
      input: (ctx) => ({ imageIdentifier: "no-such-image", baseImageArn: "busybox", buildRoleArn: ROLE, codeArtifact: { uri: ctx.codeUri } }), expect: "ResourceNotFoundException" },
    { id: "image.delete.idempotent", op: "DeleteMicrovmImage", doc: "DeleteMicrovmImage: deleting a deleted image succeeds", input: (ctx) => ({ imageIdentifier: ctx.deletedImage }), expect: "ok" },
    { id: "image.delete-version.last", op: "DeleteMicrovmImageVersion", doc: "getting-started: the last remaining version cannot be deleted (ConflictException)",
      input: (ctx) => ({ imageIdentifier: ctx.imageArn, imageVersion: ctx.imageVersion }), expect: "ConflictException" },

    // ---------------------------------------------------------------- tags (API_TagResource.md, API_ListTags.md, API_UntagResource.md)
    { id: "tags.image", op: "TagResource", doc: "TaggableResource: ...:microvm-image:<name>", input: (ctx) => ({ Resource: ctx.imageArn, Tags: { team: "search" } }), expect: "ok",
      check: (o) => o.$metadata.httpStatusCode === 204 ? undefined : "status " + o.$metadata.httpStatusCode + ", the model says 204" },
    { id: "tags.list", op: "ListTags", doc: "ListTags answers Tags", input: (ctx) => ({ Resource: ctx.imageArn }), expect: "ok",
      check: (o) => o.Tags?.team === "search" ? undefined : "Tags " + JSON.stringify(o.Tags) },
    { id: "tags.untag", op: "UntagResource", doc: "UntagResource tagKeys query", input: (ctx) => ({ Resource: ctx.imageArn, TagKeys: ["team"] }), expect: "ok" },
    { id: "tags.bad-arn", op: "ListTags", doc: "TaggableResource pattern; tag operations' error InvalidParameterValueException", input: { Resource: "not-an-arn" }, expect: "InvalidParameterValueException" },
    { id: "tags.key-too-long", op: "TagResource", doc: "TagKey length 1..128", input: (ctx) => ({ Resource: ctx.imageArn, Tags: { [s(129)]: "v" } }), expect: "InvalidParameterValueException" },
    { id: "tags.value-pattern", op: "TagResource", doc: "TagValue pattern ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", input: (ctx) => ({ Resource: ctx.imageArn, Tags: { k: "semi;colon" } }), expect: "InvalidParameterValueException" },
    { id: "tags.unknown-image", op: "ListTags", doc: "ResourceNotFoundException", input: (ctx) => ({ Resource: ctx.imageArn.replace(/microvm-image:.*/, "microvm-image:no-such-image") }), expect: "ResourceNotFoundException" },
  ];
}
