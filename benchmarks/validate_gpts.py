"""Dashboard cost of GPT validation: `validate_gpts` on many GPTs, with and without the schema cache.

Builds GPT-shaped objects in memory (no database: this measures validation, not queries; the query
count of `validate_gpts` is fixed and tested), each with a few real action schemas from the corpus,
then times: every schema validated afresh (`use_cache=False`), the first cached call (cold cache:
validates and stores), and later calls (warm cache: one `get_many` for all schema reports).
Prints JSON lines. The cache is Django's default: local memory, or Redis when REDIS_URL is set.

Usage: python benchmarks/validate_gpts.py [--gpts N] [--actions-per-gpt N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gptstudio.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from validate import median_ms  # noqa: E402 (benchmarks/validate.py, next to this script)

from gpts.validation import validate_gpts  # noqa: E402

ACTION_SCHEMAS = ROOT / "tests" / "data" / "corpus" / "gpt_actions"


class Related(list):
    def all(self):
        return self


def make_gpts(count: int, per_gpt: int) -> list:
    texts = [p.read_text(encoding="utf-8") for p in sorted(ACTION_SCHEMAS.iterdir())]
    gpts = []
    for index in range(count):
        actions = Related(
            SimpleNamespace(
                pk=index * per_gpt + n,
                name=f"Action {n}",
                domain="",
                # Distinct GPTs mostly reuse the same schemas, as teams do; vary them across the corpus.
                schema_text=texts[(index + n) % len(texts)],
                privacy_policy_url="https://example.com/privacy",
                auth_type="none",
                api_key_auth_type="",
                api_key_custom_header="",
                oauth_authorization_url="",
                oauth_token_url="",
            )
            for n in range(per_gpt)
        )
        gpts.append(
            SimpleNamespace(
                pk=index,
                name=f"GPT {index}",
                description="",
                instructions="x" * 2000,
                visibility="link",
                category="",
                profile_picture=SimpleNamespace(name=""),
                conversation_starters=Related(SimpleNamespace(text=f"s{i}") for i in range(4)),
                knowledge_files=Related(),
                actions=actions,
            )
        )
    return gpts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpts", type=int, default=200)
    parser.add_argument("--actions-per-gpt", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    gpts = make_gpts(args.gpts, args.actions_per_gpt)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    uncached = median_ms(lambda: validate_gpts(gpts, use_cache=False), args.runs)
    cache.clear()
    started = time.perf_counter()
    validate_gpts(gpts)
    cold = round((time.perf_counter() - started) * 1000, 2)
    warm = median_ms(lambda: validate_gpts(gpts), args.runs)
    print(
        json.dumps(
            {
                "case": "validate_gpts",
                "cache_backend": backend,
                "gpts": args.gpts,
                "actions": args.gpts * args.actions_per_gpt,
                "distinct_schemas": len({a.schema_text for g in gpts for a in g.actions}),
                "uncached_ms": uncached,
                "cold_cache_ms": cold,
                "warm_cache_ms": warm,
                "warm_per_gpt_ms": round(warm / args.gpts, 3),
                "speedup_warm_vs_uncached": round(uncached / warm, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
