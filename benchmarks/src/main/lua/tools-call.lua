-- wrk script: POSTs MCP tools/call (tool "echo") on an MCP session opened by the harness and
-- checks every answer (status 200 and a JSON-RPC result carrying the echoed text).
--
--   MCP_SESSION_ID=<id> [MCP_AUTHORIZATION=<key>] [MCP_PATH=/mcp/echo] wrk -s tools-call.lua URL
--
-- Every request has an id unique across threads: the gateway refuses two requests with the
-- same id in flight on one session. done() prints one JSON line prefixed with WRK_RESULT.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  requests, ok, bad = 0, 0, 0
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["MCP-Protocol-Version"] = "2025-06-18",
  }
  local session = os.getenv("MCP_SESSION_ID")
  if session and session ~= "" then headers["Mcp-Session-Id"] = session end
  local authorization = os.getenv("MCP_AUTHORIZATION")
  if authorization and authorization ~= "" then headers["Authorization"] = authorization end
  wrk_headers = headers
  path = os.getenv("MCP_PATH") or wrk.path
  base = tid * 1000000000
end

function request()
  counter = counter + 1
  local body = '{"jsonrpc":"2.0","id":' .. (base + counter) ..
      ',"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello from wrk"}}}'
  return wrk.format("POST", path, wrk_headers, body)
end

function response(status, headers, body)
  requests = requests + 1
  if status == 200 and string.find(body, '"result"', 1, true) and string.find(body, 'hello from wrk', 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
    if bad <= 3 then io.stderr:write("bad answer: " .. status .. " " .. string.sub(body, 1, 300) .. "\n") end
  end
end

function done(summary, latency, requests_)
  local okTotal, badTotal = 0, 0
  for _, t in ipairs(threads) do
    okTotal = okTotal + t:get("ok")
    badTotal = badTotal + t:get("bad")
  end
  local errors = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"durationMicros":%d,"ok":%d,"bad":%d,' ..
      '"socketErrors":%d,"p50Micros":%d,"p90Micros":%d,"p99Micros":%d,"maxMicros":%d,"meanMicros":%.1f}\n',
      summary.requests, summary.duration, okTotal, badTotal,
      errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
