#!/usr/bin/env python3
"""Build each addon's README.rst from its readme/*.md fragments, OCA style.

    python3 tools/gen_readme.py            # every addon under addons/
    python3 tools/gen_readme.py --check    # fail when a README.rst is out of date

Fragments (Markdown): DESCRIPTION, CONFIGURE, USAGE, ROADMAP, CONTRIBUTORS, CREDITS
(each optional except DESCRIPTION). Markdown is converted with pypandoc-binary.
"""

import argparse
import ast
import io
import re
import sys
from pathlib import Path

import docutils.core
import pypandoc

SECTIONS = [
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
]
ROOT = Path(__file__).resolve().parent.parent


def to_rst(markdown):
    """Markdown to RST; the fragment's headings become sub-sections (``-``)."""
    levels = [
        len(line) - len(line.lstrip("#"))
        for line in markdown.splitlines()
        if re.match(r"#+ ", line)
    ]
    shift = 2 - min(levels) if levels else 0
    return pypandoc.convert_text(
        markdown,
        "rst",
        format="gfm",
        extra_args=["--wrap=none", f"--shift-heading-level-by={shift}"],
    )


def rst_problems(text):
    """docutils warnings and errors of ``text`` (Odoo renders README.rst)."""
    stream = io.StringIO()
    docutils.core.publish_doctree(
        text,
        settings_overrides={"warning_stream": stream, "report_level": 2},
    )
    return stream.getvalue().strip()


def render(addon_dir):
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text())
    readme = addon_dir / "readme"
    name = manifest["name"]
    lines = [
        "=" * len(name),
        name,
        "=" * len(name),
        "",
        ".. |license| image:: https://img.shields.io/badge/licence-"
        f"{manifest['license'].replace('-', '--')}-blue.png",
        f"    :alt: License: {manifest['license']}",
        "",
        "|license|",
        "",
        to_rst((readme / "DESCRIPTION.md").read_text()).strip(),
        "",
        "**Table of contents**",
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for fragment, title in SECTIONS:
        path = readme / f"{fragment}.md"
        if path.exists():
            lines += [title, "=" * len(title), "", to_rst(path.read_text()).strip(), ""]
    lines += ["Credits", "=======", "", "Authors", "-------", ""]
    lines += [f"* {author.strip()}" for author in manifest["author"].split(",")]
    lines += [""]
    contributors = readme / "CONTRIBUTORS.md"
    if contributors.exists():
        contributors_rst = to_rst(contributors.read_text()).strip()
        lines += ["Contributors", "------------", "", contributors_rst, ""]
    lines += [
        "Maintainers",
        "-----------",
        "",
        f"This module is part of the Telecom CRM suite: {manifest['website']}",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if a README is out of date"
    )
    parser.add_argument("addons", nargs="*", help="addon directories (default: all)")
    args = parser.parse_args()
    addon_dirs = [Path(a) for a in args.addons] or sorted(
        path.parent.parent for path in (ROOT / "addons").glob("*/readme/DESCRIPTION.md")
    )
    stale = []
    for addon_dir in addon_dirs:
        if not (addon_dir / "readme" / "DESCRIPTION.md").exists():
            stale.append(f"{addon_dir}/readme/DESCRIPTION.md is missing")
            continue
        content = render(addon_dir)
        problems = rst_problems(content)
        if problems:
            stale.append(f"{addon_dir}/README.rst is not valid RST:\n{problems}")
            continue
        target = addon_dir / "README.rst"
        if target.exists() and target.read_text() == content:
            continue
        if args.check:
            stale.append(str(target))
        else:
            target.write_text(content)
            print(f"wrote {target}")
    if stale:
        print("out of date (run tools/gen_readme.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
