#!/usr/bin/env python3
"""Screenshots of the READMEs of telecom_campaigns and the B2B addons, taken
from a running Odoo.

    # a database with the demo data, served on a port (tools/run does both:
    # TELECOM_DB=telecom TELECOM_HTTP_PORT=8069 tools/run), then:
    python3 tools/screenshots.py --url http://localhost:8069 --db telecom
    python3 tools/screenshots.py --url http://localhost:8069 --db telecom --addon b2b

    # or let the script serve the database itself for the time of the shots
    python3 tools/screenshots.py --db telecom --start --port 8069

Needs the ``playwright`` Python package (PyPI) and a Chromium on the machine
(``--chromium``, default /usr/bin/chromium, Debian's): the script drives that
browser and downloads none.

What it does, as the administrator (``--login`` / ``--password``, admin / admin
on a database made by tools/run):

1. over JSON-RPC: refreshes the subscriber metrics (the daily job, run now),
   creates once the example segment "At risk or high fee, demo zones" (a zone
   condition and a nested "any" group when the segments have groups) and
   refreshes its members;
2. in the browser (1440x900): the segment form with its live size
   (``segment_builder.png``), its breakdown by zone and tariff
   (``segment_breakdown.png``); then the A/B retention campaign of the demo data
   (``telecom_campaigns.telecom_campaign_demo_retention``, launched a month before
   with its outcomes) with its results per variant and control
   (``ab_test.png``) and its funnel (``campaign_funnel.png``).

The images go to ``addons/telecom_campaigns/static/description/`` (``--out``),
which ``readme/USAGE.md`` shows.

``--subscriber-portal`` takes instead a demo subscriber's line and its tariff
change in the portal at phone width, in Russian, as ``portal.ivanov``, into
``addons/telecom_subscriber/static/description/portal_line.png`` and
``portal_tariff_change.png``.

``--b2b-agent-portal`` takes instead the lead list of the agent portal of
``telecom_b2b_partner`` as its demo agent (``agent.svyaz``), into
``addons/telecom_b2b_partner/static/description/agent_portal_leads.png``.

``--b2b-corporate-portal`` takes instead the corporate customer portal of
``telecom_b2b_partner`` as the demo holding's portal administrator
(``portal.sokolova``; with ``telecom_b2b_partner_helpdesk`` for the ticket, SLA
and credit buttons): its *Corporate Account* page, into
``addons/telecom_b2b_partner/static/description/corporate_portal.png``.

``--addon b2b`` (``telecom_b2b_partner`` and its helpdesk bridge installed with
demo data): over JSON-RPC, gives the demo contract of the Stroyinvest group
(``telecom_b2b_partner.telecom_b2b_contract_stroyinvest``) a credit per breach
on its SLA terms and per downtime hour, and records once a resolved 10-hour
mobile outage of its zone this month ("Screenshot outage"); then shoots the
contract form on its SLA terms (``b2b_contract.png``, to
``addons/telecom_b2b_partner/static/description/``) and the contract's credit
statement of this month, computed (``b2b_credit_statement.png``, to
``addons/telecom_b2b_partner_helpdesk/static/description/``).

``--workspaces`` takes the home workspaces of the demo supervisor
(``supervisor.msk``) and NOC agent (``tech.support``) into
``addons/telecom_subscriber/static/description/workspace_*.png``.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT = REPO_ROOT / "addons" / "telecom_campaigns" / "static" / "description"
B2B_OUT = REPO_ROOT / "addons" / "telecom_b2b_partner" / "static" / "description"
B2B_HELPDESK_OUT = (
    REPO_ROOT / "addons" / "telecom_b2b_partner_helpdesk" / "static" / "description"
)
B2B_CONTRACT = "telecom_b2b_partner.telecom_b2b_contract_stroyinvest"
OUTAGE_NAME = "Screenshot outage"
OUTAGE_HOURS = 10
SEGMENT_NAME = "At risk or high fee, demo zones"
VIEWPORT = {"width": 1440, "height": 900}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--url", default=None, help="default: http://localhost:PORT")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--addon", choices=["campaigns", "b2b"], default="campaigns")
    parser.add_argument(
        "--out", default=None, help="default: the addon's static/description"
    )
    parser.add_argument(
        "--start",
        action="store_true",
        help="serve --db with `odoo` on --port while the shots are taken",
    )
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default="odoo")
    parser.add_argument(
        "--b2b-agent-portal",
        action="store_true",
        help="only the agent portal of telecom_b2b_partner: its lead list as the "
        "demo agent agent.svyaz (telecom_b2b_partner/static/description/)",
    )
    parser.add_argument(
        "--b2b-corporate-portal",
        action="store_true",
        help="only the corporate customer portal of telecom_b2b_partner as the demo "
        "administrator portal.sokolova (telecom_b2b_partner/static/description/)",
    )
    parser.add_argument(
        "--subscriber-portal",
        action="store_true",
        help="only the self-service portal of telecom_subscriber at phone width, "
        "in Russian, as the demo subscriber portal.ivanov "
        "(telecom_subscriber/static/description/)",
    )
    parser.add_argument(
        "--workspaces",
        action="store_true",
        help="only the home workspaces of the demo supervisor and NOC agent "
        "(telecom_subscriber/static/description/)",
    )
    args = parser.parse_args()
    args.url = (args.url or f"http://localhost:{args.port}").rstrip("/")
    args.out = args.out or str(OUT if args.addon == "campaigns" else B2B_OUT)
    return args


# ----------------------------------------------------------------------
# server
# ----------------------------------------------------------------------
def start_server(args):
    addons_path = args.addons_path
    if not addons_path:
        from odoo.tools import config

        config.parse_config([])
        addons_path = f"{config['addons_path']},{REPO_ROOT / 'addons'}"
    command = [
        "odoo",
        f"--database={args.db}",
        f"--db-filter=^{args.db}$",
        f"--db_host={args.db_host}",
        f"--db_user={args.db_user}",
        f"--addons-path={addons_path}",
        f"--http-port={args.port}",
        "--max-cron-threads=0",
        "--log-level=warn",
    ]
    server = subprocess.Popen(command)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{args.url}/web/login", timeout=5):
                return server
        except OSError:
            time.sleep(1)
    server.terminate()
    raise SystemExit(f"Odoo did not answer on {args.url} within 120 s")


class Rpc:
    """JSON-RPC as one user (``/jsonrpc``, service ``object``)."""

    def __init__(self, args):
        self.url = f"{args.url}/jsonrpc"
        self.db, self.password = args.db, args.password
        self.uid = self.call("common", "login", args.db, args.login, args.password)
        if not self.uid:
            raise SystemExit(f"login {args.login} refused on {args.db}")

    def call(self, service, method, *params):
        payload = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"service": service, "method": method, "args": params},
            }
        ).encode()
        request = urllib.request.Request(
            self.url, payload, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            answer = json.load(response)
        if answer.get("error"):
            raise SystemExit(json.dumps(answer["error"], indent=1)[:3000])
        return answer["result"]

    def __call__(self, model, method, *params, **kwargs):
        return self.call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(params),
            kwargs,
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        return rows[0]["res_id"] if rows else False


# ----------------------------------------------------------------------
# data
# ----------------------------------------------------------------------
def prepare_data(rpc):
    """Metrics refreshed, the example segment; returns its id and the demo
    A/B campaign's."""
    rpc("ir.cron", "method_direct_trigger", [
        rpc.ref("telecom_campaigns.ir_cron_telecom_metric_refresh")
    ])  # fmt: skip
    segments = rpc("telecom.segment", "search", [("name", "=", SEGMENT_NAME)])
    if segments:
        segment_id = segments[0]
    else:
        segment_id = rpc("telecom.segment", "create", [segment_values(rpc)])[0]
    rpc("telecom.segment", "action_refresh_members", [segment_id])
    campaign_id = rpc.ref("telecom_campaigns.telecom_campaign_demo_retention")
    if not campaign_id:
        raise SystemExit("the demo A/B campaign is missing: a database with demo data")
    return segment_id, campaign_id


