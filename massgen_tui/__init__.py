"""massgen-tui: a terminal studio for MassGen configs, Docker code execution and MCP tool safety."""

__version__ = "0.1.0"
