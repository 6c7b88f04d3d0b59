// What a user coming from AWS types, through the official, unmodified client: an image from a code zip in S3
// (codeArtifact.uri s3://...), for ARM_64 (the only architecture AWS offers), on a managed base named by an ARN
// copied from AWS's docs in another region, then RunMicrovm by the image's ARN in that other region with the
// major.minor version, as AWS's getting-started writes them.
// Usage: EMBER_ENDPOINT=... EMBER_CODE_URI=s3://bucket/key AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node official-aws-docs.mjs
// Prints "OFFICIAL-AWS-DOCS OK <microvmId>" (the caller checks the guest's architecture and terminates it).
import {
  LambdaMicrovmsClient,
  CreateMicrovmImageCommand,
  GetMicrovmImageCommand,
  ListMicrovmImageBuildsCommand,
  RunMicrovmCommand,
  GetMicrovmCommand,
} from "@aws-sdk/client-lambda-microvms";

const { EMBER_ENDPOINT: endpoint, EMBER_CODE_URI: codeUri } = process.env;
if (!endpoint || !codeUri) throw new Error("EMBER_ENDPOINT and EMBER_CODE_URI must be set");
const client = new LambdaMicrovmsClient({
  endpoint, region: "eu-west-1", maxAttempts: 1,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

const created = await client.send(new CreateMicrovmImageCommand({
  name: "my-microvm-image",
  description: "Hello world app",
  baseImageArn: "arn:aws:lambda:eu-west-1:aws:microvm-image:busybox",
  buildRoleArn: "arn:aws:iam::123456789012:role/MicroVMBuildRole",
  codeArtifact: { uri: codeUri },
  cpuConfigurations: [{ architecture: "ARM_64" }],
}));
check(created.$metadata.httpStatusCode === 201 && created.imageVersion === "1.0", "create: " + JSON.stringify(created));
const account = created.imageArn.split(":")[4];
// The guide's example ARN, in another region than the server's, with this caller's account.
const docsArn = `arn:aws:lambda:eu-west-1:${account}:microvm-image:my-microvm-image`;
console.log("create:", created.imageArn, "as", docsArn);

let image;
for (let i = 0; i < 2400; i++) {
  image = await client.send(new GetMicrovmImageCommand({ imageIdentifier: docsArn }));
  if (image.state !== "CREATING") break;
  await sleep(500);
}
check(image.state === "CREATED" && image.latestActiveImageVersion === "1.0", "built: " + JSON.stringify(image));
const builds = await client.send(new ListMicrovmImageBuildsCommand({ imageIdentifier: docsArn, imageVersion: "1.0", architecture: "ARM_64" }));
check(builds.items.length === 1 && builds.items[0].architecture === "ARM_64" && builds.items[0].chipset === "GRAVITON"
  && builds.items[0].buildState === "SUCCESSFUL", "one ARM_64 build: " + JSON.stringify(builds.items));
console.log("build:", builds.items[0].buildId, builds.items[0].architecture, builds.items[0].chipset, builds.items[0].chipsetGeneration);

const run = await client.send(new RunMicrovmCommand({
  imageIdentifier: docsArn, imageVersion: "1.0", maximumDurationInSeconds: 14400,
  idlePolicy: { autoResumeEnabled: true, maxIdleDurationSeconds: 900, suspendedDurationSeconds: 1800 },
}));
let vm;
for (let i = 0; i < 2400; i++) {
  vm = await client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }));
  if (vm.state !== "PENDING") break;
  await sleep(500);
}
check(vm.state === "RUNNING" && vm.imageVersion === "1.0" && vm.imageArn.endsWith(":microvm-image:my-microvm-image"),
  "running: " + JSON.stringify(vm));
console.log("OFFICIAL-AWS-DOCS OK " + run.microvmId);
