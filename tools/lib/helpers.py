"""Small helpers for tools/test, tools/run and tools/lint (standard library only).

Each sub-command prints plain lines that the bash scripts read:

    addons DIR                   installable addon names under DIR, one a line
    closure DIR ADDON            addons of DIR that installing ADDON alone installs
                                 (its dependencies, auto-installed bridges), one a line
    db-plan DIR PATHS KEEP TOGETHER ADDON...
                                 which template databases to build and clone from
                                 (see db_plan); PATHS: Odoo's addons path, KEEP:
                                 modules no template of the together stage may hold
    pip-allowed                  exit 0 when pip may install into this python3 (a venv,
                                 or not an "externally managed" system Python)
    core-addons-path             Odoo's own addons directories (its default path)
    odoo-version                 Odoo's major version ("18.0"); fails without Odoo
    missing-requirements FILE..  requirement lines that the installed packages miss
    free-port                    a TCP port free on 127.0.0.1
    odoo-log LOGFILE             counts from an Odoo test log, as KEY=VALUE lines
    junit FILE                   counts from a pytest --junitxml report, KEY=VALUE

Only the standard library is used, so it runs before any requirement is installed.
"""

import ast
import os
import re
import socket
import sys
import xml.etree.ElementTree as ElementTree

# --------------------------------------------------------------------------- addons


def installable_addons(addons_dir):
    """Directories of ADDONS_DIR holding a manifest whose `installable` is not False."""
    return sorted(_manifests(addons_dir))


def _manifests(addons_dir):
    """{name: manifest values} of the installable addons of ADDONS_DIR."""
    manifests = {}
    if not os.path.isdir(addons_dir):
        return manifests
    for name in sorted(os.listdir(addons_dir)):
        manifest = os.path.join(addons_dir, name, "__manifest__.py")
        if not os.path.isfile(manifest):
            continue
        with open(manifest, encoding="utf-8") as handle:
            try:
                values = ast.literal_eval(handle.read())
            except (SyntaxError, ValueError) as exc:
                # A broken manifest is the addon's bug: keep the addon so that the
                # install fails loudly instead of silently testing less.
                print(f"warning: cannot parse {manifest}: {exc}", file=sys.stderr)
                values = {}
        if values.get("installable", True):
            manifests[name] = values
    return manifests


def addon_closure(addons_dir, addon):
    """The addons of ADDONS_DIR that `odoo -i ADDON` installs: ADDON, what it
    depends on (transitively), and the auto_install addons whose dependencies
    are then all present. Addons from elsewhere (Odoo, OCA) count as present."""
    manifests = _manifests(addons_dir)
    installed, todo = set(), [addon]
    while todo:
        name = todo.pop()
        if name in installed or name not in manifests:
            continue
        installed.add(name)
        todo.extend(manifests[name].get("depends", []))
    changed = True
    while changed:
        changed = False
        for name, values in manifests.items():
            depends = [d for d in values.get("depends", []) if d in manifests]
            if (
                name not in installed
                and values.get("auto_install")
                and all(d in installed for d in depends)
            ):
                installed.add(name)
                changed = True
    return sorted(installed)


# ---------------------------------------------------------------- template databases
#
# Installing Odoo's own modules (base, web, mail, product...) with demo data is most
# of the cost of a test database. tools/test installs them once into template
# databases and clones those (CREATE DATABASE ... TEMPLATE) for each stage, as OCA's
# CI installs an addon's dependencies before the addon under test. A template may
# only hold modules the stage's own installation would install anyway: everything a
# template requests is a (transitive) dependency of what the stage installs, so its
# installed set (with the auto-installed modules) is a subset of the stage's, and the
# stage ends with exactly the modules it would have had from an empty database.


def all_manifests(paths):
    """{name: manifest} of every module under PATHS (earlier paths win), plus
    Odoo's own addons namespace (OCA wheels install there)."""
    found = {}
    for path in list(paths) + _odoo_addons_namespace():
        for name, values in _manifests(path).items():
            found.setdefault(name, values)
    return found


