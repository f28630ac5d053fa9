/*
 * A minimal, fast MCP server on stdio for the benchmarks: newline-delimited JSON-RPC, one
 * tool "echo" that returns its "message" argument, and one tool "big" that returns a text of
 * "bytes" (an argument) letters, for the memory benchmark. It scans messages instead of parsing them
 * (it only needs "id", "method" and the message string), so that the gateway, not the backend,
 * is what a benchmark measures. Answers are buffered and flushed when no more input is waiting.
 *
 *   gcc -O2 -o echo-server echo-server.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#define IN_CAP (64 * 1024 * 1024)

static char *out;
static size_t out_len, out_cap;

static void out_flush(void) {
  size_t at = 0;
  while (at < out_len) {
    ssize_t n = write(1, out + at, out_len - at);
    if (n < 0) {
      if (errno == EINTR) continue;
      exit(0);
    }
    at += (size_t) n;
  }
  out_len = 0;
}

static void out_put(const char *s, size_t n) {
  if (out_len + n > out_cap) {
    while (out_len + n > out_cap) out_cap = out_cap ? out_cap * 2 : 65536;
    out = realloc(out, out_cap);
    if (!out) exit(1);
  }
  memcpy(out + out_len, s, n);
  out_len += n;
}

static void out_str(const char *s) { out_put(s, strlen(s)); }

/* The end of the JSON value starting at p (string, number, literal): enough for ids. */
static const char *value_end(const char *p, const char *end) {
  if (p < end && *p == '"') {
    p++;
    while (p < end && *p != '"') {
      if (*p == '\\') p++;
      p++;
    }
    return p < end ? p + 1 : end;
  }
  while (p < end && *p != ',' && *p != '}' && *p != ' ' && *p != ']') p++;
  return p;
}

/* Finds "key" followed by optional spaces and a colon; returns the start of its value. */
static const char *find_key(const char *line, const char *end, const char *key) {
  size_t k = strlen(key);
  const char *p = line;
  while ((p = memmem(p, (size_t) (end - p), key, k)) != NULL) {
    const char *q = p + k;
    while (q < end && *q == ' ') q++;
    if (q < end && *q == ':') {
      q++;
      while (q < end && *q == ' ') q++;
      return q;
    }
    p += k;
  }
  return NULL;
}

static void respond_head(const char *id, const char *id_end) {
  out_str("{\"jsonrpc\":\"2.0\",\"id\":");
  out_put(id, (size_t) (id_end - id));
  out_str(",\"result\":");
}

static void handle(const char *line, const char *end) {
  const char *method = find_key(line, end, "\"method\"");
  const char *id = find_key(line, end, "\"id\"");
  if (!method || !id || *id == 'n') {
    return; /* a notification, or a response: nothing to answer */
  }
  const char *id_end = value_end(id, end);
  const char *m_end = value_end(method, end);
  size_t m_len = (size_t) (m_end - method);
#define IS(name) (m_len == sizeof(name) - 1 && memcmp(method, name, m_len) == 0)
  if (IS("\"tools/call\"") && memmem(line, (size_t) (end - line), "\"name\":\"big\"", 12) != NULL) {
    const char *bytes = find_key(line, end, "\"bytes\"");
    size_t count = bytes ? (size_t) strtoull(bytes, NULL, 10) : 0;
    respond_head(id, id_end);
    out_str("{\"content\":[{\"type\":\"text\",\"text\":\"");
    size_t at = out_len;
    out_put("", 0);
    while (out_len + count > out_cap) out_cap = out_cap ? out_cap * 2 : 65536;
    out = realloc(out, out_cap);
    if (!out) exit(1);
    memset(out + at, 'x', count);
    out_len += count;
    out_str("\"}]}}\n");
  } else if (IS("\"tools/call\"")) {
    const char *msg = find_key(line, end, "\"message\"");
    respond_head(id, id_end);
    out_str("{\"content\":[{\"type\":\"text\",\"text\":");
    if (msg && *msg == '"') {
      out_put(msg, (size_t) (value_end(msg, end) - msg));
    } else {
      out_str("\"\"");
    }
    out_str("}]}}\n");
  } else if (IS("\"initialize\"")) {
    respond_head(id, id_end);
    out_str("{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"tools\":{}},"
            "\"serverInfo\":{\"name\":\"bench-echo\",\"version\":\"1.0.0\"}}}\n");
  } else if (IS("\"tools/list\"")) {
    respond_head(id, id_end);
    out_str("{\"tools\":[{\"name\":\"echo\",\"description\":\"Returns its message.\","
            "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},"
            "\"required\":[\"message\"]}}]}}\n");
  } else if (IS("\"ping\"")) {
    respond_head(id, id_end);
    out_str("{}}\n");
  } else {
    out_str("{\"jsonrpc\":\"2.0\",\"id\":");
    out_put(id, (size_t) (id_end - id));
    out_str(",\"error\":{\"code\":-32601,\"message\":\"method not found\"}}\n");
  }
#undef IS
}

int main(void) {
  size_t cap = 1 << 20, len = 0;
  char *buf = malloc(cap);
  if (!buf) return 1;
  for (;;) {
    if (len == cap) {
      if (cap >= IN_CAP) return 1;
      cap *= 2;
      buf = realloc(buf, cap);
      if (!buf) return 1;
    }
    ssize_t n = read(0, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t) n;
    size_t start = 0;
    for (;;) {
      char *nl = memchr(buf + start, '\n', len - start);
      if (!nl) break;
      handle(buf + start, nl);
      start = (size_t) (nl - buf) + 1;
    }
    memmove(buf, buf + start, len - start);
    len -= start;
    out_flush();
  }
  out_flush();
  return 0;
}
