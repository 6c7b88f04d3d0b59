// Conformance: every case of conformance/cases.mjs through the official, unmodified AWS client against Ember.
// Usage: EMBER_ENDPOINT=http(s)://127.0.0.1:PORT EMBER_CODE_ZIP=/abs/ok.zip EMBER_NODOCKERFILE_ZIP=/abs/bad.zip
//        AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node official-conformance.mjs [case-id-prefix]
// Prints PASS/FAIL per case and "CONFORMANCE OK <n> cases" when all pass; exits non-zero otherwise.
import * as sdk from "@aws-sdk/client-lambda-microvms";
import { cases } from "./conformance/cases.mjs";

const endpoint = process.env.EMBER_ENDPOINT;
const zip = process.env.EMBER_CODE_ZIP;
const noDockerfileZip = process.env.EMBER_NODOCKERFILE_ZIP;
if (!endpoint || !zip || !noDockerfileZip) throw new Error("EMBER_ENDPOINT, EMBER_CODE_ZIP and EMBER_NODOCKERFILE_ZIP must be set");
const only = process.argv[2];
const client = new sdk.LambdaMicrovmsClient({
  endpoint, region: process.env.EMBER_REGION ?? "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const send = (op, input) => client.send(new sdk[op + "Command"](input));

async function until(what, fn, done, tries = 1200) {
  let v;
  for (let i = 0; i < tries; i++) {
    v = await fn();
    if (done(v)) return v;
    await sleep(250);
  }
  throw new Error(what + ": still " + JSON.stringify(v));
}

// Fixtures. `ctx.codeUri` is a code zip whose build fails at once (no Dockerfile: AWS's ARCHIVE_DOCKERFILE_NOT_FOUND),
// so that cases about accepted requests do not each wait for a build; the one image that must build uses `zip`.
const imageName = "conformance";
const created = await send("CreateMicrovmImage", { name: imageName, baseImageArn: "busybox",
  buildRoleArn: "arn:aws:iam::123456789012:role/build", codeArtifact: { uri: "file://" + zip } });
const built = await until("image built", () => send("GetMicrovmImage", { imageIdentifier: created.imageArn }), (i) => i.state !== "CREATING");
if (built.state !== "CREATED") throw new Error("the fixture image did not build: " + JSON.stringify(built));
const region = created.imageArn.split(":")[3];
const managed = await send("ListManagedMicrovmImages", {});
const connector = (name) => `arn:aws:lambda:${region}:aws:network-connector:aws-network-connector:${name}`;
const vm = (await send("RunMicrovm", { imageIdentifier: "busybox", maximumDurationInSeconds: 3600,
  ingressNetworkConnectors: [connector("HTTP_INGRESS"), connector("SHELL_INGRESS")] })).microvmId;
await until("fixture microVM RUNNING", () => send("GetMicrovm", { microvmIdentifier: vm }), (m) => m.state !== "PENDING");
const terminatedVm = (await send("RunMicrovm", { imageIdentifier: "busybox", maximumDurationInSeconds: 60 })).microvmId;
await send("TerminateMicrovm", { microvmIdentifier: terminatedVm });
const gone = await send("CreateMicrovmImage", { name: "conformance-deleted", baseImageArn: "busybox",
  buildRoleArn: "arn:aws:iam::123456789012:role/build", codeArtifact: { uri: "file://" + noDockerfileZip } });
await until("deleted fixture build ended", () => send("GetMicrovmImage", { imageIdentifier: gone.imageArn }), (i) => i.state !== "CREATING");
await send("DeleteMicrovmImage", { imageIdentifier: gone.imageArn });

const ctx = {
  region, send, vm, terminatedVm, imageName,
  imageArn: created.imageArn,
  imageVersion: created.imageVersion,
  imageArnIn: (r) => created.imageArn.replace(/^(arn:[^:]+:lambda:)[^:]*:/, `$1${r}:`),
  busyboxArn: managed.items.find((i) => /busybox$/.test(i.imageArn))?.imageArn,
  deletedImage: gone.imageArn,
  codeUri: "file://" + noDockerfileZip,
  terminate: (id) => send("TerminateMicrovm", { microvmIdentifier: id }),
  deleteImage: async (arn) => {
    await until("build of " + arn + " ended", () => send("GetMicrovmImage", { imageIdentifier: arn }), (i) => i.state !== "CREATING");
    await send("DeleteMicrovmImage", { imageIdentifier: arn });
  },
};

let passed = 0;
const failed = [];
for (const c of cases()) {
  if (only && !c.id.startsWith(only)) continue;
  const input = typeof c.input === "function" ? c.input(ctx) : c.input;
  let out, err;
  try {
    out = await send(c.op, input);
  } catch (e) {
    err = e;
  }
  let wrong;
  if (c.expect === "ok") {
    wrong = err ? `expected success, got ${err.name} (${err.$metadata?.httpStatusCode}): ${err.message}` : await c.check?.(out, ctx);
  } else if (!err) {
    wrong = `expected ${c.expect}, got success`;
  } else if (err.name !== c.expect) {
    wrong = `expected ${c.expect}, got ${err.name} (${err.$metadata?.httpStatusCode}): ${err.message}`;
  }
  if (out && c.cleanup) {
    try { await c.cleanup(out, ctx); } catch (e) { wrong ??= "cleanup failed: " + e.message; }
  }
  if (wrong) {
    failed.push(c.id);
    console.log(`FAIL ${c.id} [${c.op}] ${wrong}  (${c.doc})`);
  } else {
    passed++;
    console.log(`PASS ${c.id} [${c.op}]${err ? " " + err.name + ": " + err.message : ""}`);
  }
}
await send("TerminateMicrovm", { microvmIdentifier: vm });
console.log(`${passed} passed, ${failed.length} failed`);
if (failed.length) {
  console.log("FAILED: " + failed.join(" "));
  process.exit(1);
}
console.log(`CONFORMANCE OK ${passed} cases`);
