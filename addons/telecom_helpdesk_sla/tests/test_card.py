from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tools.card_spec import card_spec

from .common import TelecomHelpdeskCommon

CARD_QUERY_GOAL = 20  # the goal, with every installed addon


@tagged("post_install", "-at_install")
class TestCardWithTickets(TelecomHelpdeskCommon):
    """The card costs the same queries whatever the number of tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.small = cls._subscriber_with_tickets("Few Tickets", 2)
        cls.large = cls._subscriber_with_tickets("Many Tickets", 45)

    @classmethod
    def _subscriber_with_tickets(cls, name, count):
        partner, account = cls._create_subscriber(name)
        line = cls._activate_line(account)
        tickets = cls.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"No internet {index}",
                    "description": "<p>Help</p>",
                    "partner_id": partner.id,
                    "telecom_service_id": line.id,
                }
                for index in range(count)
            ]
        )
        tickets[: count // 2].stage_id = cls.stage_done
        return partner

    def _count_queries(self, partner, spec):
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        card = partner.with_user(self.front_office).web_read(spec)[0]
        return self.cr.sql_log_count - before, card

    def test_card_queries_do_not_grow_with_tickets(self):
        spec = card_spec(self.env(user=self.front_office))
        for partner in (self.small, self.large):
            self._count_queries(partner, spec)  # warm the caches shared by every card
        small, _card = self._count_queries(self.small, spec)
        large, card = self._count_queries(self.large, spec)
        self.assertEqual(small, large)
        self.assertLessEqual(large, CARD_QUERY_GOAL)
        tickets = card["telecom_card_ticket_ids"]
        self.assertEqual(len(tickets), 20, "the newest 20 tickets")
        self.assertEqual(tickets[0]["name"], "No internet 44", "newest first")
        self.assertEqual(card["telecom_open_ticket_count"], 23)
