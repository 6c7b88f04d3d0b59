// Two tenants through the official, unmodified AWS client: neither sees nor touches the other's microVM, a quota
// refusal is the model's typed ServiceQuotaExceededException, and (PHASE=revoked) a revoked key is refused.
// Usage: EMBER_ENDPOINT=... A_KEY=... A_SECRET=... B_KEY=... B_SECRET=... [PHASE=revoked] node official-tenants.mjs
// Prints "OFFICIAL-TENANTS OK <microvmId>" at the end; exits non-zero on the first failure.
import {
  LambdaMicrovmsClient,
  RunMicrovmCommand,
  GetMicrovmCommand,
  ListMicrovmsCommand,
  TerminateMicrovmCommand,
  SuspendMicrovmCommand,
  ResumeMicrovmCommand,
  ListTagsCommand,
  TagResourceCommand,
  CreateMicrovmAuthTokenCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
} from "@aws-sdk/client-lambda-microvms";

const endpoint = process.env.EMBER_ENDPOINT;
const client = (key, secret) => new LambdaMicrovmsClient({
  endpoint, region: "us-east-1", credentials: { accessKeyId: key, secretAccessKey: secret }, maxAttempts: 1 });
const a = client(process.env.A_KEY, process.env.A_SECRET);
const b = client(process.env.B_KEY, process.env.B_SECRET);

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  console.log("ok: " + what);
}

async function refused(promise, type, what) {
  try {
    await promise;
  } catch (e) {
    check(e instanceof type || e.name === type.name, what + " -> " + e.name + ": " + e.message);
    return e;
  }
  throw new Error("check failed: " + what + " was accepted");
}

if (process.env.PHASE === "revoked") {
  const e = await refused(a.send(new ListMicrovmsCommand({})), Error, "a revoked key is refused");
  check(e.name === "UnrecognizedClientException", "as UnrecognizedClientException (" + e.name + ")");
  console.log("OFFICIAL-TENANTS OK");
  process.exit(0);
}

const run = await a.send(new RunMicrovmCommand({ imageIdentifier: "busybox", clientToken: "same-token" }));
const id = run.microvmId;
check(id && id.startsWith("mvm-"), "tenant A runs " + id);
check((await a.send(new GetMicrovmCommand({ microvmIdentifier: id }))).microvmId === id, "A describes it");
for (const [what, call] of [
  ["B GetMicrovm", () => b.send(new GetMicrovmCommand({ microvmIdentifier: id }))],
  ["B TerminateMicrovm", () => b.send(new TerminateMicrovmCommand({ microvmIdentifier: id }))],
  ["B SuspendMicrovm", () => b.send(new SuspendMicrovmCommand({ microvmIdentifier: id }))],
  ["B ResumeMicrovm", () => b.send(new ResumeMicrovmCommand({ microvmIdentifier: id }))],
  ["B ListTags", () => b.send(new ListTagsCommand({ Resource: id }))],
  ["B TagResource", () => b.send(new TagResourceCommand({ Resource: id, Tags: { owner: "b" } }))],
  ["B CreateMicrovmAuthToken", () => b.send(new CreateMicrovmAuthTokenCommand({ microvmIdentifier: id,
      expirationInMinutes: 5, allowedPorts: [{ port: 8080 }] }))],
]) {
  const mine = await refused(call(), ResourceNotFoundException, what + " of A's microVM");
  const none = await refused(b.send(new GetMicrovmCommand({ microvmIdentifier: "mvm-0123456789abcdef01234567" })),
    ResourceNotFoundException, "B GetMicrovm of an id that does not exist");
  check(mine.name === none.name, what + ": same error type as an unknown id");
}
const listed = await b.send(new ListMicrovmsCommand({}));
check(!(listed.items ?? []).some((i) => i.microvmId === id), "B's ListMicrovms does not show it");
// B's quota is 0 running microVMs: the model's typed error, and nothing created.
const q = await refused(b.send(new RunMicrovmCommand({ imageIdentifier: "busybox", clientToken: "same-token" })),
  ServiceQuotaExceededException, "B's RunMicrovm over its quota");
check(/maxRunningMicrovms/.test(q.message), "the refusal names the quota: " + q.message);
check(((await b.send(new ListMicrovmsCommand({}))).items ?? []).length === 0, "nothing half-started for B");
check((await a.send(new GetMicrovmCommand({ microvmIdentifier: id }))).state !== "TERMINATED", "A's microVM untouched");
console.log("OFFICIAL-TENANTS OK " + id);
