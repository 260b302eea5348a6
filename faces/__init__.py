"""Faces that put talkrag in other tools' types: LlamaIndex components and the MCP server.

Each module imports its own framework (llama_index, mcp) and is imported only by its users,
never by the layers below or by this package's __init__.
"""
