"""A private Python environment for the tools: var/venv, with Odoo 18.0 when asked.

    python3 tools/lib/odoo_env.py venv VENV        a plain venv (lint tools only)
    python3 tools/lib/odoo_env.py odoo VENV        a venv in which `import odoo` works

Used by tools/test and tools/run when `python3 -c "import odoo"` fails, and by
tools/lint when python3 may not be changed with pip (Debian's "externally managed"
system Python). The system Python is never modified: everything goes into VENV.

Where Odoo comes from (`odoo` sub-command):
  ODOO_SOURCE=<dir>        an Odoo 18.0 source tree (the directory holding odoo/ and
                           requirements.txt), used in place and never written to
  ODOO_SOURCE=<file>       a source tarball (.tar.gz, .tgz, .tar.xz, .zip), unpacked
                           into var/odoo-src/
  ODOO_SOURCE=<http URL>   a source tarball to download into var/downloads/
  unset                    Odoo's official nightly source tarball, NIGHTLY_URL below

The venv gets Odoo's own requirements.txt (with the fixes that modern Pythons need,
see FIXES), the source tree on its sys.path (a .pth file), a minimal `odoo`
distribution record so that pip resolves the OCA wheels' dependency on Odoo, and
a `bin/odoo` command.

Consent: interactively the plan is shown and confirmed. Without a terminal (CI=true,
no standard input) the setup proceeds on its own only when ODOO_SOURCE is set or
TELECOM_SETUP_ODOO=1; otherwise it stops with the explanation (exit status 2).

Only the standard library is used: it runs on a bare Python.
"""

import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import venv
import zipfile
from pathlib import Path

ODOO_SERIES = "18.0"
NIGHTLY_URL = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
REPO_ROOT = Path(__file__).resolve().parents[2]
VAR = REPO_ROOT / "var"
# Odoo 18.0's requirements.txt pins releases that no longer build or run on the
# Python versions it otherwise accepts:
#   cbor2 5.4.2          no wheel for 3.11+, its sdist fails to build: 5.6.2
#   python-ldap          needs the OpenLDAP headers; only auth_ldap uses it: skipped
#   zope.interface/event gevent pulls the newest ones, which break the pkg_resources
#                        check of Odoo's console script: 6.4 and 5.0
#   setuptools < 70      the old sdists (psycopg2, vobject...) are built with it, in
#                        the venv (--no-build-isolation)
FIXES = {"cbor2==5.4.2": "cbor2==5.6.2"}
SKIPPED = {"python-ldap"}
CONSTRAINTS = ["zope.interface==6.4", "zope.event==5.0"]
BUILD_TOOLS = ["setuptools<70", "wheel"]


def say(message):
    print(f"[odoo-env] {message}", flush=True)


class SetupError(Exception):
    """A step failed; the message says what to do."""


# --------------------------------------------------------------------------- venv


def venv_python(venv_dir):
    return Path(venv_dir) / "bin" / "python"


def sysconfig_path(python, name):
    """sysconfig.get_paths()[NAME] of the interpreter PYTHON."""
    code = f"import sysconfig; print(sysconfig.get_paths()[{name!r}])"
    return Path(subprocess.check_output([str(python), "-c", code], text=True).strip())


def ensure_venv(venv_dir):
    """Creates VENV with pip (from the Python running this script) when missing."""
    python = venv_python(venv_dir)
    if python.exists():
        return python
    say(f"creating the private Python environment {venv_dir} (python3 -m venv)")
    try:
        venv.EnvBuilder(with_pip=True, symlinks=True).create(str(venv_dir))
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(venv_dir, ignore_errors=True)
        if apt_install("python3-venv"):
            venv.EnvBuilder(with_pip=True, symlinks=True).create(str(venv_dir))
        else:
            raise SetupError(
                f"cannot create a venv ({exc}): install python3-venv "
                "(apt-get install python3-venv)"
            ) from exc
    return python


def pip(python, *args):
    command = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    command += ["-q", *args]
    if subprocess.call(command) != 0:
        raise SetupError(f"pip install failed: {' '.join(args)}")


