#!/usr/bin/env node
// TypeScript SDK client (the official @modelcontextprotocol/sdk) that declares sampling and
// elicitation and answers them: connects over Streamable HTTP, lists tools, calls one tool
// several times (the server asks the client things during each call), then ends its session.
//
//   node clients/answer-server-requests.mjs <url> [authorization-header-value]
//        [--tool NAME] [--arguments JSON] [--calls N]
//
// Every `{index}` in the arguments is replaced by the call's number (1..N). Answers:
//   sampling/createMessage -> {"role":"assistant","content":{"type":"text",
//                              "text":"sampled by the TypeScript client: <first message's text>"},"model":"ts-client-model"}
//   elicitation/create     -> {"action":"accept","content":{"answer":"elicited by the TypeScript client: <message>"}}
//
// Prints JSON lines to stdout, one per step:
//   {"step":"connected","serverInfo":{...},"protocolVersion":"...","sessionId":"..."}
//   {"step":"tools","tools":["ask",...]}
//   {"step":"call","index":1,"result":{...CallToolResult...}}      (one per call)
//   {"step":"asked","sampling":<count>,"elicitation":<count>}
//   {"step":"ended"}                                                 (DELETE of the session answered)
// On failure: {"step":"error","message":"...","code":<http status or JSON-RPC code, if any>}
// and exit code 1. Exit code 0 when every step worked.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : fallback;
};
const tool = option("--tool", "ask");
const argumentsTemplate = option("--arguments", "{}");
const calls = Number(option("--calls", "1"));
const [url, authorization] = args;
if (!url) {
  console.error("usage: answer-server-requests.mjs <url> [authorization] [--tool NAME] [--arguments JSON] [--calls N]");
  process.exit(2);
}

const emit = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const headers = authorization ? { Authorization: authorization } : {};
const client = new Client(
  { name: "gateway-test-ts-answering-client", version: "1.0.0" },
  { capabilities: { sampling: {}, elicitation: {} } },
);
const asked = { sampling: 0, elicitation: 0 };
client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  asked.sampling++;
  const first = request.params.messages?.[0]?.content;
  const text = first && first.type === "text" ? first.text : "";
  return {
    role: "assistant",
    content: { type: "text", text: `sampled by the TypeScript client: ${text}` },
    model: "ts-client-model",
  };
});
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  asked.elicitation++;
  return { action: "accept", content: { answer: `elicited by the TypeScript client: ${request.params.message}` } };
});
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
  for (let index = 1; index <= calls; index++) {
    const callArguments = JSON.parse(argumentsTemplate.replaceAll("{index}", String(index)));
    const result = await client.callTool({ name: tool, arguments: callArguments });
    emit({ step: "call", index, result });
    if (result.isError) exitCode = 1;
  }
  emit({ step: "asked", ...asked });
  await transport.terminateSession();
  emit({ step: "ended" });
} catch (error) {
  // fetch failures keep the reason (ECONNREFUSED, ...) in error.cause
  const cause = error?.cause?.code ?? error?.cause?.message;
  emit({ step: "error", message: String(error?.message ?? error) + (cause ? ` (${cause})` : ""), code: error?.code });
  exitCode = 1;
} finally {
  await client.close().catch(() => {});
}
process.exit(exitCode);