def segment_values(rpc):
    zones = rpc("telecom.region", "search", [("parent_id", "=", False)])
    condition = rpc("telecom.segment.condition", "fields_get", ["is_group"])
    risk = {"field_name": "churn_risk", "operator": ">=", "value_number": 10}
    fee = {"field_name": "recurring_fee", "operator": ">=", "value_number": 500}
    services = {
        "field_name": "live_service_count",
        "operator": ">=",
        "value_number": 1,
    }
    lines = [
        (0, 0, {"field_name": "region", "operator": "in", "region_ids": zones}),
        (0, 0, services),
    ]
    if "is_group" in condition:
        children = [(0, 0, risk), (0, 0, fee)]
        lines.append((0, 0, {"is_group": True, "match": "any", "child_ids": children}))
    else:
        lines.append((0, 0, risk))
    return {
        "name": SEGMENT_NAME,
        "match": "all",
        "description": "Subscribers of the demo zones with a live service, "
        "at risk or paying at least 500 a month.",
        "condition_ids": lines,
    }


# ----------------------------------------------------------------------
# browser
# ----------------------------------------------------------------------
def logged_in_page(playwright, args):
    """A page of the web client, logged in as ``args.login``."""
    browser = playwright.chromium.launch(
        executable_path=args.chromium, args=["--no-sandbox"]
    )
    page = browser.new_page(viewport=VIEWPORT)
    # the first visit builds the web client's assets: slow on a busy machine
    page.set_default_timeout(300_000)
    page.goto(f"{args.url}/web/login?db={args.db}")
    page.fill("input[name=login]", args.login)
    page.fill("input[name=password]", args.password)
    page.click("button[type=submit]")
    page.wait_for_selector(".o_main_navbar")
    return browser, page


