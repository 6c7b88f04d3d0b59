// ARNs through the official, unmodified AWS client, as AWS's documentation writes them: the guide's examples are in
// other regions and account 123456789012; with the account replaced by the tenant's, they name the tenant's resources
// on Ember, whatever their region (docs/api.md, "ARNs"). Every ARN Ember answers is AWS's form in its own region.
// Usage: EMBER_ENDPOINT=... EMBER_CODE_URI=ember-upload://... EMBER_REGION=us-east-1 TENANT_ACCOUNT=<12 digits>
//        AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... node official-arns.mjs
import {
  LambdaMicrovmsClient,
  ListManagedMicrovmImagesCommand,
  CreateMicrovmImageCommand,
  GetMicrovmImageCommand,
  GetMicrovmImageVersionCommand,
  RunMicrovmCommand,
  GetMicrovmCommand,
  ListMicrovmsCommand,
  TagResourceCommand,
  ListTagsCommand,
  TerminateMicrovmCommand,
  DeleteMicrovmImageCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda-microvms";

const { EMBER_ENDPOINT: endpoint, EMBER_CODE_URI: code, EMBER_REGION: region, TENANT_ACCOUNT: account } = process.env;
if (!endpoint || !code || !region || !/^[0-9]{12}$/.test(account ?? "")) throw new Error("EMBER_ENDPOINT, EMBER_CODE_URI, EMBER_REGION and TENANT_ACCOUNT must be set");
// A client configured for another region than the server's, as one copied from a eu-west-1 example would be.
const client = new LambdaMicrovmsClient({ endpoint, region: "eu-west-1", maxAttempts: 1,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  console.log("ok: " + what);
}
async function notFound(promise, what) {
  try {
    await promise;
  } catch (e) {
    check(e instanceof ResourceNotFoundException, `${what}: ${e.name} ${e.message}`);
    return;
  }
  throw new Error(`${what}: expected ResourceNotFoundException, got success`);
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
// As the guide writes them (its example account, region eu-west-1), with the tenant's account put in.
const fromDocs = (arn) => arn.replace("123456789012", account);
const answered = (type, owner, name) => `arn:aws:lambda:${region}:${owner}:${type}:${name}`;

const managed = await client.send(new ListManagedMicrovmImagesCommand({}));
check(managed.items.some((i) => i.imageArn === answered("microvm-image", "aws", "busybox")),
  "managed images in the server's region: " + managed.items.map((i) => i.imageArn).join(" "));

const created = await client.send(new CreateMicrovmImageCommand({
  name: "my-microvm-image", baseImageArn: "arn:aws:lambda:eu-west-1:aws:microvm-image:busybox",
  buildRoleArn: "arn:aws:iam::123456789012:role/build", codeArtifact: { uri: code },
  egressNetworkConnectors: ["arn:aws:lambda:eu-west-1:aws:network-connector:aws-network-connector:INTERNET_EGRESS"],
}));
const imageArn = answered("microvm-image", account, "my-microvm-image");
check(created.imageArn === imageArn, "CreateMicrovmImage answers " + created.imageArn);
check(created.baseImageArn === answered("microvm-image", "aws", "busybox"), "baseImageArn " + created.baseImageArn);
check(created.egressNetworkConnectors?.[0] === answered("network-connector", "aws", "aws-network-connector:INTERNET_EGRESS"),
  "image egressNetworkConnectors " + created.egressNetworkConnectors);

const docsImage = fromDocs("arn:aws:lambda:eu-west-1:123456789012:microvm-image:my-microvm-image");
const image = await until("image built", () => client.send(new GetMicrovmImageCommand({ imageIdentifier: docsImage })),
  (i) => i.state !== "CREATING");
check(image.state === "CREATED" && image.imageArn === imageArn, `GetMicrovmImage ${docsImage}: ${image.state} ${image.imageArn}`);
const version = await client.send(new GetMicrovmImageVersionCommand({ imageIdentifier: docsImage, imageVersion: "1.0" }));
check(version.imageArn === imageArn && version.baseImageArn === answered("microvm-image", "aws", "busybox"), "GetMicrovmImageVersion");
await notFound(client.send(new GetMicrovmImageCommand({ imageIdentifier: "arn:aws:lambda:eu-west-1:123456789012:microvm-image:my-microvm-image" })),
  "the docs' own account is another account");

const run = await client.send(new RunMicrovmCommand({ imageIdentifier: docsImage, imageVersion: "1.0",
  ingressNetworkConnectors: ["arn:aws:lambda:eu-west-1:aws:network-connector:aws-network-connector:HTTP_INGRESS"],
  maximumDurationInSeconds: 600 }));
check(run.imageArn === imageArn, "RunMicrovm by the docs' ARN answers " + run.imageArn);
check(run.ingressNetworkConnectors?.[0] === answered("network-connector", "aws", "aws-network-connector:HTTP_INGRESS"),
  "ingressNetworkConnectors " + run.ingressNetworkConnectors);
check(run.egressNetworkConnectors?.[0] === answered("network-connector", "aws", "aws-network-connector:INTERNET_EGRESS"),
  "egressNetworkConnectors (the image's) " + run.egressNetworkConnectors);
const vmArn = fromDocs(`arn:aws:lambda:eu-west-1:123456789012:microvm:${run.microvmId}`);
const up = await until("RUNNING", () => client.send(new GetMicrovmCommand({ microvmIdentifier: vmArn })), (m) => m.state !== "PENDING");
check(up.state === "RUNNING" && up.microvmId === run.microvmId, `GetMicrovm ${vmArn}: ${up.state}`);
const listed = await client.send(new ListMicrovmsCommand({ imageIdentifier: docsImage }));
check(listed.items.length === 1 && listed.items[0].imageArn === imageArn, "ListMicrovms filtered by the docs' image ARN");
await notFound(client.send(new GetMicrovmCommand({ microvmIdentifier: `arn:aws:lambda:eu-west-1:123456789012:microvm:${run.microvmId}` })),
  "a microVM ARN of another account");

await client.send(new TagResourceCommand({ Resource: vmArn, Tags: { session: "docs" } }));
check((await client.send(new ListTagsCommand({ Resource: answered("microvm", account, run.microvmId) }))).Tags?.session === "docs",
  "tags by the microVM's ARN in any region");

await client.send(new TerminateMicrovmCommand({ microvmIdentifier: vmArn }));
await until("TERMINATED", () => client.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId })), (m) => m.state === "TERMINATED");
await client.send(new DeleteMicrovmImageCommand({ imageIdentifier: docsImage }));
console.log("OFFICIAL-ARNS OK");
