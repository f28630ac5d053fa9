#!/usr/bin/env node
// TypeScript SDK client: calls a long-running tool with a progress token over Streamable HTTP
// and prints every progress notification it receives.
//
//   node clients/call-with-progress.mjs <url> [authorization] [--tool NAME] [--duration S] [--steps N]
//
// Defaults: server-everything's `trigger-long-running-operation`, duration 1 s, 4 steps.
// Prints JSON lines to stdout:
//   {"step":"connected",...}
//   {"step":"progress","progress":1,"total":4,"message":...}     (one per notification)
//   {"step":"result","result":{...},"progressCount":4}
// On failure {"step":"error","message":"..."} and exit code 1.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
}
const tool = option("--tool", "trigger-long-running-operation");
const duration = Number(option("--duration", "1"));
const steps = Number(option("--steps", "4"));
const [url, authorization] = args;
if (!url) {
  console.error("usage: call-with-progress.mjs <url> [authorization] [--tool NAME] [--duration S] [--steps N]");
  process.exit(2);
}

const emit = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const headers = authorization ? { Authorization: authorization } : {};
const client = new Client({ name: "gateway-test-ts-client", version: "1.0.0" });
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });

let exitCode = 0;
try {
  await client.connect(transport);
  emit({ step: "connected", serverInfo: client.getServerVersion(), sessionId: transport.sessionId });
  let progressCount = 0;
  const result = await client.callTool(
    { name: tool, arguments: { duration, steps } },
    undefined,
    {
      timeout: Math.max(30_000, duration * 3_000),
      onprogress: (p) => {
        progressCount++;
        emit({ step: "progress", progress: p.progress, total: p.total, message: p.message });
      },
    },
  );
  emit({ step: "result", result, progressCount });
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
    // best effort
  }
  await client.close().catch(() => {});
}
process.exit(exitCode);