def _odoo_addons_namespace():
    """The directories of the odoo.addons namespace: odoo/addons under each entry of
    sys.path (what pkgutil.extend_path gives Odoo), found without importing Odoo."""
    paths = []
    for entry in sys.path:
        candidate = os.path.join(entry or os.getcwd(), "odoo", "addons")
        if os.path.isdir(candidate) and candidate not in paths:
            paths.append(candidate)
    return paths


def _depends(manifests, name):
    if name == "base":
        return []
    return manifests[name].get("depends") or ["base"]


def dependency_names(manifests, request):
    """REQUEST and every module it depends on, transitively (auto-installed
    modules aside); None when one of them is unknown (then no template)."""
    names, todo = set(), list(request)
    while todo:
        name = todo.pop()
        if name in names:
            continue
        if name not in manifests:
            return None
        names.add(name)
        todo.extend(_depends(manifests, name))
    return frozenset(names)


def _maximal(manifests, names):
    """The modules of NAMES that no other module of NAMES depends on: installing
    them installs NAMES."""
    below = set()
    for name in names:
        below |= dependency_names(manifests, _depends(manifests, name))
    return sorted(names - below)


def db_plan(manifests, repo_addons, alone, together, keep_out):
    """Template databases for the stages, as (templates, stages).

    Stages: ("alone", ADDON) for each addon of ALONE (its database gets the
    modules ADDON depends on before ADDON itself) and, when TOGETHER, ("together",
    None): every repo addon; its template holds no repo addon (their tests run at
    install) and nothing that depends on a module of KEEP_OUT (modules whose tests
    the stage selects by name: installed before, they would not be tested).

    templates: [(name, parent, request)] in build order; `parent` is a template
    name or None (empty database); installing REQUEST into a clone of the parent
    makes it. stages: {stage: template name or None}. A template is kept only
    when two or more stages or templates start from it: a single user installs
    its modules itself, from the template's own parent.
    """
    wanted = _stage_dependencies(manifests, repo_addons, alone, together, keep_out)
    ordered = _template_candidates(manifests, repo_addons, wanted.values())
    parent = {}
    for index, names in enumerate(ordered):
        subsets = [other for other in ordered[:index] if other < names]
        parent[names] = max(subsets, key=len) if subsets else None
    start = dict(wanted)
    _drop_single_use(ordered, parent, start)
    kept = [names for names in ordered if names in parent]
    label = {names: f"t{index}" for index, names in enumerate(kept, 1)}
    templates = []
    for names in kept:
        request = names - parent[names] if parent[names] else names
        templates.append(
            (label[names], label.get(parent[names]), _maximal(manifests, request))
        )
    return templates, {stage: label.get(names) for stage, names in start.items()}


def _stage_dependencies(manifests, repo_addons, alone, together, keep_out):
    """{stage: the modules its template may hold} (None: no template)."""
    repo = set(repo_addons)
    wanted = {}
    for addon in alone:
        wanted[("alone", addon)] = dependency_names(
            manifests, _depends(manifests, addon)
        )
    if together:
        external = set()
        for addon in repo:
            external |= {d for d in _depends(manifests, addon) if d not in repo}
        names = frozenset()
        for module in sorted(external):
            deps = dependency_names(manifests, [module])
            if deps is not None and not deps & set(keep_out):
                names |= deps
        wanted[("together", None)] = names or None
    return wanted


def _template_candidates(manifests, repo_addons, wanted):
    """Module sets worth a template, smallest first: what each stage may start
    from, what they all share, and each repo addon two stages or more build on."""
    usable = [names for names in wanted if names]
    candidates = set(usable)
    if len(usable) > 1:
        candidates.add(frozenset.intersection(*usable))
    for addon in sorted(repo_addons):
        if sum(addon in names for names in usable) > 1:
            candidates.add(dependency_names(manifests, [addon]))
    candidates.discard(frozenset())
    return sorted(candidates, key=lambda names: (len(names), sorted(names)))


def _drop_single_use(ordered, parent, start):
    """Drops the templates that fewer than two templates or stages start from;
    their users start from their parent instead (PARENT and START updated)."""
    while True:
        users = {names: 0 for names in parent}
        for names in list(parent.values()) + list(start.values()):
            if names is not None:
                users[names] += 1
        dropped = [names for names in ordered if names in parent and users[names] < 2]
        if not dropped:
            return
        names = dropped[-1]
        for mapping in (parent, start):
            for key, above in mapping.items():
                if above == names:
                    mapping[key] = parent[names]
        del parent[names]


