"""python3 -m simulator --host 127.0.0.1 --port 8090 [--seed FILE] [--state-file FILE]

Options can also come from the environment (the Docker image uses them):
SIM_HOST, SIM_PORT, SIM_SEED, SIM_STATE_FILE, SIM_TOKENS (comma-separated REST
bearer tokens, default "sim-token"), SIM_SOAP_USER / SIM_SOAP_PASSWORD (HTTP Basic
of the SOAP endpoint, default billing / billing), SIM_SMPP_PORT (the SMSC's SMPP 3.4
port, default 2775, 0: no SMSC), SIM_SMPP_SYSTEM_ID / SIM_SMPP_PASSWORD (its bind
credentials, default telecom / secret), SIM_TELEGRAM_TOKENS (comma-separated bot
tokens of the Telegram Bot API double, default 123456:TEST-TOKEN,123456:DEMO-TOKEN),
SIM_AMI_PORT (the PBX's Asterisk Manager Interface port, default 5038, 0: no PBX),
SIM_AMI_USER / SIM_AMI_SECRET (its login, default telecom / secret), SIM_LOG_LEVEL
(default INFO).
"""

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .ami import Pbx
from .app import Credentials, Simulator
from .errors import ApiError
from .server import serve
from .smsc import Smsc
from .state import BillingState

DEFAULT_SEED = Path(__file__).with_name("seed.json")


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python3 -m simulator", description="Billing/OSS simulator"
    )
    parser.add_argument("--host", default=env("SIM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("SIM_PORT", "8090")))
    parser.add_argument(
        "--seed",
        default=env("SIM_SEED", str(DEFAULT_SEED)),
        help="JSON seed: offers and accounts (default: seed.json of the package)",
    )
    parser.add_argument(
        "--state-file",
        default=env("SIM_STATE_FILE"),
        help="JSON file the state is restored from at start and saved to at stop",
    )
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        help="REST bearer token (repeatable; default: $SIM_TOKENS or sim-token)",
    )
    parser.add_argument("--soap-user", default=env("SIM_SOAP_USER", "billing"))
    parser.add_argument("--soap-password", default=env("SIM_SOAP_PASSWORD", "billing"))
    parser.add_argument(
        "--smpp-port",
        type=int,
        default=int(env("SIM_SMPP_PORT", "2775")),
        help="SMPP 3.4 port of the simulated SMSC (0: no SMSC)",
    )
    parser.add_argument(
        "--smpp-system-id", default=env("SIM_SMPP_SYSTEM_ID", "telecom")
    )
    parser.add_argument("--smpp-password", default=env("SIM_SMPP_PASSWORD", "secret"))
    parser.add_argument(
        "--telegram-token",
        action="append",
        dest="telegram_tokens",
        help="bot token the Telegram Bot API double accepts (repeatable; default: "
        "$SIM_TELEGRAM_TOKENS or 123456:TEST-TOKEN and 123456:DEMO-TOKEN)",
    )
    parser.add_argument(
        "--ami-port",
        type=int,
        default=int(env("SIM_AMI_PORT", "5038")),
        help="Asterisk Manager Interface port of the simulated PBX (0: no PBX)",
    )
    parser.add_argument("--ami-user", default=env("SIM_AMI_USER", "telecom"))
    parser.add_argument("--ami-secret", default=env("SIM_AMI_SECRET", "secret"))
    parser.add_argument("--log-level", default=env("SIM_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    if not args.tokens:
        args.tokens = env("SIM_TOKENS", "sim-token").split(",")
    if not args.telegram_tokens and env("SIM_TELEGRAM_TOKENS"):
        args.telegram_tokens = env("SIM_TELEGRAM_TOKENS").split(",")
    return args


def load_state(seed_path, state_file):
    with open(seed_path, encoding="utf-8") as handle:
        state = BillingState(json.load(handle))
    if state_file and os.path.exists(state_file):
        state.restore(state_file)
        logging.getLogger("simulator").info("state restored from %s", state_file)
    return state


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        state = load_state(args.seed, args.state_file)
    except (OSError, ValueError, ApiError) as error:
        logging.getLogger("simulator").error("cannot load the seed/state: %s", error)
        return 2
    credentials = Credentials(args.tokens, args.soap_user, args.soap_password)
    app = Simulator(state, credentials, telegram_tokens=args.telegram_tokens)
    smsc = None
    if args.smpp_port:
        smsc = Smsc(lambda: app.faults.knobs, args.smpp_system_id, args.smpp_password)
        # a taken SMPP port leaves billing up (logged): the SMSC is an extra
        if smsc.start(args.host, args.smpp_port):
            app.admin.smsc = smsc
        else:
            smsc = None

    pbx = None
    if args.ami_port:
        pbx = Pbx(lambda: app.faults.knobs, args.ami_user, args.ami_secret)
        # a taken AMI port leaves billing up (logged): the PBX is an extra
        if pbx.start(args.host, args.ami_port):
            app.admin.pbx = pbx
        else:
            pbx = None

    def on_stop():
        if smsc:
            smsc.stop()
        if pbx:
            pbx.stop()
        if args.state_file:
            state.save(args.state_file)

    serve(app, args.host, args.port, on_stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
