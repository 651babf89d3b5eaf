#!/usr/bin/env python3
"""Pseudonymised export of the telecom event feed, from the command line.

    TELECOM_PSEUDONYM_SECRET=... python3 tools/analytics_export.py \\
        -c odoo.conf -d telecom --output /var/lib/telecom-export

Writes the events not exported yet as JSON lines files (one per batch, named
by the offset of its first event in the feed) for the head-office/cloud
analytics database, without names, documents, phone numbers, e-mails or
addresses, subscribers and records as stable pseudonyms (a keyed HMAC whose
secret comes from TELECOM_PSEUDONYM_SECRET or the telecom_pseudonym_secret
option of odoo.conf, never from the database). One transaction per batch: a
run killed or failing at any point resumes at the first batch not committed,
rewriting its file, without gap or duplicate (telecom.analytics.export in
addons/telecom_subscriber). The cron "Telecom: pseudonymised export of the
event feed" does the same inside Odoo.

Options: -c/--config FILE (odoo.conf), -d/--database NAME, --addons-path,
--db_host/--db_port/--db_user/--db_password/--db_sslmode (as Odoo's),
--output DIR (default: TELECOM_ANALYTICS_EXPORT_DIR or the
telecom_analytics_export_dir option), --batch-size N (1000), --max-batches N
(0: until the feed is exhausted), --replay (export the whole feed again from
its first event: the files of DIR are rewritten from offset 0).

Exit status: 0 done, 2 bad configuration.
"""

import argparse
import logging
import sys

ODOO_OPTIONS = (
    "config",
    "database",
    "addons_path",
    "db_host",
    "db_port",
    "db_user",
    "db_password",
    "db_sslmode",
)

_logger = logging.getLogger("telecom.analytics_export")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Pseudonymised export of the telecom event feed."
    )
    parser.add_argument("-c", "--config")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path", dest="addons_path")
    for option in ("db_host", "db_port", "db_user", "db_password", "db_sslmode"):
        parser.add_argument(f"--{option}")
    parser.add_argument("--output")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--max-batches", type=int, default=0)
    parser.add_argument("--replay", action="store_true")
    return parser.parse_args(argv)


def odoo_arguments(arguments):
    """Odoo's own command-line options among ``arguments``."""
    options = []
    for name in ODOO_OPTIONS:
        value = getattr(arguments, name)
        if value:
            options.append(f"--{name.replace('addons_path', 'addons-path')}={value}")
    return options


def run(arguments):
    import odoo  # noqa: PLC0415 - after the arguments: --help needs no Odoo
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.exceptions import UserError  # noqa: PLC0415

    odoo.tools.config.parse_config(odoo_arguments(arguments))
    registry = odoo.modules.registry.Registry(arguments.database)
    exported = batches = 0
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Export = env["telecom.analytics.export"]
            Export._get_pseudonymiser()  # fails early without a secret
            writer = Export._get_writer(arguments.output)
            if arguments.replay:
                Export._get_consumer().action_reset_position()
        while not arguments.max_batches or batches < arguments.max_batches:
            # one transaction per batch: its file and its position together
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                Export = env["telecom.analytics.export"]
                count = Export._export_batch(
                    Export._get_consumer(), writer, limit=arguments.batch_size
                )
            exported += count
            batches += 1
            if count < arguments.batch_size:
                break
    except UserError as error:
        _logger.error("%s", error.args[0])
        return 2
    _logger.info("%s events exported to %s", exported, writer.directory)
    return 0


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    return run(parse_arguments(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
