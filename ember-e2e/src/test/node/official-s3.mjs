// Images from code zips in S3 with the official, unmodified AWS client: codeArtifact { uri: "s3://bucket/key" } as
// AWS documents it; a build that reads a missing key fails with S3_NO_SUCH_KEY, as AWS reports it.
// Usage: EMBER_ENDPOINT=... EMBER_CODE_URI=s3://bucket/key EMBER_MISSING_URI=s3://bucket/nope AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node official-s3.mjs
import {
  LambdaMicrovmsClient,
  CreateMicrovmImageCommand,
  GetMicrovmImageCommand,
  GetMicrovmImageVersionCommand,
  ListMicrovmImageBuildsCommand,
  GetMicrovmImageBuildCommand,
} from "@aws-sdk/client-lambda-microvms";

const { EMBER_ENDPOINT: endpoint, EMBER_CODE_URI: codeUri, EMBER_MISSING_URI: missingUri } = process.env;
if (!endpoint || !codeUri || !missingUri) throw new Error("EMBER_ENDPOINT, EMBER_CODE_URI and EMBER_MISSING_URI must be set");
const client = new LambdaMicrovmsClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}
async function settled(name) {
  for (let i = 0; i < 600; i++) {
    const image = await client.send(new GetMicrovmImageCommand({ imageIdentifier: name }));
    if (image.state !== "CREATING") return image;
    await sleep(500);
  }
  throw new Error(name + ": still CREATING");
}
async function onlyBuild(name) {
  const builds = await client.send(new ListMicrovmImageBuildsCommand({ imageIdentifier: name, imageVersion: "1" }));
  check(builds.items.length === 1, name + ": one build");
  return client.send(new GetMicrovmImageBuildCommand({ imageIdentifier: name, imageVersion: "1", buildId: builds.items[0].buildId }));
}

for (const [name, uri] of [["official-s3", codeUri], ["official-s3-missing", missingUri]]) {
  const created = await client.send(new CreateMicrovmImageCommand({
    name, baseImageArn: "busybox", buildRoleArn: "arn:aws:iam::000000000000:role/build", codeArtifact: { uri },
  }));
  check(created.state === "CREATING" && created.codeArtifact?.uri === uri, "create: " + JSON.stringify(created));
}

const image = await settled("official-s3");
check(image.state === "CREATED" && image.latestActiveImageVersion === "1.0", "built from S3: " + JSON.stringify(image));
const version = await client.send(new GetMicrovmImageVersionCommand({ imageIdentifier: "official-s3", imageVersion: "1" }));
check(version.codeArtifact?.uri === codeUri, "the version's codeArtifact: " + JSON.stringify(version.codeArtifact));
const build = await onlyBuild("official-s3");
check(build.buildState === "SUCCESSFUL" && build.snapshotBuild?.codeInstallSizeInBytes > 0, "build: " + JSON.stringify(build));
console.log("built from", codeUri, build.buildId, build.buildState);

const missing = await settled("official-s3-missing");
check(missing.state === "CREATE_FAILED", "missing object: " + JSON.stringify(missing));
const failed = await onlyBuild("official-s3-missing");
check(failed.buildState === "FAILED" && failed.stateReason?.startsWith("S3_NO_SUCH_KEY: "), "failed build: " + JSON.stringify(failed));
console.log("missing object:", failed.stateReason);
console.log("OFFICIAL-S3 OK");
