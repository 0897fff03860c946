"""An action's derived domain: re-exported from the schema engine (`actions/schema/domain.py`)."""

from actions.schema.domain import detect_schema_format, domain_from_data, domain_from_schema, domain_from_server_url

__all__ = ["detect_schema_format", "domain_from_data", "domain_from_schema", "domain_from_server_url"]
