"""Ruff's TID251 keeps HTTP clients out of every module but gptstudio/fetcher.py (pyproject.toml)."""

import importlib.util
import re
import subprocess
import sys
import tomllib

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
    # httpx's own transport layers, installed with it: a way round the httpx ban.
    "import httpcore",
    "from httpcore import ConnectionPool",
    "import h11",
    "from h11 import Connection",
    "import pycurl",
    # The standard library's other HTTP client, and copies of the banned clients under other names.
    "from xmlrpc.client import ServerProxy",
    "import xmlrpc\nxmlrpc.client.ServerProxy('https://example.com')",
    "from six.moves.urllib.request import urlopen",
    "from six.moves import http_client",
    "from pip._vendor import requests",
    "from pip._vendor.urllib3 import PoolManager",
    "from kombu.asynchronous.http import get_client",
    "import urllib\nurllib.request.urlopen('https://example.com')",
]

# HTTP client libraries that are or could be installed here (directly or as a dependency); each one
# that is installed must be banned. Playwright (browser tests) and schemathesis (API tests) can send HTTP
# too, but only as test tools, and are not importable as a plain client.
HTTP_CLIENT_PACKAGES = ["httpx", "httpcore", "h11", "requests", "urllib3", "aiohttp", "pycurl", "treq", "tornado"]


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


def banned_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"])


def test_every_installed_http_client_is_banned():
    installed = {package for package in HTTP_CLIENT_PACKAGES if importlib.util.find_spec(package) is not None}
    assert {"httpx", "httpcore", "h11", "requests", "urllib3"} <= installed  # what this environment has
    assert installed - banned_modules() == set()


def test_no_module_imports_an_http_client_by_name_at_run_time():
    # Ruff sees import statements only; a module name given to import_module() would slip past it.
    dynamic = re.compile(r"""(?:import_module|__import__)\(\s*["']([\w.]+)["']""")
    found = []
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or path.name == "fetcher.py":
            continue
        for name in dynamic.findall(path.read_text(encoding="utf-8")):
            if any(name == banned or name.startswith(banned + ".") for banned in banned_modules()):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []
