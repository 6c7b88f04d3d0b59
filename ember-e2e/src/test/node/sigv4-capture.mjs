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
// Ember's older ARN form (still read): its slash exercises %2F in a signed path; sigv4-official-client.jsonl holds these.
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

// Ember's extension routes, signed by the same official pipeline: a build-step middleware swaps the request
// (method, path, query, body, headers) before the client's own signing step runs. A streamed body is signed as
// UNSIGNED-PAYLOAD, which the official signer takes from the x-amz-content-sha256 header when it is present.
const extensions = [
  { method: "POST", path: "/ember/v1/microvms/mvm-0123456789abcdef01234567/exec", query: {},
    body: JSON.stringify({ command: ["sh", "-c", "echo $TOKEN"], secretEnvironment: { TOKEN: "api-token" } }) },
  { method: "PUT", path: "/ember/v1/microvms/mvm-0123456789abcdef01234567/files",
    query: { path: "/workspace/a b+c~d*e.txt", mode: "0644" }, unsigned: true, contentType: "application/octet-stream" },
  { method: "POST", path: "/ember/v1/uploads", query: {}, unsigned: true, contentType: "application/zip" },
  { method: "GET", path: "/ember/v1/events", query: { microvmId: arn, maxResults: "10", nextToken: "eyJ0IjoxfQ==" } },
  { method: "PUT", path: "/ember/v1/secrets/db.password_1", query: {}, body: JSON.stringify({ value: "s3cr3t", description: "ä b" }) },
  { method: "DELETE", path: "/ember/v1/tenants/123456789012/access-keys/AKIAEMBER0000000002", query: {} },
  { method: "GET", path: "/ember/v1/usage", query: { from: "2026-11-29T12:00:00Z", granularity: "hour", tenantId: "123456789012" } },
];
for (const x of extensions) {
  const swap = (next) => async (args) => {
    const r = args.request;
    r.method = x.method;
    r.path = x.path;
    r.query = x.query;
    r.body = x.body;
    for (const h of Object.keys(r.headers)) if (h.toLowerCase() === "content-type" || h.toLowerCase() === "content-length") delete r.headers[h];
    if (x.body !== undefined) {
      r.headers["content-type"] = "application/json";
      r.headers["content-length"] = String(Buffer.byteLength(x.body));
    } else if (x.contentType) {
      r.headers["content-type"] = x.contentType;
    }
    if (x.unsigned) r.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
    return next(args);
  };
  const c = new GetMicrovmCommand({ microvmIdentifier: "mvm-0123456789abcdef01234567" });
  c.middlewareStack.add(swap, { step: "build", name: "emberSwap" });
  try { await client.send(c); } catch (e) { /* as above */ }
  if (x.unsigned) captured[captured.length - 1].bodySha256 = "UNSIGNED-PAYLOAD";
}
for (const c of captured) console.log(JSON.stringify(c));
