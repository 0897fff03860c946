"""Every ChatGPT number GPT Studio checks, in one place.

Each limit carries the source key and confidence from ../shared/GPT_EDITOR.md, so a change on
OpenAI's side is a one-line edit here, and the rules page can say where a number comes from.
Confidence: "confirmed" (OpenAI doc or client code), "likely" (several third-party sources),
"unconfirmed" (a single claim). Rules resting on an unconfirmed limit report at most a warning.
"""

from actions.schema.limits import (  # noqa: F401  (the schema engine's limits, re-exported: one limits module)
    ACTION_FILES_PER_REQUEST_MAX,
    ACTION_FILES_PER_RESPONSE_MAX,
    ACTION_OPERATION_DESCRIPTION_MAX_LENGTH,
    ACTION_OPERATIONS_MAX,
    ACTION_PARAMETER_DESCRIPTION_MAX_LENGTH,
    ACTION_PAYLOAD_MAX_CHARACTERS,
    ACTION_SCHEMA_MAX_BYTES,
    ACTION_TIMEOUT_SECONDS,
    STUDIO_SCHEMA_HARD_MAX_BYTES,
    STUDIO_SCHEMA_MAX_DEPTH,
    STUDIO_YAML_ALIAS_EXPANSION_MAX,
    Limit,
)

# --- GPT fields (GPT_EDITOR.md §1) ---------------------------------------------------------------
GPT_NAME_MAX_LENGTH = Limit(50, "[BUNDLE] _app.js module 99392", "confirmed", "characters in a GPT name")
GPT_DESCRIPTION_MAX_LENGTH = Limit(300, "[BUNDLE] _app.js module 99392", "confirmed", "characters in a GPT description")
GPT_INSTRUCTIONS_MAX_LENGTH = Limit(
    8000, "[BUNDLE] _app.js; re-measured Aug 2026 [DEV]", "confirmed", "characters in GPT instructions"
)
GPT_CONVERSATION_STARTERS_MAX = Limit(12, "[BUNDLE] 874.js", "confirmed", "conversation starters the editor holds")
GPT_CONVERSATION_STARTERS_SHOWN = Limit(4, "[BUNDLE] _app.js", "confirmed", "starters shown on the About page")
GPT_KNOWLEDGE_FILES_MAX = Limit(20, "[H-CFG] via third-party guides", "likely", "knowledge files per GPT")
GPT_KNOWLEDGE_FILE_MAX_BYTES = Limit(536_870_912, "[H-FILE]; [BUNDLE] _app.js", "confirmed", "bytes per knowledge file")
GPT_KNOWLEDGE_SPREADSHEET_MAX_BYTES = Limit(50 * 1024 * 1024, "[H-FILE]", "confirmed", "bytes per spreadsheet (about)")
GPT_KNOWLEDGE_IMAGE_MAX_BYTES = Limit(20 * 1024 * 1024, "[H-FILE]", "confirmed", "bytes per image file")
GPT_PROFILE_PICTURE_SIZE = Limit(512, "[BUNDLE] _app.js", "confirmed", "pixels per side of the square profile picture")
GPT_ACTIONS_MAX = Limit(10, "[BUNDLE] _app.js (L5 = 10)", "confirmed", "actions per GPT")
# The sharing settings that make a GPT public (GPT_EDITOR.md §1.2 [H-ACT], [H-PUB]): publishing with
# one needs a privacy policy URL on every action (and, for the Store, a category).
PUBLIC_VISIBILITIES = ("link", "gpt_store")

# --- GPT Studio's own caps (not ChatGPT's) ------------------------------------------------------
# One draft policy for the studio, the API and the admin: a GPT's fields longer than ChatGPT's
# limits are kept as a draft (with an error finding, e.g. gpt.name.too_long) up to these caps,
# which are only what the database holds; past them the save is refused.
STUDIO_NAME_HARD_MAX_LENGTH = 500
STUDIO_DESCRIPTION_HARD_MAX_LENGTH = 3000
STUDIO_INSTRUCTIONS_HARD_MAX_LENGTH = 100_000
# Largest schema text checked or saved inside a web request; larger ones go to a Celery job (a
# "heavy" job: 202 + the job), so no request holds a web worker for more than tens of
# milliseconds (benchmarks/heavy_input.py). Real action schemas are far smaller: the gpt_actions
# corpus (51 published schemas) has a median of 2.4 KB and a largest of 57 KB. Operators can change
# it with SCHEMA_SYNC_MAX_BYTES.
STUDIO_SCHEMA_SYNC_MAX_BYTES = 128 * 1024
# Heavy schema jobs (checks and saves of schemas over the synchronous cap) one user may have
# pending or running at once; one more is refused with 429. Setting: HEAVY_JOBS_PER_USER.
STUDIO_HEAVY_JOBS_PER_USER = 2
# ChatGPT documents no cap on a conversation starter's or an OAuth scope's length; these are GPT Studio's.
STUDIO_STARTER_MAX_LENGTH = 1000
STUDIO_OAUTH_SCOPE_MAX_LENGTH = 1000
# Profile pictures: ChatGPT scales every upload down to 512x512 itself (GPT_PROFILE_PICTURE_SIZE), so
# anything far larger only costs storage and decoding time. Four times that per side, and 4 MiB (a
# 2048x2048 PNG of a logo is well under; a photo should be a JPEG or WebP).
STUDIO_PROFILE_PICTURE_MAX_SIDE = 2048
STUDIO_PROFILE_PICTURE_MAX_BYTES = 4 * 1024 * 1024


def chatgpt_length(text: str) -> int:
    """A text's length as ChatGPT's editor counts it against these limits: JavaScript's
    `string.length`, i.e. UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# --- GPT Studio's caps on imported bundles (zip safety; not ChatGPT's numbers) -----------------
# A bundle holds 4 files, 2 per action and the knowledge files: far below this.
STUDIO_BUNDLE_MAX_ENTRIES = 100
# Uncompressed total of a bundle; ChatGPT's own caps (20 files x 512 MB) would allow 10 GB.
STUDIO_BUNDLE_MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
# Expansion ratio above which an entry is treated as a zip bomb (only for entries over 1 MiB:
# tiny files have meaningless ratios). Real text compresses 3-10x, logs maybe 20-50x.
STUDIO_BUNDLE_MAX_RATIO = 200
STUDIO_BUNDLE_RATIO_MIN_BYTES = 1024 * 1024
