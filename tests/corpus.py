"""The committed copy of the shared corpus (tests/data/corpus): names, texts and manifest facts."""

import gzip
import re
from functools import cache
from pathlib import Path

CORPUS_DIR = Path(__file__).parent / "data" / "corpus"


def corpus_files(group: str) -> list[str]:
    """File names (without .gz) in `gpt_actions` or `large`, sorted."""
    return sorted(p.name.removesuffix(".gz") for p in (CORPUS_DIR / group).iterdir())


@cache
def corpus_bytes(group: str, name: str) -> bytes:
    path = CORPUS_DIR / group / name
    if path.exists():
        return path.read_bytes()
    return gzip.decompress((CORPUS_DIR / group / f"{name}.gz").read_bytes())


def corpus_text(group: str, name: str) -> str:
    return corpus_bytes(group, name).decode("utf-8")


@cache
def manifest_rows() -> dict[str, dict]:
    """file name → {"ops": int | None, "sha256": 16 hex digits} from the manifest tables."""
    rows = {}
    for line in (CORPUS_DIR / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 8 or not cells[0].startswith("`"):
            continue
        sha = next((c.strip("`") for c in cells if re.fullmatch(r"`[0-9a-f]{16}`", c)), None)
        ops = cells[5]
        rows[cells[0].strip("`")] = {"ops": int(ops) if ops.isdigit() else None, "sha256": sha}
    return rows
