"""The MassGen config: document, models, validation, migration, export and presets."""

from massgen_tui.config.document import AgentEntry, ConfigDocument, load_document
from massgen_tui.config.errors import ConfigError

__all__ = ["AgentEntry", "ConfigDocument", "ConfigError", "load_document"]