def shoot(args, segment_id, campaign_id):
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser, page = logged_in_page(playwright, args)

        # the segment builder and its live size ("Matching Now")
        page.goto(
            f"{args.url}/odoo/action-telecom_campaigns.telecom_segment_action/{segment_id}"
        )
        page.wait_for_selector(".o_form_view .o_field_widget[name=preview_count]")
        page.wait_for_selector(
            ".o_form_view .o_field_widget[name=leaf_condition_ids] .o_data_row"
        )
        settle(page)
        page.screenshot(path=str(out / "segment_builder.png"))
        print(out / "segment_builder.png")

        # its breakdown by zone x tariff (pivot of the members)
        page.click("button[name=action_view_breakdown]")
        page.wait_for_selector(".o_pivot table")
        settle(page)
        page.screenshot(path=str(out / "segment_breakdown.png"))
        print(out / "segment_breakdown.png")

        # the launched A/B campaign: results per variant and control (taller:
        # the form scrolls inside the web client, a full-page shot would not)
        page.set_viewport_size({"width": VIEWPORT["width"], "height": 1180})
        page.goto(
            f"{args.url}/odoo/action-telecom_campaigns.telecom_campaign_action/{campaign_id}"
        )
        page.click(".o_notebook .nav-link[name=results]")
        page.wait_for_selector(".o_telecom_campaign_results tbody tr")
        settle(page)
        page.screenshot(path=str(out / "ab_test.png"))
        print(out / "ab_test.png")
        page.set_viewport_size(VIEWPORT)

        # its funnel (offers sent, delivered, accepted, request completed)
        page.click("button[name=action_view_funnel]")
        page.wait_for_selector(".o_graph_renderer canvas")
        settle(page)
        page.screenshot(path=str(out / "campaign_funnel.png"))
        print(out / "campaign_funnel.png")
        browser.close()


def shoot_b2b_agent_portal(args):
    """The demo agent's leads in the portal (``agent_portal_leads.png``)."""
    from playwright.sync_api import sync_playwright

    out = REPO_ROOT / "addons" / "telecom_b2b_partner" / "static" / "description"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(300_000)
        page.goto(f"{args.url}/web/login?db={args.db}")
        page.fill("input[name=login]", "agent.svyaz")
        page.fill("input[name=password]", "agent.svyaz")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_portal_index_card a[href='/my/agent/leads']")
        page.goto(f"{args.url}/my/agent/leads")
        page.wait_for_selector("tr.o_telecom_agent_lead_row")
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "agent_portal_leads.png"))
        print(out / "agent_portal_leads.png")
        browser.close()