def print_db_plan(args):
    """db-plan DIR PATHS KEEP TOGETHER ADDON...: the plan as lines for tools/test."""
    addons_dir, paths, keep_out, together, alone = (
        args[0],
        args[1],
        args[2],
        args[3],
        args[4:],
    )
    manifests = all_manifests([addons_dir, *[p for p in paths.split(",") if p]])
    templates, stages = db_plan(
        manifests,
        installable_addons(addons_dir),
        alone,
        together == "1",
        [m for m in keep_out.split(",") if m],
    )
    for name, parent, request in templates:
        print(f"template {name} {parent or '-'} {','.join(request)}")
    for (kind, addon), template in stages.items():
        print(f"{kind} {addon or '-'} {template or '-'}")


def pip_allowed():
    """True when pip may install into this interpreter (PEP 668)."""
    import sysconfig  # noqa: PLC0415

    if sys.prefix != sys.base_prefix:
        return True
    marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
    return not os.path.exists(marker)


def core_addons_path():
    """Odoo's default addons_path: <odoo>/addons and <odoo>/../addons when present.

    Passing --addons-path replaces Odoo's default, so the tools append this to
    the repository's addons directory (computed, never hard-coded).
    """
    import odoo  # noqa: PLC0415 (only this sub-command needs Odoo)

    root = os.path.dirname(os.path.abspath(odoo.__file__))
    paths = []
    for candidate in (os.path.join(root, "addons"), os.path.join(root, "..", "addons")):
        candidate = os.path.abspath(candidate)
        if os.path.isdir(candidate):
            paths.append(candidate)
    return paths


# --------------------------------------------------------------------- requirements


def _packaging():
    """`packaging` itself when installed, else the copy vendored inside pip."""
    try:
        from packaging.requirements import Requirement  # noqa: PLC0415
        from packaging.version import Version  # noqa: PLC0415
    except ImportError:  # pragma: no cover - depends on the machine
        from pip._vendor.packaging.requirements import Requirement  # noqa: PLC0415
        from pip._vendor.packaging.version import Version  # noqa: PLC0415
    return Requirement, Version


def missing_requirements(files):
    """Requirement lines from FILES that the current interpreter does not satisfy."""
    from importlib import metadata  # noqa: PLC0415

    requirement_class, version_class = _packaging()
    missing = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for raw in handle:
                line = raw.split("#", 1)[0].strip()
                if not line or line.startswith("-"):
                    continue
                requirement = requirement_class(line)
                if requirement.marker and not requirement.marker.evaluate():
                    continue
                try:
                    installed = metadata.version(requirement.name)
                except metadata.PackageNotFoundError:
                    missing.append(line)
                    continue
                if requirement.specifier and not requirement.specifier.contains(
                    version_class(installed), prereleases=True
                ):
                    missing.append(line)
    return missing


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------- odoo log

# "2025-01-31 10:00:00,123 4242 INFO dbname odoo.modules.loading: message"
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ "
    r"(?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.\-]+): (?P<message>.*)$"
)
SUMMARY = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
SKIP = re.compile(r"^skipped (?P<test>.+?) : (?P<reason>.*)$")
# Reasons with which odoo.tests.common skips a browser test (websocket-client
# missing, no Chrome/Chromium, Chrome not answering on its devtools port...).
BROWSER_SKIP = re.compile(r"chrom|devtools|websocket|headless|browser", re.IGNORECASE)
# Lines that mean the registry or a module could not be loaded at all.
CRASH = re.compile(
    r"Failed to load registry|Couldn't load module|Failed to initialize database"
    r"|Some modules are not loaded|module base cannot be loaded"
    r"|invalid module names, ignored|not installable, skipped"
    r"|Some modules have inconsistent states",
)
# A failing/erroring test is logged by its own module's logger as "FAIL: ..."
# or "ERROR: ..."; those are already in the summary counts.
# Odoo echoes those counts at ERROR level too (odoo.modules.loading).
TEST_RESULT = re.compile(
    r"^(FAIL|ERROR): |^Module \S+: \d+ failures, \d+ errors of \d+ tests"
    r"|^At least one test failed when loading the modules"
)
# In test mode Odoo gives each HTTP connection 5 s to send its request, to drop the
# idle connections Chrome opens ahead ("preconnect"); the standard library logs
# each one it drops at ERROR level, more of them on a busy machine. That is no
# error of the code under test, and a test whose own request is dropped this way
# fails by itself (its page or tour never gets the answer).
IDLE_CONNECTION = re.compile(r"Request timed out: TimeoutError")


