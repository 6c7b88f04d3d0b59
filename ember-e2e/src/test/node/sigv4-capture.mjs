// Signs requests with the official, unmodified AWS client and prints them instead of sending them:
// conformance vectors for Ember's SigV4 verifier (SigV4ConformanceTest). One JSON object per line.
import {
  LambdaMicrovmsClient, GetMicrovmCommand, ListMicrovmsCommand, RunMicrovmCommand, TerminateMicrovmCommand,
  CreateMicrovmAuthTokenCommand, UntagResourceCommand, TagResourceCommand,
} from "@aws-sdk/client-lambda-microvms";
import { createHash } from "node:crypto";

// The query as an HTTP handler puts it on the wire: RFC 3986 escaping, a repeated key per list value.
const escape = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
function buildQueryString(query) {
  const parts = [];
  for (const [k, v] of Object.entries(query)) {
    for (const value of Array.isArray(v) ? v : [v]) parts.push(value === null ? escape(k) : escape(k) + "=" + escape(value));
  }
  return parts.join("&");
}
const credentials = { accessKeyId: "AKIAEMBERTEST0000001", secretAccessKey: "ember/secret+key=with/odd+chars" };
const captured = [];
const requestHandler = {
  handle: async (request) => {
    const body = request.body === undefined ? "" : request.body;
    const query = buildQueryString(request.query ?? {});
    captured.push({
      method: request.method, path: request.path, query, headers: request.headers,
      bodySha256: createHash("sha256").update(body).digest("hex"),
      accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey,
    });
    return { response: { statusCode: 200, headers: { "content-type": "application/json" }, body: new Response("{}").body } };
  },
};
const client = new LambdaMicrovmsClient({ endpoint: "http://127.0.0.1:8080", region: "us-east-1", credentials,
  requestHandler, maxAttempts: 1 });
const arn = "arn:aws:lambda:local:000000000000:microvm/mvm-0123456789abcdef01234567";
const calls = [
  new GetMicrovmCommand({ microvmIdentifier: arn }),
  new ListMicrovmsCommand({ maxResults: 5, imageIdentifier: "my image/ä", nextToken: "a+b=c" }),
  new RunMicrovmCommand({ imageIdentifier: "busybox", idlePolicy: { maxIdleDurationSeconds: 60, suspendedDurationSeconds: 0,
    autoResumeEnabled: true }, runHookPayload: "{\"tenant\": \"t 1\"}" }),
  new TerminateMicrovmCommand({ microvmIdentifier: "mvm-0123456789abcdef01234567" }),
  new CreateMicrovmAuthTokenCommand({ microvmIdentifier: arn, expirationInMinutes: 5, allowedPorts: [{ port: 8080 }] }),
  new TagResourceCommand({ Resource: arn, Tags: { team: "a b", "cost/center": "42" } }),
  new UntagResourceCommand({ Resource: arn, TagKeys: ["team", "cost/center", "b"] }),
];
for (const c of calls) {
  try { await client.send(c); } catch (e) { /* the fake answer may not parse as every output shape: irrelevant here */ }
}
for (const c of captured) console.log(JSON.stringify(c));
