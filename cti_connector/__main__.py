"""python3 -m cti_connector — the telephony connector of telecom_cti.

Keeps one Asterisk Manager Interface connection per exchange (``telecom.pbx`` in
Odoo), pushes the call events to Odoo and sends the click-to-calls Odoo queued.
Settings come from the environment (or the options of the same name):

    CTI_ODOO_URL       Odoo's URL (default http://127.0.0.1:8069)
    CTI_TOKENS         comma-separated tokens, one per exchange (the "Connector
                       Token" of each telecom.pbx); the exchange's host, port,
                       user and the NAME of its secret variable come from Odoo
    <secret variable>  the AMI secret of each exchange, e.g. TELECOM_AMI_SECRET
    CTI_AMI_HOST       host of every exchange instead of Odoo's (containers)
    CTI_AMI_PORT       port of every exchange instead of Odoo's
    CTI_POLL_SECONDS   how often queued click-to-calls are fetched (default 1)
    CTI_BATCH_SIZE     events per request to Odoo at most (default 200)
    CTI_BACKOFF_MAX    longest wait between two reconnections (default 60 s)
    CTI_LOG_LEVEL      default INFO
"""

import argparse
import asyncio
import logging
import os
import signal
import sys

from .link import PbxLink
from .odoo_api import OdooApi


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python3 -m cti_connector", description="AMI ⇄ Odoo telephony connector"
    )
    parser.add_argument(
        "--odoo-url", default=env("CTI_ODOO_URL", "http://127.0.0.1:8069")
    )
    parser.add_argument("--tokens", default=env("CTI_TOKENS", ""))
    parser.add_argument("--ami-host", default=env("CTI_AMI_HOST", ""))
    parser.add_argument("--ami-port", default=env("CTI_AMI_PORT", ""))
    parser.add_argument(
        "--poll-seconds", type=float, default=float(env("CTI_POLL_SECONDS", "1"))
    )
    parser.add_argument(
        "--batch-size", type=int, default=int(env("CTI_BATCH_SIZE", "200"))
    )
    parser.add_argument(
        "--linger-seconds", type=float, default=float(env("CTI_LINGER_SECONDS", "0.05"))
    )
    parser.add_argument(
        "--backoff-min", type=float, default=float(env("CTI_BACKOFF_MIN", "1"))
    )
    parser.add_argument(
        "--backoff-max", type=float, default=float(env("CTI_BACKOFF_MAX", "60"))
    )
    parser.add_argument(
        "--ping-seconds", type=int, default=int(env("CTI_PING_SECONDS", "20"))
    )
    parser.add_argument(
        "--action-timeout", type=float, default=float(env("CTI_ACTION_TIMEOUT", "10"))
    )
    parser.add_argument(
        "--timeout", type=float, default=float(env("CTI_TIMEOUT", "15"))
    )
    parser.add_argument("--log-level", default=env("CTI_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    args.tokens = [token.strip() for token in args.tokens.split(",") if token.strip()]
    return args


async def run(settings):
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    odoo = OdooApi(settings.odoo_url, settings.timeout)
    links = [PbxLink(odoo, token, settings) for token in settings.tokens]
    await asyncio.gather(*(link.run(stopping) for link in links))


def main(argv=None):
    settings = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not settings.tokens:
        logging.getLogger("cti_connector").error(
            "no exchange: set CTI_TOKENS (the Connector Token of each telecom.pbx)"
        )
        return 2
    asyncio.run(run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