def parse_odoo_log(path):
    """Count test results and problems in an Odoo --test-enable log."""
    summary = None
    skipped = 0
    skips = []
    browser_skips = []
    crashes = []
    log_errors = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = LOG_LINE.match(line.rstrip("\n"))
            if not match:
                continue  # traceback or other continuation line
            level, logger, message = match["level"], match["logger"], match["message"]
            found = SUMMARY.search(message)
            if logger == "odoo.tests.result" and found:
                summary = found
                continue
            skip = SKIP.match(message)
            if level == "INFO" and skip:
                skipped += 1
                if BROWSER_SKIP.search(skip["reason"]):
                    browser_skips.append(f"{skip['test']}: {skip['reason']}")
                else:
                    skips.append(f"{skip['test']}: {skip['reason']}")
                continue
            if level == "CRITICAL" or CRASH.search(message):
                crashes.append(f"{logger}: {message}")
                continue
            if logger == "werkzeug" and IDLE_CONNECTION.search(message):
                continue
            if level == "ERROR" and not TEST_RESULT.match(message):
                log_errors.append(f"{logger}: {message}")
    if summary:
        failed, errors, run = (int(summary[k]) for k in ("failed", "errors", "run"))
    else:
        failed = errors = run = 0
    return (
        {
            "ODOO_SUMMARY_FOUND": int(summary is not None),
            "ODOO_TESTS_RUN": run,
            "ODOO_TESTS_FAILED": failed,
            "ODOO_TESTS_ERRORS": errors,
            "ODOO_TESTS_SKIPPED": skipped,
            "ODOO_BROWSER_SKIPS": len(browser_skips),
            "ODOO_CRASH_LINES": len(crashes),
            "ODOO_LOG_ERRORS": len(log_errors),
        },
        skips,
        browser_skips,
        crashes,
        log_errors,
    )


# ---------------------------------------------------------------------------- junit


def parse_junit(path):
    """Totals of a pytest --junitxml report (one or several <testsuite>)."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0))
    return {
        "E2E_TESTS_RUN": totals["tests"],
        "E2E_TESTS_FAILED": totals["failures"] + totals["errors"],
        "E2E_TESTS_SKIPPED": totals["skipped"],
    }


# ----------------------------------------------------------------------------- main


def _print_lines(lines):
    for line in lines:
        print(line)


def _print_values(values):
    for key, value in values.items():
        print(f"{key}={int(value)}")


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    if command == "addons":
        _print_lines(installable_addons(args[0]))
    elif command == "closure":
        _print_lines(addon_closure(args[0], args[1]))
    elif command == "db-plan":
        print_db_plan(args)
    elif command == "pip-allowed":
        return 0 if pip_allowed() else 1
    elif command == "core-addons-path":
        print(",".join(core_addons_path()))
    elif command == "odoo-version":
        import odoo.release  # noqa: PLC0415

        print(odoo.release.major_version)
    elif command == "missing-requirements":
        for line in missing_requirements(args):
            print(line)
    elif command == "free-port":
        print(free_port())
    elif command == "odoo-log":
        values, skips, browser_skips, crashes, log_errors = parse_odoo_log(args[0])
        for title, lines in (
            ("test skipped", skips),
            ("browser test skipped (counted as failed)", browser_skips),
            ("install/load failure", crashes),
            ("ERROR logged outside a test result", log_errors),
        ):
            for line in lines[:20]:
                print(f"  {title}: {line[:300]}", file=sys.stderr)
            if len(lines) > 20:
                print(f"  ... and {len(lines) - 20} more", file=sys.stderr)
        _print_values(values)
    elif command == "junit":
        _print_values(parse_junit(args[0]))
    else:
        print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