def apt_install(*packages):
    """apt-get install PACKAGES when root with apt-get; False otherwise."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    say(f"installing {' '.join(packages)} (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.call(["apt-get", "update", "-qq"], env=env, **quiet)
    return (
        subprocess.call(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
            env=env,
            **quiet,
        )
        == 0
    )


# ------------------------------------------------------------------------- source


def odoo_version(root):
    """The series ("18.0") of the Odoo source tree ROOT, read without importing it."""
    text = (root / "odoo" / "release.py").read_text(encoding="utf-8")
    # version_info = (18, 0, 0, FINAL, 0, ''): the first two items are numbers
    found = re.search(r"^version_info\s*=\s*\(\s*(\d+)\s*,\s*(\d+)", text, re.MULTILINE)
    if not found:
        raise SetupError(f"cannot read the version of {root}/odoo/release.py")
    return f"{found.group(1)}.{found.group(2)}"


def find_source_root(path):
    """The directory holding odoo/release.py: PATH or one directory below it."""
    for candidate in [path, *sorted(p for p in path.iterdir() if p.is_dir())]:
        if (candidate / "odoo" / "release.py").is_file():
            return candidate
    raise SetupError(f"no Odoo source tree (odoo/release.py) in {path}")


def download(url):
    target = VAR / "downloads" / url.rsplit("/", 1)[-1]
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        say(f"using the tarball downloaded before: {target}")
        return target
    say(f"downloading {url}\n           to {target} (about 150 MB)")
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            with partial.open("wb") as out:
                shutil.copyfileobj(answer, out, 1 << 20)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise SetupError(
            f"cannot download {url}: {exc}\n  download an Odoo 18.0 source tarball "
            "yourself and set ODOO_SOURCE=<file or directory>"
        ) from exc
    partial.rename(target)
    return target


def unpack(archive):
    """Unpacks ARCHIVE into var/odoo-src/<name>/ once; returns the source root."""
    name = re.sub(r"\.(tar\.gz|tgz|tar\.xz|tar\.bz2|tar|zip)$", "", archive.name)
    target = VAR / "odoo-src" / name
    marker = target / ".unpacked"
    if not marker.exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        say(f"unpacking {archive} into {target}")
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(target)
        else:
            with tarfile.open(archive) as bundle:
                if hasattr(tarfile, "data_filter"):
                    bundle.extractall(target, filter="data")
                else:  # Python < 3.10.12: members are checked by hand
                    for member in bundle.getmembers():
                        resolved = (target / member.name).resolve()
                        if not str(resolved).startswith(str(target.resolve())):
                            raise SetupError(f"unsafe path in {archive}: {member.name}")
                    bundle.extractall(target)  # noqa: S202 (checked above)
        marker.touch()
    return find_source_root(target)


def resolve_source(spec):
    """The root of the Odoo source tree that ODOO_SOURCE (or the default) names."""
    if re.match(r"^https?://", spec):
        return unpack(download(spec))
    path = Path(spec).expanduser().resolve()
    if path.is_dir():
        return find_source_root(path)
    if path.is_file():
        return unpack(path)
    raise SetupError(f"ODOO_SOURCE={spec}: no such directory or file")


# ---------------------------------------------------------------- requirements


def odoo_requirements(root, target):
    """Writes Odoo's requirements with FIXES applied; returns the file."""
    lines = []
    for raw in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name = re.split(r"[\s=<>!~;\[]", line, maxsplit=1)[0].lower()
        if name in SKIPPED:
            continue
        requirement, _sep, marker = line.partition(";")
        requirement = FIXES.get(requirement.strip(), requirement.strip())
        lines.append(requirement + (f" ; {marker.strip()}" if marker else ""))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def ensure_build_dependencies(python):
    """psycopg2 is built from source: pg_config (libpq-dev), a C compiler, Python.h."""
    include = sysconfig_path(python, "include")
    missing = []
    if not shutil.which("pg_config"):
        missing.append("libpq-dev")
    if not (shutil.which("gcc") or shutil.which("cc")):
        missing.append("gcc")
    if not Path(include, "Python.h").exists():
        missing.append("python3-dev")
    if missing and not apt_install(*missing):
        raise SetupError(
            "building psycopg2 needs " + ", ".join(missing) + " (Debian names): "
            "install them, or run as root where apt-get can"
        )


def link_odoo(python, root, series):
    """Puts ROOT on the venv's sys.path and records an `odoo` distribution."""
    packages = sysconfig_path(python, "purelib")
    (packages / "telecom-odoo-source.pth").write_text(f"{root}\n", encoding="utf-8")
    info = packages / f"odoo-{series}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: odoo\nVersion: {series}\n"
        f"Summary: Odoo Server, source tree {root} (linked by tools/lib/odoo_env.py)\n",
        encoding="utf-8",
    )
    (info / "INSTALLER").write_text("telecom-tools\n", encoding="utf-8")
    (info / "RECORD").write_text(
        f"odoo-{series}.dist-info/METADATA,,\n"
        f"odoo-{series}.dist-info/INSTALLER,,\n"
        f"odoo-{series}.dist-info/RECORD,,\n"
        "telecom-odoo-source.pth,,\n",
        encoding="utf-8",
    )
    command = python.parent / "odoo"
    command.write_text(
        f"#!{python}\n"
        "# Odoo's command (as setup/odoo of the source), from tools/lib/odoo_env.py\n"
        "__import__('os').environ['TZ'] = 'UTC'\n"
        "import odoo\n\n"
        "if __name__ == '__main__':\n"
        "    odoo.cli.main()\n",
        encoding="utf-8",
    )
    command.chmod(0o755)


