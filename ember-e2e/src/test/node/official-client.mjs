// Drives Ember with the official, unmodified AWS client: run, get, list, tags, suspend, resume, auth tokens and the
// endpoint they open, terminate, typed errors.
// Usage: EMBER_ENDPOINT=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node official-client.mjs
// Prints one line per step and "OFFICIAL-CLIENT OK" at the end; exits non-zero on the first failure.
import {
  LambdaMicrovmsClient,
  RunMicrovmCommand,
  GetMicrovmCommand,
  ListMicrovmsCommand,
  TerminateMicrovmCommand,
  SuspendMicrovmCommand,
  ResumeMicrovmCommand,
  CreateMicrovmAuthTokenCommand,
  CreateMicrovmShellAuthTokenCommand,
  ConflictException,
  AccessDeniedException,
  TagResourceCommand,
  UntagResourceCommand,
  ListTagsCommand,
  ListManagedMicrovmImagesCommand,
  ListManagedMicrovmImageVersionsCommand,
  ResourceNotFoundException,
  ValidationException,
  InvalidParameterValueException,
  paginateListMicrovms,
} from "@aws-sdk/client-lambda-microvms";

const endpoint = process.env.EMBER_ENDPOINT;
if (!endpoint) throw new Error("EMBER_ENDPOINT is not set");
if (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY) throw new Error("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set");

const client = new LambdaMicrovmsClient({
  endpoint,
  region: "us-east-1",
  // The admin's keys (OfficialClientEndToEndTest reads them from the server's <dataDir>/credentials).
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

async function expectError(promise, type, what) {
  try {
    await promise;
  } catch (e) {
    check(e instanceof type, `${what}: expected ${type.name}, got ${e.name}: ${e.message}`);
    console.log(`${what}: ${e.name} (${e.$metadata?.httpStatusCode}) ${e.message}`);
    return;
  }
  throw new Error(`${what}: expected ${type.name}, got success`);
}

const images = await client.send(new ListManagedMicrovmImagesCommand({}));
const arns = images.items.map((i) => i.imageArn);
check(arns.some((a) => a.endsWith("busybox")), "busybox among managed images: " + arns);
console.log("managed images:", arns.join(", "));
const versions = await client.send(new ListManagedMicrovmImageVersionsCommand({ imageIdentifier: "busybox" }));
check(versions.items.length >= 1 && versions.items[0].createdAt instanceof Date, "busybox versions with dates");

const idlePolicy = { maxIdleDurationSeconds: 3600, suspendedDurationSeconds: 7200, autoResumeEnabled: true };
// The managed connectors by the ARNs AWS documents (SHELL_INGRESS for the shell token below).
const connector = (name) => "arn:aws:lambda:us-east-1:aws:network-connector:aws-network-connector:" + name;
const ingressNetworkConnectors = [connector("HTTP_INGRESS"), connector("SHELL_INGRESS")];
const egressNetworkConnectors = [connector("INTERNET_EGRESS")];
const run = await client.send(new RunMicrovmCommand({ imageIdentifier: "busybox", maximumDurationInSeconds: 600, idlePolicy,
  ingressNetworkConnectors, egressNetworkConnectors }));
check(/^mvm-[0-9a-f]{24}$/.test(run.microvmId), "microvmId format: " + run.microvmId);
check(run.startedAt instanceof Date, "startedAt parsed as a Date");
console.log("run:", run.microvmId, run.state);

let got;
for (let i = 0; i < 240; i++) {
  got = await client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }));
  if (got.state !== "PENDING") break;
  await new Promise((r) => setTimeout(r, 500));
}
check(got.state === "RUNNING", "state RUNNING, was " + got.state + " " + (got.stateReason ?? ""));
check(got.maximumDurationInSeconds === 600, "maximumDurationInSeconds echoed");
check(JSON.stringify(got.ingressNetworkConnectors) === JSON.stringify(ingressNetworkConnectors), "ingressNetworkConnectors echoed: " + JSON.stringify(got.ingressNetworkConnectors));
check(JSON.stringify(got.egressNetworkConnectors) === JSON.stringify(egressNetworkConnectors), "egressNetworkConnectors echoed: " + JSON.stringify(got.egressNetworkConnectors));
check(got.idlePolicy?.maxIdleDurationSeconds === 3600 && got.idlePolicy?.autoResumeEnabled === true, "idlePolicy echoed");
console.log("get:", got.microvmId, got.state, got.imageArn);

let seen = false;
for await (const page of paginateListMicrovms({ client, pageSize: 1 }, {})) {
  if (page.items.some((m) => m.microvmId === run.microvmId)) seen = true;
}
check(seen, "listed through the paginator");
const firstPage = await client.send(new ListMicrovmsCommand({ maxResults: 1 }));
check(firstPage.items.length === 1, "maxResults=1 gives one item");
console.log("list: found", run.microvmId);

