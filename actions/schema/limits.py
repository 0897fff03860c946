"""The limits the schema engine checks: ChatGPT's numbers for action schemas, and GPT Studio's own
caps on the schema text it reads. The rest of ChatGPT's numbers (GPT fields) are in
`gptstudio/limits.py`, which re-exports these, so there is one limits module to read and each number
is written once. Each limit carries the source key and confidence from ../shared/GPT_EDITOR.md
(see `gptstudio/limits.py` for what the confidences mean).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    value: int
    source: str
    confidence: str
    description: str

    def __int__(self) -> int:
        return self.value


# --- Action schemas (GPT_EDITOR.md §3) -------------------------------------------------------------
ACTION_OPERATIONS_MAX = Limit(30, "[COMM] 586484; many [DEV] repos", "likely", "operations per action schema")
ACTION_OPERATION_DESCRIPTION_MAX_LENGTH = Limit(
    300, "[PROD]; [GS]", "confirmed", "characters in an operation summary or description"
)
ACTION_PARAMETER_DESCRIPTION_MAX_LENGTH = Limit(
    700, "[PROD]; [GS]", "confirmed", "characters in a parameter description"
)
ACTION_SCHEMA_MAX_BYTES = Limit(1_000_000, "webcodex PR #461 (reported once)", "unconfirmed", "bytes of schema text")
ACTION_FILES_PER_REQUEST_MAX = Limit(10, "[GS] sending files", "confirmed", "files in openaiFileIdRefs")
ACTION_FILES_PER_RESPONSE_MAX = Limit(10, "[GS]; [RN]", "confirmed", "files in openaiFileResponse")
ACTION_TIMEOUT_SECONDS = Limit(45, "[PROD]", "confirmed", "seconds per action call round trip")
ACTION_PAYLOAD_MAX_CHARACTERS = Limit(100_000, "[PROD]", "confirmed", "characters per request or response payload")

# --- GPT Studio's own caps on schema text (not ChatGPT's) -------------------------------------
# Schema text accepted for inspection; big real specs (GitHub's is 13 MB) must still be readable.
STUDIO_SCHEMA_HARD_MAX_BYTES = 20 * 1024 * 1024
# Nesting (objects and arrays, the root at depth 1) refused as "excessive": real OpenAPI documents need
# a few dozen levels (GitHub's 13 MB spec needs 25). Kept well below the parsers' own limits (libyaml
# refuses block nesting from 1,000 levels, orjson JSON beyond 1,024) so that GPT Studio's check, with
# its message and position, decides for JSON and YAML alike.
STUDIO_SCHEMA_MAX_DEPTH = 500
# Extra nodes YAML aliases may add beyond the text's own (a "billion laughs" adds billions).
STUDIO_YAML_ALIAS_EXPANSION_MAX = 100_000
# Integers as large as GPT Studio reads: at most 4,000 decimal digits, so that every integer of the
# data can be written out again (Python's str() and int() refuse past 4,300 digits) and converting
# one stays cheap. A larger one keeps its text, in JSON and YAML alike.
MAX_INT_DIGITS = 4_000
