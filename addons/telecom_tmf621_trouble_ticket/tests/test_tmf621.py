import random

from odoo.tests import new_test_user, tagged

from odoo.addons.telecom_bss_connector.tests.common import TmfApiCase
from odoo.addons.telecom_subscriber.tests.common import GROUP

TICKET_URL = "/tmf-api/troubleTicketManagement/v4/troubleTicket"
VALID = {
    "name": "No mobile data",
    "description": "Since 10:00 no data on the line.",
    "severity": "major",
    "ticketType": "incident",
    "externalId": "PARTNER-1",
}


@tagged("post_install", "-at_install")
class TestTmf621(TmfApiCase):
    """TMF621 Trouble Ticket on helpdesk tickets, over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, login="t_tmf621_integration", groups=f"{GROUP}integration"
        )
        cls.key = cls._api_key(cls.integration, "telecom.tmf621")
        cls.alarm_key = cls._api_key(cls.integration, "telecom.tmf642")
        zone = cls.env["telecom.region"].create(
            {"name": "TT zone", "code": "T-TT", "level": "region"}
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "TT Subscriber",
                "ref": "CUST-TT-1",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
            }
        )

    def test_ticket_lifecycle(self):
        payload = dict(
            VALID,
            relatedParty=[
                {"id": "CUST-TT-1", "role": "customer", "@referredType": "Individual"}
            ],
            note=[{"author": "partner", "text": "Customer called twice"}],
        )
        response = self.call("POST", TICKET_URL, payload)
        self.assertEqual(response.status_code, 201, response.text)
        ticket = response.json()
        self.assertEqual(ticket["status"], "acknowledged")
        self.assertEqual(ticket["severity"], "major")
        self.assertEqual(ticket["externalId"], "PARTNER-1")
        self.assertEqual(ticket["note"][0]["text"], "Customer called twice")
        self.assertEqual(ticket["statusChange"][0]["status"], "acknowledged")
        record = self.env["helpdesk.ticket"].browse(int(ticket["id"]))
        self.assertEqual(record.partner_id, self.partner)
        self.assertEqual(record.telecom_urgency, "2")
        url = f"{TICKET_URL}/{ticket['id']}"
        updated = self.call(
            "PATCH",
            url,
            {
                "status": "inProgress",
                "statusChangeReason": "taken by NOC",
                "note": [{"text": "Checking the cell"}],
            },
        ).json()
        self.assertEqual(updated["status"], "inProgress")
        self.assertEqual(updated["statusChange"][-1]["changeReason"], "taken by NOC")
        self.assertEqual(len(updated["note"]), 2)
        resolved = self.call("PATCH", url, {"status": "resolved"}).json()
        self.assertEqual(resolved["status"], "resolved")
        self.assertIn("resolutionDate", resolved)
        read = self.call("GET", url + "?fields=status").json()
        self.assertEqual(set(read), {"id", "href", "status"})
        self.assertTmfError(self.call("PATCH", url, {"status": "held"}), 409)

    def test_list_filter_and_paginate(self):
        for index in range(4):
            self.call(
                "POST",
                TICKET_URL,
                dict(
                    VALID,
                    externalId=f"P-{index}",
                    severity="critical" if index % 2 else "minor",
                ),
            )
        response = self.call("GET", TICKET_URL + "?severity=critical&limit=1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["X-Total-Count"], "2")
        self.assertEqual(response.headers["X-Result-Count"], "1")
        by_party = self.call("GET", TICKET_URL + "?relatedParty.id=NOBODY").json()
        self.assertEqual(by_party, [])
        self.assertTmfError(self.call("GET", TICKET_URL + "?creationDate.gt=x"), 400)

    def test_errors_and_keys(self):
        self.assertTmfError(self.call("POST", TICKET_URL, {"name": "x"}), 400)
        self.assertTmfError(self.call("GET", f"{TICKET_URL}/999999999"), 404)
        self.assertTmfError(self.call("DELETE", f"{TICKET_URL}/1"), 405)
        self.assertTmfError(self.call("GET", TICKET_URL, key=self.alarm_key), 401)
        self.assertTmfError(
            self.call("POST", TICKET_URL, dict(VALID, status="open")), 400
        )

    def test_hidden_and_missing_tickets_answer_the_same_404(self):
        other = self.env["res.company"].create({"name": "TT Other Co"})
        hidden = (
            self.env["helpdesk.ticket"]
            .with_company(other)
            .create(
                {
                    "name": "Hidden",
                    "description": "Another company's ticket",
                    "company_id": other.id,
                }
            )
        )
        missing_id = hidden.id + 100000
        for method, payload in (("GET", None), ("PATCH", {"severity": "minor"})):
            bodies = [
                self.assertTmfError(
                    self.call(method, f"{TICKET_URL}/{ticket_id}", payload), 404
                )
                for ticket_id in (hidden.id, missing_id)
            ]
            self.assertEqual(bodies[0], bodies[1], method)
        for ticket_id in ("7\u00b2", "\u0661\u0662"):
            self.assertTmfError(self.call("GET", f"{TICKET_URL}/{ticket_id}"), 404)
        hidden.invalidate_recordset()
        self.assertFalse(hidden.tmf_severity)

    def test_key_without_scope_is_refused(self):
        any_scope = self._api_key(self.integration, None)
        self.assertTmfError(self.call("GET", TICKET_URL, key=any_scope), 401)

    def test_fuzzed_bad_input_never_gets_a_500(self):
        rng = random.Random(621)
        garbage = [
            None,
            True,
            -1,
            "",
            "x" * 20000,
            [],
            {},
            [{}],
            {"a": []},
            "not-a-date",
            [{"id": 5}],
        ]
        for _index in range(120):
            payload = dict(VALID)
            for key in rng.sample(
                [
                    *VALID,
                    "status",
                    "note",
                    "relatedParty",
                    "relatedEntity",
                    "requestedResolutionDate",
                    "channel",
                ],
                rng.randint(1, 4),
            ):
                payload[key] = rng.choice(garbage)
            response = self.call("POST", TICKET_URL, payload)
            self.assertLess(response.status_code, 500, payload)