// Tags: the model shows no microVM ARN; Ember's is arn:aws:lambda:us-east-1:000000000000:microvm:<id>.
const vmArn = "arn:aws:lambda:us-east-1:000000000000:microvm:" + run.microvmId;
const noTags = await client.send(new ListTagsCommand({ Resource: vmArn }));
check(Object.keys(noTags.Tags ?? {}).length === 0, "no tags at first: " + JSON.stringify(noTags.Tags));
await client.send(new TagResourceCommand({ Resource: vmArn, Tags: { team: "search", env: "dev", "cost center": "42" } }));
await client.send(new UntagResourceCommand({ Resource: vmArn, TagKeys: ["env", "absent"] }));
const tagged = await client.send(new ListTagsCommand({ Resource: vmArn }));
check(JSON.stringify(tagged.Tags) === JSON.stringify({ "cost center": "42", team: "search" }), "tags after tag and untag: "
  + JSON.stringify(tagged.Tags));
await expectError(client.send(new TagResourceCommand({ Resource: vmArn, Tags: { "aws:owner": "me" } })),
  InvalidParameterValueException, "tag with the reserved aws: prefix (the tag operations' error for bad input)");
await expectError(client.send(new ListTagsCommand({ Resource: "arn:aws:lambda:us-east-1:000000000000:microvm:mvm-000000000000000000000000" })),
  ResourceNotFoundException, "list tags of an unknown microVM");
await expectError(client.send(new TagResourceCommand({ Resource: arns[0], Tags: { team: "search" } })),
  AccessDeniedException, "tag a managed image");
console.log("tags:", JSON.stringify(tagged.Tags));

await client.send(new SuspendMicrovmCommand({ microvmIdentifier: run.microvmId }));
const asleep = await client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }));
check(asleep.state === "SUSPENDED", "state SUSPENDED after SuspendMicrovm, was " + asleep.state);
console.log("suspend:", asleep.state, asleep.stateReason ?? "");
await client.send(new SuspendMicrovmCommand({ microvmIdentifier: run.microvmId })); // a no-op when suspended
await client.send(new ResumeMicrovmCommand({ microvmIdentifier: run.microvmId }));
const awake = await client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }));
check(awake.state === "RUNNING", "state RUNNING after ResumeMicrovm, was " + awake.state);
console.log("resume:", awake.state);

const auth = await client.send(new CreateMicrovmAuthTokenCommand({ microvmIdentifier: run.microvmId,
  expirationInMinutes: 5, allowedPorts: [{ port: 8080 }, { range: { startPort: 9000, endPort: 9001 } }] }));
const token = auth.authToken?.["X-aws-proxy-auth"];
check(typeof token === "string" && token.length > 20, "CreateMicrovmAuthToken answers an X-aws-proxy-auth token");
const shell = await client.send(new CreateMicrovmShellAuthTokenCommand({ microvmIdentifier: run.microvmId, expirationInMinutes: 5 }));
check(typeof shell.authToken?.["X-aws-proxy-auth"] === "string", "CreateMicrovmShellAuthToken answers a token");
await expectError(client.send(new CreateMicrovmAuthTokenCommand({ microvmIdentifier: run.microvmId,
  expirationInMinutes: 61, allowedPorts: [{ port: 8080 }] })), ValidationException, "token living over 60 minutes");
// busybox serves nothing on 8080: with the token the request reaches the guest (502 names the port), without it never.
const withToken = await fetch(got.endpoint + "/", { headers: { "X-aws-proxy-auth": token } });
const withBody = await withToken.json();
check(withToken.status === 502 && withBody.message.includes("nothing listens on port 8080"), "endpoint with token: " + JSON.stringify(withBody));
const without = await fetch(got.endpoint + "/");
check(without.status === 403 && (await without.json()).__type === "AccessDeniedException", "endpoint without token: 403");
console.log("auth tokens and endpoint:", got.endpoint, "403 without a token, 502 with one (no application on 8080)");

await expectError(client.send(new GetMicrovmCommand({ microvmIdentifier: "mvm-000000000000000000000000" })),
  ResourceNotFoundException, "get unknown");
await expectError(client.send(new RunMicrovmCommand({ imageIdentifier: "no-such-image" })),
  ResourceNotFoundException, "run unknown image");
await expectError(client.send(new RunMicrovmCommand({ imageIdentifier: "busybox", maximumDurationInSeconds: 999999 })),
  ValidationException, "run out-of-range duration");

await client.send(new TerminateMicrovmCommand({ microvmIdentifier: run.microvmId }));
let end;
for (let i = 0; i < 120; i++) {
  end = await client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }));
  if (end.state === "TERMINATED") break;
  await new Promise((r) => setTimeout(r, 500));
}
check(end.state === "TERMINATED", "state TERMINATED, was " + end.state);
check(end.terminatedAt instanceof Date, "terminatedAt parsed as a Date");
await expectError(client.send(new SuspendMicrovmCommand({ microvmIdentifier: run.microvmId })),
  ConflictException, "suspend a terminated microVM");
const kept = await client.send(new ListTagsCommand({ Resource: vmArn }));
check(kept.Tags?.team === "search", "tags of a TERMINATED microVM stay readable: " + JSON.stringify(kept.Tags));
await expectError(client.send(new TagResourceCommand({ Resource: vmArn, Tags: { late: "yes" } })),
  ResourceNotFoundException, "tag a terminated microVM");
console.log("terminate:", end.state, end.stateReason);
console.log("OFFICIAL-CLIENT OK");