# ----------------------------------------------------------------------
# B2B: contract and credit statement
# ----------------------------------------------------------------------
def prepare_b2b(rpc):
    """Credit terms on the demo contract, this month's outage of its zone, its
    statement of this month computed; returns the contract and statement ids."""
    contract_id = rpc.ref(B2B_CONTRACT)
    if not contract_id:
        raise SystemExit(f"{B2B_CONTRACT} is missing: a database with demo data")
    contract = rpc(
        "telecom.b2b.contract", "read", [contract_id], ["sla_ids", "region_id"]
    )[0]
    if "credit_percent" not in rpc("telecom.b2b.contract.sla", "fields_get", []):
        raise SystemExit("telecom_b2b_partner_helpdesk is not installed")
    rpc("telecom.b2b.contract", "write", [contract_id], {
        "credit_downtime_percent": 1.0, "credit_cap_percent": 30.0,
    })  # fmt: skip
    terms = rpc("telecom.b2b.contract.sla", "read", contract["sla_ids"], ["priority"])
    for term in terms:
        credit = {"3": 5.0, "2": 2.0}.get(term["priority"], 1.0)
        rpc(
            "telecom.b2b.contract.sla",
            "write",
            [term["id"]],
            {"credit_percent": credit},
        )
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    month = now.date().replace(day=1)
    outage_start = max(
        now - timedelta(hours=OUTAGE_HOURS), datetime(*month.timetuple()[:3])
    )
    if not rpc("telecom.incident", "search", [("name", "=", OUTAGE_NAME)]):
        incident = rpc("telecom.incident", "create", [{
            "name": OUTAGE_NAME,
            "severity": "major",
            "service_type": "mobile",
            "region_ids": [(6, 0, [contract["region_id"][0]])],
            "date_start": outage_start.strftime("%Y-%m-%d %H:%M:%S"),
            "auto_link": False,
            "notify_email": False,
            "notify_sms": False,
            "resolution": "Base station power restored.",
        }])[0]  # fmt: skip
        rpc("telecom.incident", "action_resolve", [incident])
    statements = rpc("telecom.b2b.credit.statement", "search", [
        ("contract_id", "=", contract_id), ("period_start", "=", month.isoformat()),
    ])  # fmt: skip
    statement_id = (
        statements[0]
        if statements
        else rpc(
            "telecom.b2b.credit.statement",
            "create",
            [
                {
                    "contract_id": contract_id,
                    "period_start": month.isoformat(),
                }
            ],
        )[0]  # fmt: skip
    )
    state = rpc("telecom.b2b.credit.statement", "read", [statement_id], ["state"])
    if state[0]["state"] == "draft":
        rpc("telecom.b2b.credit.statement", "action_compute", [statement_id])
    return contract_id, statement_id


def shoot_b2b(args, contract_id, statement_id):
    from playwright.sync_api import sync_playwright

    contract_out, statement_out = Path(args.out), B2B_HELPDESK_OUT
    for out in (contract_out, statement_out):
        out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser, page = logged_in_page(playwright, args)
        page.set_viewport_size({"width": VIEWPORT["width"], "height": 1080})
        # the contract on its SLA terms
        page.goto(
            f"{args.url}/odoo/action-telecom_b2b_partner.telecom_b2b_contract_action"
            f"/{contract_id}"
        )
        page.click(".o_notebook .nav-link[name=sla]")
        page.wait_for_selector(".o_field_widget[name=sla_ids] .o_data_row")
        settle(page)
        page.screenshot(path=str(contract_out / "b2b_contract.png"))
        print(contract_out / "b2b_contract.png")
        # this month's credit statement
        page.goto(
            f"{args.url}/odoo/action-telecom_b2b_partner_helpdesk."
            f"telecom_b2b_credit_statement_action/{statement_id}"
        )
        page.wait_for_selector(".o_field_widget[name=line_ids] .o_data_row")
        settle(page)
        page.screenshot(path=str(statement_out / "b2b_credit_statement.png"))
        print(statement_out / "b2b_credit_statement.png")
        browser.close()


