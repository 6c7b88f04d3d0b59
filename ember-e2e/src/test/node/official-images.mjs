// Builds and uses an image with the official, unmodified AWS client: create (code artifact from a file:// URI),
// get, list, versions, builds, run from the image, suspend/resume, status INACTIVE, update, delete.
// Usage: EMBER_ENDPOINT=http://127.0.0.1:PORT EMBER_CODE_ZIP=/abs/code.zip AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node official-images.mjs
import {
  LambdaMicrovmsClient,
  CreateMicrovmImageCommand,
  GetMicrovmImageCommand,
  ListMicrovmImagesCommand,
  GetMicrovmImageVersionCommand,
  ListMicrovmImageVersionsCommand,
  UpdateMicrovmImageVersionCommand,
  UpdateMicrovmImageCommand,
  ListMicrovmImageBuildsCommand,
  GetMicrovmImageBuildCommand,
  DeleteMicrovmImageCommand,
  RunMicrovmCommand,
  GetMicrovmCommand,
  SuspendMicrovmCommand,
  ResumeMicrovmCommand,
  TerminateMicrovmCommand,
  ConflictException,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda-microvms";

const endpoint = process.env.EMBER_ENDPOINT;
const zip = process.env.EMBER_CODE_ZIP;
if (!endpoint || !zip) throw new Error("EMBER_ENDPOINT and EMBER_CODE_ZIP must be set");
const client = new LambdaMicrovmsClient({
  endpoint,
  region: "us-east-1",
  // The admin's keys (OfficialClientEndToEndTest reads them from the server's <dataDir>/credentials).
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}
async function expectError(promise, type, what) {
  try {
    await promise;
  } catch (e) {
    check(e instanceof type, `${what}: expected ${type.name}, got ${e.name}: ${e.message}`);
    console.log(`${what}: ${e.name} ${e.message}`);
    return;
  }
  throw new Error(`${what}: expected ${type.name}, got success`);
}
async function until(what, fn, done, tries = 600) {
  let v;
  for (let i = 0; i < tries; i++) {
    v = await fn();
    if (done(v)) return v;
    await sleep(500);
  }
  throw new Error(what + ": still " + JSON.stringify(v));
}

const created = await client.send(new CreateMicrovmImageCommand({
  name: "official", baseImageArn: "busybox", buildRoleArn: "arn:aws:iam::000000000000:role/build",
  codeArtifact: { uri: "file://" + zip }, environmentVariables: { FROM_OFFICIAL: "1" },
  resources: [{ minimumMemoryInMiB: 512 }], description: "built by the official client",
}));
check(created.imageArn.endsWith(":microvm-image:official") && created.state === "CREATING", "create: " + JSON.stringify(created));
try {
  await client.send(new CreateMicrovmImageCommand({ name: "off-size", baseImageArn: "busybox", buildRoleArn: "arn:aws:iam::000000000000:role/build",
    codeArtifact: { uri: "file://" + zip }, resources: [{ minimumMemoryInMiB: 3000 }] }));
  check(false, "a size AWS does not offer was accepted");
} catch (e) {
  check(e.name === "ValidationException" && e.message.includes("512, 1024, 2048, 4096 or 8192"), "off-table size: " + e.name + " " + e.message);
}
check(created.createdAt instanceof Date && created.imageVersion === "1.0", "createdAt and imageVersion");
console.log("create:", created.imageArn, created.state);

const image = await until("image CREATED", () => client.send(new GetMicrovmImageCommand({ imageIdentifier: created.imageArn })),
  (i) => i.state !== "CREATING");
check(image.state === "CREATED" && image.latestActiveImageVersion === "1.0", "image CREATED: " + JSON.stringify(image));
const version = await client.send(new GetMicrovmImageVersionCommand({ imageIdentifier: "official", imageVersion: "1" }));
check(version.state === "SUCCESSFUL" && version.status === "ACTIVE", "version SUCCESSFUL ACTIVE");
check(version.resources?.[0]?.minimumMemoryInMiB === 512 && version.environmentVariables?.FROM_OFFICIAL === "1", "version echoes");
const listed = await client.send(new ListMicrovmImagesCommand({ nameFilter: "offic" }));
check(listed.items.some((i) => i.name === "official"), "listed by nameFilter");
const versions = await client.send(new ListMicrovmImageVersionsCommand({ imageIdentifier: "official" }));
check(versions.items.length === 1, "one version");
const builds = await client.send(new ListMicrovmImageBuildsCommand({ imageIdentifier: "official", imageVersion: "1" }));
check(builds.items.length === 1 && builds.items[0].buildState === "SUCCESSFUL", "one SUCCESSFUL build");
const build = await client.send(new GetMicrovmImageBuildCommand({ imageIdentifier: "official", imageVersion: "1", buildId: builds.items[0].buildId }));
check(build.snapshotBuild?.memorySnapshotSizeInBytes > 0, "snapshot sizes: " + JSON.stringify(build.snapshotBuild));
console.log("build:", build.buildId, build.buildState, JSON.stringify(build.snapshotBuild));

const run = await client.send(new RunMicrovmCommand({ imageIdentifier: "official", maximumDurationInSeconds: 600 }));
const up = await until("RUNNING", () => client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId })), (m) => m.state !== "PENDING");
check(up.state === "RUNNING" && up.imageArn === created.imageArn && up.imageVersion === "1.0", "clone RUNNING: " + JSON.stringify(up));
console.log("run from image:", run.microvmId, up.state);
await client.send(new SuspendMicrovmCommand({ microvmIdentifier: run.microvmId }));
await client.send(new ResumeMicrovmCommand({ microvmIdentifier: run.microvmId }));
check((await client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }))).state === "RUNNING", "resumed clone");

await expectError(client.send(new DeleteMicrovmImageCommand({ imageIdentifier: "official" })), ConflictException,
  "delete an image a microVM uses");
await client.send(new UpdateMicrovmImageVersionCommand({ imageIdentifier: "official", imageVersion: "1", status: "INACTIVE" }));
await expectError(client.send(new RunMicrovmCommand({ imageIdentifier: "official", imageVersion: "1" })), ConflictException,
  "run an INACTIVE version");
await client.send(new UpdateMicrovmImageVersionCommand({ imageIdentifier: "official", imageVersion: "1", status: "ACTIVE" }));

const updated = await client.send(new UpdateMicrovmImageCommand({
  imageIdentifier: "official", baseImageArn: "busybox", buildRoleArn: "arn:aws:iam::000000000000:role/build",
  codeArtifact: { uri: "file://" + zip },
}));
check(updated.imageVersion === "2.0", "update makes version 2: " + updated.imageVersion);
const after = await until("image UPDATED", () => client.send(new GetMicrovmImageCommand({ imageIdentifier: "official" })),
  (i) => i.state === "UPDATED" || i.state === "UPDATE_FAILED");
check(after.state === "UPDATED" && after.latestActiveImageVersion === "2.0", "UPDATED to 2: " + JSON.stringify(after));

await client.send(new TerminateMicrovmCommand({ microvmIdentifier: run.microvmId }));
await until("TERMINATED", () => client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId })), (m) => m.state === "TERMINATED");
await client.send(new DeleteMicrovmImageCommand({ imageIdentifier: "official" }));
await expectError(client.send(new GetMicrovmImageCommand({ imageIdentifier: "official" })), ResourceNotFoundException,
  "get a deleted image");
console.log("OFFICIAL-IMAGES OK");
