"""Export targets (see base.py for the registry and the interface every target implements)."""

from . import chatgpt, document  # noqa: F401  (importing a target module registers it, in this order)

# isort: split
from . import agent_plugin, agent_skill, openai_tools  # noqa: F401  (the bridge targets, after the ChatGPT ones)

# isort: split
from . import mcp_server  # noqa: F401  (last: the registry's order is the API's and the Export menu's)
from .base import (
    EXPORTERS,
    Export,
    Exporter,
    ExportRefused,
    ExportSource,
    KnowledgeItem,
    UnknownTarget,
    export_source,
    get_exporter,
    gpt_export,
    register,
)

__all__ = [
    "EXPORTERS",
    "Export",
    "ExportRefused",
    "ExportSource",
    "Exporter",
    "KnowledgeItem",
    "UnknownTarget",
    "export_source",
    "get_exporter",
    "gpt_export",
    "register",
]
