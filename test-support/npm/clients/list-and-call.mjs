#!/usr/bin/env node
// TypeScript SDK client (the official @modelcontextprotocol/sdk): connects over Streamable HTTP,
// lists tools, calls `echo`.
//
//   node clients/list-and-call.mjs <url> [authorization-header-value] [--message TEXT]
//
// Prints JSON lines to stdout, one per step:
//   {"step":"connected","serverInfo":{...},"protocolVersion":"..."}
//   {"step":"tools","tools":["echo",...]}
//   {"step":"echo","result":{...CallToolResult...}}
// On failure: {"step":"error","message":"...","code":<http status or JSON-RPC code, if any>}
// and exit code 1. Exit code 0 when every step worked.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const args = process.argv.slice(2);
const messageFlag = args.indexOf("--message");
const message = messageFlag >= 0 ? args.splice(messageFlag, 2)[1] : "hello from the TypeScript SDK";
const [url, authorization] = args;
if (!url) {
  console.error("usage: list-and-call.mjs <url> [authorization] [--message TEXT]");
  process.exit(2);
}

const emit = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const headers = authorization ? { Authorization: authorization } : {};
const client = new Client({ name: "gateway-test-ts-client", version: "1.0.0" });
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });

let exitCode = 0;
try {
  await client.connect(transport);
  emit({
    step: "connected",
    serverInfo: client.getServerVersion(),
    protocolVersion: transport.protocolVersion,
    sessionId: transport.sessionId,
  });
  const { tools } = await client.listTools();
  emit({ step: "tools", tools: tools.map((t) => t.name) });
  const result = await client.callTool({ name: "echo", arguments: { message } });
  emit({ step: "echo", result });
  if (result.isError) exitCode = 1;
} catch (error) {
  // fetch failures keep the reason (ECONNREFUSED, ...) in error.cause
  const cause = error?.cause?.code ?? error?.cause?.message;
  emit({ step: "error", message: String(error?.message ?? error) + (cause ? ` (${cause})` : ""), code: error?.code });
  exitCode = 1;
} finally {
  try {
    await transport.terminateSession();
  } catch {
    // best effort: the session may already be gone
  }
  await client.close().catch(() => {});
}
process.exit(exitCode);
