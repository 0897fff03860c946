"""Fixtures shared by the gpts tests."""

from tests.gpts.mcp_support import hosted, mock_api  # noqa: F401  (the hosted MCP endpoint's fixtures)
