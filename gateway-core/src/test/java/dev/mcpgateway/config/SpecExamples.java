package dev.mcpgateway.config;

import java.util.Map;

/**
 * The example configurations of the MCP gateway specification (gh-aw), version 1.17, by the
 * section they appear in, as the specification gives them.
 */
final class SpecExamples {
  private SpecExamples() {}

  static final Map<String, String> BY_SECTION = Map.ofEntries(
      Map.entry("A.1", """
          {
            "mcpServers": {
              "example": {
                "container": "ghcr.io/example/mcp-server:latest",
                "entrypointArgs": ["--verbose"],
                "env": {
                  "API_KEY": "${MY_API_KEY}"
                }
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "agentId": "gateway-secret-token"
            }
          }
          """),
      Map.entry("A.2", """
          {
            "mcpServers": {
              "data-server": {
                "container": "ghcr.io/example/data-mcp:latest",
                "entrypoint": "/custom/entrypoint.sh",
                "entrypointArgs": ["--config", "/app/config.json"],
                "mounts": [
                  "/host/data:/container/data:ro",
                  "/host/config:/container/config:rw"
                ],
                "type": "stdio"
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "agentId": "gateway-secret-token"
            }
          }
          """),
      Map.entry("A.3", """
          {
            "mcpServers": {
              "local-server": {
                "container": "ghcr.io/example/python-mcp:latest",
                "entrypointArgs": ["--config", "/app/config.json"],
                "type": "stdio",
                "tools": ["read_file", "write_file", "list_directory"]
              },
              "remote-server": {
                "type": "http",
                "url": "https://api.example.com/mcp",
                "headers": {
                  "Authorization": "Bearer ${API_TOKEN}"
                },
                "tools": ["*"]
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "startupTimeout": 60,
              "toolTimeout": 120
            }
          }
          """),
      Map.entry("A.4", """
          {
            "mcpServers": {
              "github": {
                "container": "ghcr.io/github/github-mcp-server:latest",
                "env": {
                  "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"
                }
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost"
            }
          }
          """),
      Map.entry("A.5", """
          {
            "mcpServers": {
              "markitdown": {
                "registry": "https://api.mcp.github.com/v0/servers/microsoft/markitdown",
                "container": "node:lts-alpine",
                "entrypointArgs": ["npx", "-y", "@microsoft/markitdown"],
                "type": "stdio"
              },
              "filesystem": {
                "registry": "https://api.mcp.github.com/v0/servers/modelcontextprotocol/filesystem",
                "container": "node:lts-alpine",
                "entrypointArgs": ["npx", "-y", "@modelcontextprotocol/server-filesystem"],
                "type": "stdio"
              },
              "custom-api": {
                "registry": "https://registry.example.com/servers/custom-api/v1",
                "type": "http",
                "url": "https://api.example.com/mcp",
                "headers": {
                  "Authorization": "Bearer ${API_TOKEN}"
                }
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "agentId": "gateway-secret-token"
            }
          }
          """),
      Map.entry("A.6", """
          {
            "mcpServers": {
              "github": {
                "container": "ghcr.io/github/github-mcp-server:latest",
                "env": {
                  "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"
                }
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "agentId": "${MCP_GATEWAY_AGENT_ID}",
              "opentelemetry": {
                "endpoint": "https://collector.example.com:4318/v1/traces",
                "serviceName": "my-workflow-gateway"
              }
            }
          }
          """),
      Map.entry("A.7", """
          {
            "mcpServers": {
              "github": {
                "container": "ghcr.io/github/github-mcp-server:latest",
                "env": {
                  "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"
                }
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "agentId": "${MCP_GATEWAY_AGENT_ID}",
              "opentelemetry": {
                "endpoint": "https://collector.example.com:4318/v1/traces",
                "traceId": "${PARENT_TRACE_ID}",
                "spanId": "${PARENT_SPAN_ID}",
                "serviceName": "my-workflow-gateway"
              }
            }
          }
          """),
      Map.entry("A.8", """
          {
            "mcpServers": {
              "github": {
                "container": "ghcr.io/github/github-mcp-server:latest",
                "env": {
                  "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"
                }
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "agentIds": ["primary-agent", "enclave-agent"]
            }
          }
          """),
      Map.entry("4.1.4", """
          {
            "mcpServers": {
              "my-custom-server": {
                "type": "safeinputs",
                "tools": {
                  "greet": {
                    "description": "Greet user",
                    "script": "return { message: 'Hello!' };"
                  }
                }
              }
            },
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "agentId": "secret"
            },
            "customSchemas": {
              "safeinputs": "https://docs.github.com/gh-aw/schemas/mcp-scripts-config.schema.json"
            }
          }
          """),
      Map.entry("4.1.5", """
          {
            "mcpServers": {
              "data-processor": {
                "container": "ghcr.io/example/data-mcp:latest",
                "type": "stdio",
                "mounts": [
                  "/var/data/input:/app/input:ro",
                  "/var/data/output:/app/output:rw",
                  "/etc/config/app.json:/app/config.json:ro"
                ]
              }
            }
          }
          """),
      Map.entry("4.1.3.4", """
          {
            "gateway": {
              "port": 8080,
              "domain": "localhost",
              "agentId": "${MCP_GATEWAY_AGENT_ID}",
              "trustedBots": [
                "github-actions[bot]",
                "copilot-swe-agent[bot]"
              ],
              "keepaliveInterval": 300,
              "sessionTimeout": "4h",
              "forcePublicRepos": false
            },
            "mcpServers": {}
          }
          """),
      Map.entry("7.6.1", """
          {
            "mcpServers": {
              "my-mcp-server": {
                "type": "http",
                "url": "https://my-server.example.com/mcp",
                "headers": {
                  "X-Custom-Header": "custom-value"
                },
                "auth": {
                  "type": "github-oidc",
                  "audience": "https://my-server.example.com"
                }
              }
            }
          }
          """));
}
