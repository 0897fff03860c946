"""Ruff's TID251 keeps HTTP clients out of every module but gptstudio/fetcher.py (pyproject.toml)."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

BANNED_IMPORTS = [
    "import httpx",
    "from httpx import Client",
    "import requests",
    "from requests.sessions import Session",
    "import urllib.request",
    "from urllib.request import urlopen",
    "import http.client",
    "from http.client import HTTPSConnection",
    "import urllib3",
    "import aiohttp",
]


def ruff_check(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("statement", BANNED_IMPORTS)
def test_ruff_refuses_an_http_client_import_in_a_temporary_file(tmp_path, statement):
    module = tmp_path / "sneaky.py"
    module.write_text(f"{statement}\n")
    result = ruff_check("--config", str(ROOT / "pyproject.toml"), "--select", "TID251", str(module))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "TID251" in result.stdout
    assert "Use gptstudio.fetcher" in result.stdout


@pytest.mark.parametrize(
    ("filename", "banned"),
    [
        ("gptstudio/fetcher.py", False),
        ("gptstudio/other.py", True),
        ("actions/imports.py", True),
        ("gpts/services.py", True),
        ("tests/gptstudio/test_fetcher.py", True),
    ],
)
def test_only_the_fetcher_module_may_import_httpx(filename, banned):
    result = ruff_check("--select", "TID251", "--stdin-filename", filename, "-", stdin="import httpx\n")
    assert ("TID251" in result.stdout) is banned, result.stdout + result.stderr


def test_the_code_base_imports_no_http_client_outside_the_fetcher():
    result = ruff_check("--select", "TID251", ".")
    assert result.returncode == 0, result.stdout
