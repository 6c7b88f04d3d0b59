// Drives `ember mcp` with the official MCP TypeScript SDK client, as an MCP host (Claude Desktop, an IDE) does: it
// starts the server itself over stdio, with no options, lists the tools, creates a sandbox, runs commands without a
// timeout of their own, terminates it, and closes. Then one against an Ember server that is not there: the client
// gets a tool error with a reference, never an exception's text.
// Usage: EMBER_MCP_COMMAND='["java","-cp","...","io.ember.cli.Main","--endpoint-url","http://127.0.0.1:PORT","mcp"]'
//        EMBER_MCP_DEAD_COMMAND='[... the same with an endpoint where nothing listens ...]' node official-mcp.mjs
// Prints one line per step and "OFFICIAL-MCP OK" at the end; exits non-zero on the first failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  console.log("ok: " + what);
}

async function connect(envName) {
  const [command, ...args] = JSON.parse(process.env[envName]);
  const transport = new StdioClientTransport({ command, args, env: { ...process.env }, stderr: "inherit" });
  const client = new Client({ name: "ember-e2e", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

function text(result) {
  return result.content.map((c) => c.text).join("");
}

const client = await connect("EMBER_MCP_COMMAND");
check(client.getServerVersion()?.name === "ember", "initialized, server " + JSON.stringify(client.getServerVersion()));
const { tools } = await client.listTools();
const names = tools.map((t) => t.name).sort();
check(JSON.stringify(names) === JSON.stringify(["create_sandbox", "list_sandboxes", "read_file", "run_command",
  "suspend_sandbox", "terminate_sandbox", "text_editor", "write_file"]), "tools " + names.join(","));

const created = await client.callTool({ name: "create_sandbox", arguments: { image: "busybox" } });
check(!created.isError, "create_sandbox: " + text(created));
const id = /mvm-[0-9a-f]+/.exec(text(created))[0];

// No timeoutSeconds, and `ember mcp` started without --timeout: the server's default applies.
const hello = await client.callTool({ name: "run_command", arguments: { microvmId: id, command: "echo hello; uname -s" } });
check(!hello.isError && text(hello) === "hello\nLinux", "run_command without a timeout: " + JSON.stringify(hello));
const again = await client.callTool({ name: "run_command", arguments: { microvmId: id, command: "echo $((6 * 7))" } });
check(!again.isError && text(again) === "42", "a second run_command: " + JSON.stringify(again));
const bad = await client.callTool({ name: "run_command", arguments: { command: "true" } });
check(bad.isError && text(bad).includes("microvmId"), "the caller's mistake is named: " + text(bad));

const terminated = await client.callTool({ name: "terminate_sandbox", arguments: { microvmId: id } });
check(!terminated.isError && text(terminated).includes("TERMINATED"), "terminate_sandbox: " + text(terminated));
let t0 = Date.now();
await client.close(); // ends its input: `ember mcp` exits (else close() waits 2 s, then SIGTERM)
check(Date.now() - t0 < 1900, `ember mcp exited ${Date.now() - t0} ms after the end of its input`);

const dead = await connect("EMBER_MCP_DEAD_COMMAND");
const failed = await dead.callTool({ name: "list_sandboxes", arguments: {} });
const said = text(failed);
check(failed.isError && /reference [0-9a-f]{8}/.test(said), "a transport failure is a tool error with a reference: " + said);
check(!/java\.|Exception|at io\.ember|127\.0\.0\.1/.test(said), "and carries no exception's text");
await dead.close();

console.log("OFFICIAL-MCP OK");
