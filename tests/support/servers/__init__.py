"""The project's own MCP servers for tests, written with the mcp SDK (run as separate processes)."""
