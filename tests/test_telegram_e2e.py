"""End-to-end: a Telegram conversation through the simulator's Bot API double.

Odoo and the simulator are real processes: the bot registers its webhook in the
simulator, a "user" writes to the bot through the simulator's admin call, Odoo's
webhook records the update, the Telegram cron answers (run at once here with
``method_direct_trigger``) and its sendMessage reaches the simulator.
"""

import re
import uuid

import pytest
import requests
from conftest import TIMEOUT
from test_bss_connector_e2e import Simulator, _stop, wait_until

TOKEN = "123456:TEST-TOKEN"
CODE_IN_MESSAGE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


@pytest.fixture(scope="module")
def simulator():
    sim = Simulator()
    yield sim
    _stop(sim.process)


@pytest.fixture(scope="module")
def bot(rpc, odoo_url, simulator):
    bot_id = rpc(
        "telecom.telegram.bot",
        "create",
        {
            "name": f"E2E Bot {uuid.uuid4().hex[:6]}",
            "sequence": 0,
            "api_base_url": simulator.url,
            "token": TOKEN,
            "webhook_base_url": odoo_url,
        },
    )
    rpc("telecom.telegram.bot", "action_register_webhook", [bot_id])
    yield bot_id
    rpc("telecom.telegram.bot", "write", [bot_id], {"active": False})


@pytest.fixture(scope="module")
def subscriber(rpc):
    regions = rpc("telecom.region", "search", [], limit=1)
    region = (
        regions[0]
        if regions
        else rpc("telecom.region", "create", {"name": "E2E Zone", "code": "E2E-TG"})
    )
    partner = rpc(
        "res.partner",
        "create",
        {
            "name": f"E2E Telegram {uuid.uuid4().hex[:6]}",
            "telecom_is_subscriber": True,
            "telecom_region_id": region,
            "lang": "en_US",
        },
    )
    account = rpc(
        "telecom.account", "create", {"partner_id": partner, "region_id": region}
    )
    return partner, account


def _cron_run(rpc):
    cron = rpc(
        "ir.model.data",
        "search_read",
        [
            ("module", "=", "telecom_telegram"),
            ("name", "=", "ir_cron_telecom_telegram_run"),
        ],
        fields=["res_id"],
    )[0]["res_id"]
    rpc("ir.cron", "method_direct_trigger", [cron])


def _say(simulator, chat_id, text):
    return simulator.admin(
        "POST",
        "telegram/updates",
        # English answers whatever languages the demo installed
        {"chat_id": chat_id, "text": text, "token": TOKEN, "language_code": "en"},
    )


def _answers(simulator, chat_id):
    state = simulator.admin("GET", f"telegram?chat_id={chat_id}")
    return [message["text"] for message in state["messages"]]


def _conversation(rpc, simulator, chat_id, text):
    before = len(_answers(simulator, chat_id))
    pushed = _say(simulator, chat_id, text)
    assert pushed["status"] == 200, pushed
    _cron_run(rpc)
    return wait_until(
        lambda: _answers(simulator, chat_id)[before:],
        timeout=60,
        message=f"the bot's answer to {text!r}",
    )[-1]


def test_link_balance_and_timeline(rpc, simulator, bot, subscriber):
    partner, account = subscriber
    chat_id = uuid.uuid4().int % 10**9
    webhook = simulator.admin("GET", "telegram")["webhooks"][TOKEN]
    assert webhook["url"].endswith(f"/telecom/telegram/{bot}/webhook")
    answer = _conversation(rpc, simulator, chat_id, "/link WRON-GCOD")
    assert "nothing was linked" in answer
    notification = rpc("res.partner", "action_telegram_issue_code", [partner])
    code = CODE_IN_MESSAGE.search(notification["params"]["message"]).group(1)
    answer = _conversation(rpc, simulator, chat_id, f"/link {code}")
    name = rpc("res.partner", "read", [partner], ["name"])[0]["name"]
    assert name in answer
    account_name = rpc("telecom.account", "read", [account], ["name"])[0]["name"]
    assert account_name in _conversation(rpc, simulator, chat_id, "/balance")
    again = _conversation(rpc, simulator, chat_id, f"/link {code}")
    assert "already used" in again or "nothing was linked" in again
    conversations = rpc(
        "telecom.interaction",
        "search_read",
        [("partner_id", "=", partner), ("channel", "=", "telegram")],
        fields=["telegram_message_ids", "summary"],
    )
    assert len(conversations) == 1
    assert len(conversations[0]["telegram_message_ids"]) >= 4


def test_webhook_refuses_a_wrong_secret(odoo_url, bot):
    answer = requests.post(
        f"{odoo_url}/telecom/telegram/{bot}/webhook",
        json={"update_id": 1, "message": {"chat": {"id": 1}, "text": "/help"}},
        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 403