def shoot_b2b_corporate_portal(args):
    """The demo holding's corporate account, as its portal administrator
    (``corporate_portal.png``)."""
    from playwright.sync_api import sync_playwright

    out = REPO_ROOT / "addons" / "telecom_b2b_partner" / "static" / "description"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(300_000)
        page.goto(f"{args.url}/web/login?db={args.db}")
        page.fill("input[name=login]", "portal.sokolova")
        page.fill("input[name=password]", "portal.sokolova")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_portal_index_card a[href='/my/corporate']")
        page.goto(f"{args.url}/my/corporate")
        page.wait_for_selector(".o_telecom_b2b_site")
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "corporate_portal.png"), full_page=True)
        print(out / "corporate_portal.png")
        browser.close()


def shoot_subscriber_portal(args):
    """A demo subscriber's line and tariff change at phone width, in Russian
    (``portal_line.png``, ``portal_tariff_change.png``)."""
    from playwright.sync_api import sync_playwright

    out = REPO_ROOT / "addons" / "telecom_subscriber" / "static" / "description"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox"]
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        context.add_cookies(
            [{"name": "frontend_lang", "value": "ru_RU", "url": args.url}]
        )
        page = context.new_page()
        page.set_default_timeout(300_000)
        page.goto(f"{args.url}/web/login?db={args.db}")
        page.fill("input[name=login]", "portal.ivanov")
        page.fill("input[name=password]", "portal.ivanov")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_portal_my_home")
        page.goto(f"{args.url}/my/services")
        page.click("a:has-text('+79161697516')")
        page.wait_for_selector("#telecom_self_service")
        page.locator("#telecom_self_service").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "portal_line.png"))
        print(out / "portal_line.png")
        page.click("#telecom_self_service a.o_telecom_action_tariff_change")
        page.wait_for_selector(".o_telecom_tariff_offer")
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "portal_tariff_change.png"))
        print(out / "portal_tariff_change.png")
        browser.close()


def shoot_workspaces(args):
    """The home workspaces of two demo roles, each as its demo user: the
    supervisor's (``workspace_supervisor.png``) and the NOC's
    (``workspace_noc.png``), into telecom_subscriber's static/description."""
    from playwright.sync_api import sync_playwright

    out = REPO_ROOT / "addons" / "telecom_subscriber" / "static" / "description"
    shots = (
        ("supervisor.msk", "workspace_supervisor.png"),
        ("tech.support", "workspace_noc.png"),
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox"]
        )
        for login, name in shots:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.set_default_timeout(300_000)
            page.goto(f"{args.url}/web/login?db={args.db}")
            page.fill("input[name=login]", login)
            page.fill("input[name=password]", login)
            page.click("button[type=submit]")
            # the home of a telecom role is its workspace
            page.wait_for_selector(".o_telecom_workspace .o_telecom_widget_value")
            settle(page)
            page.screenshot(path=str(out / name))
            print(out / name)
            context.close()
        browser.close()


def settle(page):
    """Odoo pages never reach "networkidle": wait for no pending RPC instead."""
    page.wait_for_function(
        "() => !document.querySelector('.o_loading_indicator, .o_blockUI')"
    )
    page.wait_for_timeout(500)


def main():
    args = parse_args()
    server = start_server(args) if args.start else None
    try:
        if args.b2b_agent_portal:
            shoot_b2b_agent_portal(args)
            return 0
        if args.b2b_corporate_portal:
            shoot_b2b_corporate_portal(args)
            return 0
        if args.subscriber_portal:
            shoot_subscriber_portal(args)
            return 0
        if args.workspaces:
            shoot_workspaces(args)
            return 0
        rpc = Rpc(args)
        if args.addon == "b2b":
            shoot_b2b(args, *prepare_b2b(rpc))
        else:
            shoot(args, *prepare_data(rpc))
    finally:
        if server:
            server.terminate()
            server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
