"""The repository's own tools (tools/lint, tools/test, tools/lib): no Odoo needed."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.no_odoo


def _load(name):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "tools" / "lib" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


helpers = _load("helpers")
odoo_env = _load("odoo_env")


def _manifest(addons, name, **values):
    (addons / name).mkdir(parents=True)
    (addons / name / "__manifest__.py").write_text(repr({"name": name, **values}))


# ------------------------------------------------------------------- tools/lint
def test_lint_installs_every_package_its_checks_use():
    """A new machine runs tools/lint before tools/test: every package the lint
    scripts import (and Pygments, which docutils needs for code blocks in the
    README check) is installed by tools/lint itself, from requirements-test.txt."""
    lint = (ROOT / "tools" / "lint").read_text()
    installed = set(re.search(r"LINT_PACKAGES='([^']+)'", lint)[1].split("|"))
    requirements = {
        re.split(r"[=<>!~ ;]", line, maxsplit=1)[0]
        for line in (ROOT / "requirements-test.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert installed <= requirements
    package_of = {
        "docutils": "docutils",
        "pypandoc": "pypandoc-binary",
        "polib": "polib",
    }
    for script in ("gen_readme.py", "check_translations.py"):
        source = (ROOT / "tools" / script).read_text()
        for module in re.findall(r"^(?:import|from) (\w+)", source, re.MULTILINE):
            if module in package_of:
                assert package_of[module] in installed, (script, module)
    assert "Pygments" in installed


# -------------------------------------------------------------- addon discovery
def test_installable_addons_and_what_each_installs_alone(tmp_path):
    _manifest(tmp_path, "a", depends=["mail"])
    _manifest(tmp_path, "b", depends=["a", "queue_job"])
    _manifest(tmp_path, "c", depends=["a"])
    _manifest(tmp_path, "bridge", depends=["b", "c"], auto_install=True)
    _manifest(tmp_path, "old", depends=["a"], installable=False)
    (tmp_path / "not_an_addon").mkdir()

    assert helpers.installable_addons(str(tmp_path)) == ["a", "b", "bridge", "c"]
    assert helpers.addon_closure(str(tmp_path), "a") == ["a"]
    assert helpers.addon_closure(str(tmp_path), "b") == ["a", "b"]
    # the bridge comes with the last of its dependencies
    assert helpers.addon_closure(str(tmp_path), "bridge") == ["a", "b", "bridge", "c"]


# ------------------------------------------------------------ template databases
def test_templates_hold_only_dependencies_of_what_each_stage_installs(tmp_path):
    core, repo = tmp_path / "core", tmp_path / "repo"
    _manifest(core, "base")
    _manifest(core, "mail", depends=["base"])
    _manifest(core, "sms", depends=["mail"])
    _manifest(core, "portal", depends=["mail"])
    _manifest(core, "queue_job", depends=["base"])
    _manifest(core, "helpdesk", depends=["portal"])
    _manifest(repo, "sub", depends=["portal"])
    _manifest(repo, "sla", depends=["sub", "sms", "helpdesk"])
    _manifest(repo, "bss", depends=["sub", "queue_job"])
    _manifest(repo, "smpp", depends=["sms"])
    _manifest(repo, "bridge", depends=["sla", "bss"], auto_install=True)
    manifests = helpers.all_manifests([str(repo), str(core)])
    addons = helpers.installable_addons(str(repo))
    alone = ["sub", "sla", "bss", "smpp", "bridge"]
    templates, stages = helpers.db_plan(manifests, addons, alone, True, ["helpdesk"])

    parent = {name: above for name, above, _request in templates}
    request = {name: modules for name, _above, modules in templates}

    def content(name):
        if name is None:
            return set()
        names = helpers.dependency_names(manifests, request[name])
        return set(names) | content(parent[name])

    for (kind, addon), template in stages.items():
        installs = [addon] if kind == "alone" else addons
        allowed = helpers.dependency_names(manifests, installs) - set(installs)
        assert content(template) <= allowed, (kind, addon)
    # the together stage's tests run at install: no repo addon in its template,
    # nor the modules whose tests it selects by name
    assert not content(stages[("together", None)]) & {*addons, "helpdesk"}
    # every template kept serves two stages or templates at least
    for name in parent:
        users = list(parent.values()) + list(stages.values())
        assert users.count(name) >= 2, name
    # sub is installed once for the stages that need it, not by each of them
    assert any(modules == ["sub"] for modules in request.values())
    assert "sub" in content(stages[("alone", "bss")])


# ----------------------------------------------------------------- Odoo test log
def test_skipped_tests_are_listed_with_their_reason(tmp_path):
    log = tmp_path / "odoo.log"
    prefix = "2026-12-07 10:00:00,000 42 INFO db odoo.addons.x.tests.test_y: "
    log.write_text(
        prefix + "skipped setUpClass (x.tests.test_y.TestSim) : "
        "billing simulator not configured: set TELECOM_SIMULATOR_DIR\n"
        + prefix
        + "skipped test_tour (x.tests.test_y.TestTour) : "
        "Chrome not found\n"
        "2026-12-07 10:00:01,000 42 INFO db odoo.tests.result: "
        "0 failed, 0 error(s) of 5 tests when loading database 'db'\n"
    )
    values, skips, browser_skips, _crashes, _errors = helpers.parse_odoo_log(log)
    assert values["ODOO_TESTS_SKIPPED"] == 2
    assert values["ODOO_BROWSER_SKIPS"] == 1
    assert skips == [
        "setUpClass (x.tests.test_y.TestSim): "
        "billing simulator not configured: set TELECOM_SIMULATOR_DIR"
    ]
    assert len(browser_skips) == 1


def test_idle_browser_connections_dropped_by_odoo_are_no_errors(tmp_path):
    log = tmp_path / "odoo.log"
    log.write_text(
        "2026-12-07 16:45:58,013 42 ERROR ? werkzeug: 127.0.0.1 - - [07/Dec/2026 "
        "16:45:58] Request timed out: TimeoutError('timed out') - - -\n"
        "2026-12-07 16:45:59,000 42 ERROR db odoo.addons.x.models.y: boom\n"
        "2026-12-07 16:46:00,000 42 INFO db odoo.tests.result: "
        "0 failed, 0 error(s) of 1 tests when loading database 'db'\n"
    )
    values, _skips, _browser, _crashes, errors = helpers.parse_odoo_log(log)
    assert values["ODOO_LOG_ERRORS"] == 1
    assert errors == ["odoo.addons.x.models.y: boom"]


# --------------------------------------------------------- private environment
def test_odoo_requirements_get_the_fixes_modern_pythons_need(tmp_path):
    (tmp_path / "requirements.txt").write_text(
        "cbor2==5.4.2 ; python_version < '3.12'\n"
        "cbor2==5.6.2 ; python_version >= '3.12'\n"
        "python-ldap==3.4.0 ; sys_platform != 'win32' and python_version < '3.12'\n"
        "# a comment\n"
        "psycopg2==2.9.5 ; python_version == '3.11'  # (Bookworm)\n"
        "pytz  # no version pinning\n"
    )
    written = odoo_env.odoo_requirements(tmp_path, tmp_path / "out.txt")
    assert written.read_text().splitlines() == [
        "cbor2==5.6.2 ; python_version < '3.12'",
        "cbor2==5.6.2 ; python_version >= '3.12'",
        "psycopg2==2.9.5 ; python_version == '3.11'",
        "pytz",
    ]
    assert "zope.interface==6.4" in odoo_env.CONSTRAINTS
    assert "zope.event==5.0" in odoo_env.CONSTRAINTS


def test_odoo_source_is_found_and_checked_without_importing_it(tmp_path):
    root = tmp_path / "odoo-18.0.post20261206"
    (root / "odoo").mkdir(parents=True)
    (root / "odoo" / "release.py").write_text(
        "version_info = (18, 0, 0, FINAL, 0, '')\n"
    )
    assert odoo_env.find_source_root(tmp_path) == root
    assert odoo_env.odoo_version(root) == "18.0"
    with pytest.raises(odoo_env.SetupError):
        odoo_env.find_source_root(tmp_path / "odoo-18.0.post20261206" / "odoo")


def test_without_a_terminal_nothing_is_installed_unless_asked(monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("ODOO_SOURCE", raising=False)
    monkeypatch.delenv("TELECOM_SETUP_ODOO", raising=False)
    assert not odoo_env.consent(Path("/nonexistent/venv"), "")
    out = capsys.readouterr()
    assert odoo_env.NIGHTLY_URL in out.out  # says what it would download
    assert "ODOO_SOURCE" in out.err
    assert odoo_env.consent(Path("/nonexistent/venv"), "/some/odoo-18.0")
