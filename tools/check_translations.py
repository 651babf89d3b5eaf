#!/usr/bin/env python3
"""Check that each addon's Russian translation is complete.

    python3 tools/check_translations.py addons/telecom_subscriber [...]

For every addon: i18n/<addon>.pot and i18n/ru.po exist, every msgid of the .pot is
in ru.po, and no entry of ru.po is untranslated or fuzzy. Regenerate the .pot with
Odoo (`odoo ... --i18n-export=addons/<addon>/i18n/<addon>.pot --modules=<addon>`)
when strings change, then translate what is new.
"""

import sys
from pathlib import Path

import polib


def problems_of(addon_dir):
    name = addon_dir.name
    pot_path = addon_dir / "i18n" / f"{name}.pot"
    po_path = addon_dir / "i18n" / "ru.po"
    for path in (pot_path, po_path):
        if not path.exists():
            yield f"{path} is missing"
    if not (pot_path.exists() and po_path.exists()):
        return
    po = polib.pofile(str(po_path))
    translated = {entry.msgid for entry in po if entry.msgstr and not entry.fuzzy}
    for entry in polib.pofile(str(pot_path)):
        if entry.msgid not in translated:
            yield f"{po_path}: not translated: {entry.msgid[:70]!r}"


def main(addon_dirs):
    problems = [
        problem for addon_dir in addon_dirs for problem in problems_of(Path(addon_dir))
    ]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