def odoo_importable(python):
    code = "import odoo.release; print(odoo.release.major_version)"
    try:
        out = subprocess.run(
            [str(python), "-c", code],
            capture_output=True,
            text=True,
            cwd="/",
            check=False,
        )
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() == ODOO_SERIES


# -------------------------------------------------------------------- consent


def interactive():
    return sys.stdin.isatty() and os.environ.get("CI", "").lower() not in (
        "1",
        "true",
        "yes",
    )


def plan_text(venv_dir, spec):
    if not spec:
        origin = (
            f"download Odoo's official nightly source tarball\n      {NIGHTLY_URL}\n"
            f"      into {VAR / 'downloads'}/ (about 150 MB) and unpack it into "
            f"{VAR / 'odoo-src'}/"
        )
    elif re.match(r"^https?://", spec):
        origin = f"download {spec} into {VAR / 'downloads'}/ and unpack it"
    elif Path(spec).is_dir():
        origin = f"use the Odoo source tree {spec} in place (read only)"
    else:
        origin = f"unpack the tarball {spec} into {VAR / 'odoo-src'}/"
    return (
        f"Odoo {ODOO_SERIES} is not importable by {sys.executable}.\n"
        "The tools can set up a private environment for this repository:\n"
        f"  1. create the venv {venv_dir} (your system Python stays untouched);\n"
        f"  2. {origin};\n"
        "  3. pip install Odoo's requirements.txt into the venv from PyPI (about\n"
        "     300 MB; psycopg2 is compiled, which needs libpq-dev, installed with\n"
        "     apt-get when running as root); then the tools use the venv.\n"
        "Other sources: ODOO_SOURCE=<Odoo 18.0 source directory, tarball or URL>."
    )


def consent(venv_dir, spec):
    print(plan_text(venv_dir, spec), flush=True)
    if interactive():
        try:
            answer = input("Set up this environment now? [y/N] ")
        except EOFError:
            answer = ""
        return answer.strip().lower() in ("y", "yes")
    if spec or os.environ.get("TELECOM_SETUP_ODOO") == "1":
        say("no terminal: proceeding (ODOO_SOURCE or TELECOM_SETUP_ODOO=1 is set)")
        return True
    print(
        "No terminal to ask (CI or no standard input), and neither ODOO_SOURCE nor\n"
        "TELECOM_SETUP_ODOO=1 is set: nothing was installed. Either make Odoo 18.0\n"
        "importable by python3, or set ODOO_SOURCE to an Odoo 18.0 source directory\n"
        "or tarball, or set TELECOM_SETUP_ODOO=1 to download the nightly tarball.",
        file=sys.stderr,
    )
    return False


# ----------------------------------------------------------------------- main


def setup_odoo(venv_dir):
    venv_dir = Path(venv_dir).resolve()
    python = venv_python(venv_dir)
    if python.exists() and odoo_importable(python):
        return 0
    spec = os.environ.get("ODOO_SOURCE", "").strip()
    if not consent(venv_dir, spec):
        return 2
    root = resolve_source(spec or NIGHTLY_URL)
    series = odoo_version(root)
    if series != ODOO_SERIES:
        raise SetupError(f"{root} holds Odoo {series}, not {ODOO_SERIES}")
    say(f"Odoo {series} source: {root}")
    python = ensure_venv(venv_dir)
    pip(python, "--upgrade", "pip")
    pip(python, *BUILD_TOOLS)
    ensure_build_dependencies(python)
    requirements = odoo_requirements(root, venv_dir / "odoo-requirements.txt")
    constraints = venv_dir / "odoo-constraints.txt"
    constraints.write_text("\n".join(CONSTRAINTS) + "\n", encoding="utf-8")
    say(f"installing Odoo's requirements into {venv_dir} (a few minutes)")
    pip(
        python,
        "--no-build-isolation",
        "-r",
        str(requirements),
        "-c",
        str(constraints),
        *BUILD_TOOLS,
        *CONSTRAINTS,
    )
    link_odoo(python, root, series)
    if not odoo_importable(python):
        raise SetupError(f"Odoo is still not importable by {python}")
    say(f"ready: Odoo {series} in {venv_dir} (the tools use it from now on)")
    return 0


def setup_venv(venv_dir):
    python = ensure_venv(Path(venv_dir).resolve())
    return 0 if python.exists() else 1


def main(argv):
    if len(argv) != 2 or argv[0] not in ("venv", "odoo"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if argv[0] == "venv":
            return setup_venv(argv[1])
        return setup_odoo(argv[1])
    except SetupError as exc:
        print(f"[odoo-env] ERROR: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
