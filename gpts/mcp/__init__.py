"""GPT Studio serving each GPT's actions as an MCP server (`/mcp/<workspace>/<gpt>/`)."""
