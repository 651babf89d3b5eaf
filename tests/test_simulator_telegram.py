"""The simulator's Telegram Bot API double (simulator/telegram.py), over HTTP.

No Odoo needed (marker no_odoo): the session's simulator of test_simulator.py is
reused; a loopback "webhook" records what the simulator posts as Telegram would.
"""

import pytest
import requests
from test_simulator import FakeOdoo, simulator_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.no_odoo

TOKEN = "123456:TEST-TOKEN"
TIMEOUT = 10


@pytest.fixture
def telegram(simulator_url):  # noqa: F811 - the imported fixture
    requests.post(f"{simulator_url}/__admin/reset", json={}, timeout=TIMEOUT)
    return simulator_url


@pytest.fixture
def webhook():
    fake = FakeOdoo()
    yield fake
    fake.close()


def bot(simulator, method, token=TOKEN, **payload):
    return requests.post(
        f"{simulator}/bot{token}/{method}", json=payload, timeout=TIMEOUT
    )


def test_get_me_and_unknown_token(telegram):
    answer = bot(telegram, "getMe")
    assert answer.status_code == 200
    me = answer.json()
    assert me["ok"] is True
    assert me["result"]["is_bot"] is True
    assert me["result"]["id"] == 123456
    assert me["result"]["username"] == "sim_123456_bot"
    refused = bot(telegram, "getMe", token="999:WRONG")
    assert refused.status_code == 401
    assert refused.json() == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }


def test_send_message_is_recorded(telegram):
    answer = bot(telegram, "sendMessage", chat_id=42, text="Баланс: 100 ₽")
    assert answer.status_code == 200
    result = answer.json()["result"]
    assert result["chat"] == {"id": 42, "type": "private"}
    assert result["text"] == "Баланс: 100 ₽"
    second = bot(telegram, "sendMessage", chat_id="43", text="hi").json()["result"]
    assert second["message_id"] == result["message_id"] + 1
    state = requests.get(
        f"{telegram}/__admin/telegram", params={"chat_id": "42"}, timeout=TIMEOUT
    ).json()
    assert [message["text"] for message in state["messages"]] == ["Баланс: 100 ₽"]
    assert state["messages"][0]["token"] == TOKEN


def test_send_message_form_and_query_parameters(telegram):
    answer = requests.post(
        f"{telegram}/bot{TOKEN}/sendMessage",
        data={"chat_id": "7", "text": "form"},
        timeout=TIMEOUT,
    )
    assert answer.json()["result"]["text"] == "form"
    answer = requests.get(
        f"{telegram}/bot{TOKEN}/sendMessage",
        params={"chat_id": "7", "text": "query"},
        timeout=TIMEOUT,
    )
    assert answer.json()["result"]["text"] == "query"


@pytest.mark.parametrize(
    "payload, description",
    [
        ({"text": "no chat"}, "chat_id is empty"),
        ({"chat_id": 1}, "message text is empty"),
        ({"chat_id": 1, "text": "x" * 4097}, "message is too long"),
    ],
)
def test_send_message_bad_requests(telegram, payload, description):
    answer = bot(telegram, "sendMessage", **payload)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False
    assert description in answer.json()["description"]


def test_blocked_user_answers_403(telegram):
    requests.post(
        f"{telegram}/__admin/telegram/blocked", json={"chat_id": 42}, timeout=TIMEOUT
    )
    answer = bot(telegram, "sendMessage", chat_id=42, text="hello")
    assert answer.status_code == 403
    assert "blocked" in answer.json()["description"]
    assert bot(telegram, "sendMessage", chat_id=43, text="hello").status_code == 200


def test_webhook_and_user_update(telegram, webhook):
    url = f"{webhook.url}/telecom/telegram/1/webhook"
    answer = bot(telegram, "setWebhook", url=url, secret_token="s3cr3t-_")
    assert answer.json() == {
        "ok": True,
        "result": True,
        "description": "Webhook was set",
    }
    info = bot(telegram, "getWebhookInfo").json()["result"]
    assert info["url"] == url
    pushed = requests.post(
        f"{telegram}/__admin/telegram/updates",
        json={"chat_id": 42, "text": "/link ABCD-EFGH", "username": "ivan"},
        timeout=TIMEOUT,
    ).json()
    assert pushed["status"] == 201  # what the fake Odoo answered
    method, path, headers, update = webhook.received[0]
    assert (method, path) == ("POST", "/telecom/telegram/1/webhook")
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cr3t-_"
    assert update["message"]["text"] == "/link ABCD-EFGH"
    assert update["message"]["chat"]["id"] == 42
    assert update["message"]["chat"]["type"] == "private"
    assert update["message"]["from"]["username"] == "ivan"
    requests.post(
        f"{telegram}/__admin/telegram/updates",
        json={"chat_id": 42, "text": "/balance"},
        timeout=TIMEOUT,
    )
    assert webhook.received[1][3]["update_id"] == update["update_id"] + 1
    state = requests.get(f"{telegram}/__admin/telegram", timeout=TIMEOUT).json()
    assert [row["update"]["message"]["text"] for row in state["updates"]] == [
        "/link ABCD-EFGH",
        "/balance",
    ]


def test_update_needs_a_webhook(telegram):
    answer = requests.post(
        f"{telegram}/__admin/telegram/updates",
        json={"chat_id": 42, "text": "hi"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    bad = bot(telegram, "setWebhook", url="ftp://x", secret_token="s")
    assert bad.status_code == 400
    bad = bot(telegram, "setWebhook", url="http://x/", secret_token="spaces here")
    assert bad.status_code == 400


def test_unreachable_webhook_is_reported(telegram):
    bot(telegram, "setWebhook", url="http://127.0.0.1:9/hook", secret_token="s")
    pushed = requests.post(
        f"{telegram}/__admin/telegram/updates",
        json={"chat_id": 42, "text": "hi", "timeout": 2},
        timeout=TIMEOUT,
    ).json()
    assert pushed["status"] == 0


def test_reset_and_knobs(telegram):
    bot(telegram, "sendMessage", chat_id=1, text="x")
    bot(telegram, "setWebhook", url="http://127.0.0.1:9/hook")
    requests.post(f"{telegram}/__admin/config", json={"outage": True}, timeout=TIMEOUT)
    assert bot(telegram, "sendMessage", chat_id=1, text="y").status_code == 503
    requests.post(f"{telegram}/__admin/reset", json={}, timeout=TIMEOUT)
    state = requests.get(f"{telegram}/__admin/telegram", timeout=TIMEOUT).json()
    assert state["messages"] == []
    assert state["webhooks"] == {}
    assert bot(telegram, "sendMessage", chat_id=1, text="z").status_code == 200
