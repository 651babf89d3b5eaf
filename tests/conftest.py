"""Fixtures of the end-to-end suite: a real Odoo server, reached over HTTP.

`tools/test` installs every addon with demo data, starts Odoo on that database and
runs `pytest tests` with these variables set:

    TELECOM_E2E_URL        http://127.0.0.1:<port> of the running Odoo
    TELECOM_E2E_DB         its database
    TELECOM_E2E_DB_USER    PostgreSQL role, host and port of that database
    TELECOM_E2E_DB_HOST
    TELECOM_E2E_DB_PORT
    TELECOM_E2E_LOGIN      optional, default "admin" (the demo database's admin)
    TELECOM_E2E_PASSWORD   optional, default "admin"

Without TELECOM_E2E_URL every test here is skipped: run them through tools/test.
Tests marked `no_odoo` (e.g. test_simulator.py, which starts its own simulator)
need no Odoo and always run.
"""

import itertools
import os

import pytest
import requests

E2E_URL = os.environ.get("TELECOM_E2E_URL", "").rstrip("/")
SKIP_REASON = (
    "end-to-end tests need a running Odoo: run them with tools/test "
    "(or set TELECOM_E2E_URL and TELECOM_E2E_DB yourself)"
)
TIMEOUT = 60  # seconds, for every HTTP call


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "no_odoo: needs no Odoo server, runs without TELECOM_E2E_URL"
    )


def pytest_collection_modifyitems(config, items):
    if E2E_URL:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if not item.get_closest_marker("no_odoo"):
            item.add_marker(skip)


def pytest_report_header(config):
    return f"Odoo under test: {E2E_URL or '(none: TELECOM_E2E_URL unset)'}"


class OdooRPCError(Exception):
    """An error answered by Odoo's JSON-RPC endpoint (message and server data)."""

    def __init__(self, error):
        data = error.get("data") or {}
        super().__init__(data.get("message") or error.get("message"))
        self.error = error
        self.name = data.get("name")  # e.g. "odoo.exceptions.AccessError"


class OdooRPC:
    """A tiny JSON-RPC client for /jsonrpc (services `common` and `object`).

    rpc = OdooRPC(url, db, "admin", "admin")
    rpc("res.partner", "search_read", [[("is_company", "=", True)]], fields=["name"])
    """

    def __init__(self, url, db, login, password):
        self.url = url
        self.db = db
        self.login = login
        self.password = password
        self.session = requests.Session()
        self._ids = itertools.count(1)
        self.uid = self.call("common", "login", db, login, password)
        if not self.uid:
            raise OdooRPCError({"message": f"login {login!r} refused on {db!r}"})

    def call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": next(self._ids),
        }
        response = self.session.post(
            f"{self.url}/jsonrpc", json=payload, timeout=TIMEOUT
        )
        response.raise_for_status()
        answer = response.json()
        if answer.get("error"):
            raise OdooRPCError(answer["error"])
        return answer["result"]

    def __call__(self, model, method, *args, **kwargs):
        """execute_kw(model, method, args, kwargs) as the logged-in user."""
        return self.call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )


@pytest.fixture(scope="session")
def odoo_url():
    """Base URL of the Odoo under test, without trailing slash."""
    if not E2E_URL:
        pytest.skip(SKIP_REASON)
    return E2E_URL


@pytest.fixture(scope="session")
def odoo_db():
    """Name of the database the Odoo under test serves."""
    db = os.environ.get("TELECOM_E2E_DB")
    if not db:
        pytest.skip(SKIP_REASON)
    return db


@pytest.fixture(scope="session")
def rpc(odoo_url, odoo_db):
    """JSON-RPC client logged in as the demo admin: rpc(model, method, *args, **kw)."""
    return OdooRPC(
        odoo_url,
        odoo_db,
        os.environ.get("TELECOM_E2E_LOGIN", "admin"),
        os.environ.get("TELECOM_E2E_PASSWORD", "admin"),
    )


@pytest.fixture
def http(odoo_url):
    """A fresh requests.Session (anonymous) for pages and controllers."""
    with requests.Session() as session:
        yield session
