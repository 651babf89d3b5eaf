import json
import re

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CHAT_ID, SECRET, TelegramCommon

CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
CODE_ON_PAGE = re.compile(r'id="telecom_telegram_code">([A-Z0-9-]+)<')


@tagged("post_install", "-at_install")
class TestWebhook(TelegramCommon, HttpCase):
    """The webhook over HTTP, the portal page, as Telegram and users reach them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="t_tg_owner",
            groups="base.group_portal",
            partner_id=cls.partner.id,
        )
        cls.portal_south = new_test_user(
            cls.env,
            login="t_tg_south",
            groups="base.group_portal",
            partner_id=cls.partner_south.id,
        )

    def _post_update(self, text, secret=SECRET, update_id=1, bot=None):
        update = {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "from": {"id": CHAT_ID, "username": "ivan"},
                "chat": {"id": CHAT_ID, "type": "private", "first_name": "Ivan"},
                "date": 0,
                "text": text,
            },
        }
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return self.url_open(
            f"/telecom/telegram/{(bot or self.bot).id}/webhook",
            data=json.dumps(update),
            headers=headers,
        )

    # ------------------------------------------------------------------
    # webhook
    # ------------------------------------------------------------------
    def test_webhook_links_with_the_right_code(self):
        code = self._issue()
        response = self._post_update(f"/link {code}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"ok": True})
        self._run()
        chat = self._chat()
        self.assertEqual(chat.partner_id, self.partner)
        self.assertEqual(chat.first_name, "Ivan")
        self.assertIn(self.partner.name, self._last_answer())
        response = self._post_update("/balance", update_id=2)
        self.assertEqual(response.status_code, 200)
        self._run()
        self.assertIn(self.account.name, self._last_answer())
        self.assertEqual(chat.interaction_id.channel, "telegram")
        self.assertEqual(len(chat.interaction_id.telegram_message_ids), 4)

    @mute_logger("odoo.addons.telecom_telegram.controllers.webhook")
    def test_bad_secret_is_refused(self):
        for secret in ("wrong", "", None):
            response = self._post_update("/help", secret=secret)
            self.assertEqual(response.status_code, 403)
        response = self.url_open(
            "/telecom/telegram/999999/webhook",
            data="{}",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.Message.search([("bot_id", "=", self.bot.id)]))

    @mute_logger("odoo.addons.telecom_telegram.controllers.webhook")
    def test_archived_bot_refuses_updates(self):
        self.bot.active = False
        self.assertEqual(self._post_update("/help").status_code, 403)

    def test_broken_body_is_refused(self):
        response = self.url_open(
            f"/telecom/telegram/{self.bot.id}/webhook",
            data="{not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        self.assertEqual(response.status_code, 400)

    def test_webhook_accepts_post_only(self):
        response = self.url_open(f"/telecom/telegram/{self.bot.id}/webhook")
        self.assertEqual(response.status_code, 405)

    # ------------------------------------------------------------------
    # portal
    # ------------------------------------------------------------------
    def _portal_code(self, user, **extra):
        self.authenticate(user.login, user.login)
        page = self.url_open("/my/telegram")
        self.assertEqual(page.status_code, 200)
        token = CSRF_INPUT.search(page.text).group(1)
        response = self.url_open(
            "/my/telegram/code", data={"csrf_token": token, **extra}
        )
        self.assertEqual(response.status_code, 200)
        return CODE_ON_PAGE.search(response.text).group(1)

    def test_portal_code_links_own_account(self):
        code = self._portal_code(self.portal_user)
        link_code = self.Code.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(link_code.issued_from, "portal")
        self.assertEqual(link_code.issued_by_id, self.portal_user)
        self._post_update(f"/link {code}")
        self._run()
        self.assertEqual(self._chat().partner_id, self.partner)
        page = self.url_open("/my/telegram")
        self.assertIn("@ivan", page.text)

    def test_portal_code_is_always_for_the_user(self):
        """A partner in the request changes nothing: the code is the user's."""
        code = self._portal_code(self.portal_south, partner_id=str(self.partner.id))
        self.assertFalse(self.Code.search([("partner_id", "=", self.partner.id)]))
        self._post_update(f"/link {code}")
        self._run()
        self.assertEqual(self._chat().partner_id, self.partner_south)

    def test_portal_page_shows_own_chats_only(self):
        self._link()
        self.authenticate(self.portal_south.login, self.portal_south.login)
        page = self.url_open("/my/telegram")
        self.assertNotIn(self._chat().display_label, page.text)
        # unlinking another subscriber's chat does nothing
        token = CSRF_INPUT.search(page.text).group(1)
        self.url_open(
            f"/my/telegram/unlink/{self._chat().id}", data={"csrf_token": token}
        )
        self.assertEqual(self._chat().partner_id, self.partner)

    def test_portal_user_unlinks_own_chat(self):
        self._link()
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open("/my/telegram")
        token = CSRF_INPUT.search(page.text).group(1)
        self.url_open(
            f"/my/telegram/unlink/{self._chat().id}", data={"csrf_token": token}
        )
        self.assertFalse(self._chat().partner_id)

    def test_portal_tour_gets_a_code(self):
        self.start_tour(
            "/my", "telecom_telegram_portal_code", login=self.portal_user.login
        )
        link_code = self.Code.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(link_code.issued_from, "portal")
        self.assertEqual(link_code.state, "active")

    def test_card_tour_issues_a_code(self):
        self.start_tour(
            "/odoo/action-telecom_subscriber.res_partner_action_telecom_subscriber/"
            f"{self.partner.id}",
            "telecom_telegram_card_code",
            login=self.front_office.login,
        )
        link_code = self.Code.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(link_code.issued_from, "agent")
        self.assertEqual(link_code.issued_by_id, self.front_office)

    def test_anonymous_and_non_subscribers_get_no_code(self):
        response = self.url_open("/my/telegram", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        stranger = new_test_user(
            self.env, login="t_tg_stranger", groups="base.group_portal"
        )
        self.authenticate(stranger.login, stranger.login)
        response = self.url_open("/my/telegram", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertRegex(response.headers["Location"], r"/my$")
