from datetime import datetime

from odoo import Command

from odoo.addons.telecom_subscriber.tests.common import GROUP, TelecomCommon


def utc(*args):
    """A naive UTC datetime, as Odoo stores them."""
    return datetime(*args)


class TelecomHelpdeskCommon(TelecomCommon):
    """Own SLA data on top of the telecom base data: calendars (business hours in
    Moscow, 24/7, evening shift), holidays, stages, teams and policies.

    Policies, routing and escalation rules shipped as data are archived so that
    each test knows exactly which rules apply.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for model in (
            "telecom.sla.policy",
            "telecom.routing.rule",
            "telecom.escalation.rule",
        ):
            cls.env[model].search([]).active = False
        cls._setup_calendars()
        cls._setup_helpdesk()
        cls._setup_policies()

    @classmethod
    def _calendar(cls, name, tz, days, hour_from, hour_to, **extra):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{name} {day}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": "morning",
                        }
                    )
                    for day in days
                ],
                **extra,
            }
        )

    @classmethod
    def _setup_calendars(cls):
        cls.calendar_business = cls._calendar(
            "T Business Hours", "Europe/Moscow", range(5), 9, 18
        )
        cls.calendar_evening = cls._calendar(
            "T Evening Shift", "Europe/Moscow", range(7), 18, 23
        )
        cls.calendar_always = cls.env["resource.calendar"].create(
            {"name": "T 24/7", "tz": "UTC", "telecom_always_on": True}
        )

    @classmethod
    def _setup_helpdesk(cls):
        ref = cls.env.ref
        cls.stage_new = ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.stage_waiting = ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.channel_phone = ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")
        cls.channel_web = ref("helpdesk_mgmt.helpdesk_ticket_channel_web")
        Team = cls.env["helpdesk.ticket.team"]
        cls.noc_lead = cls._user("t_noc_lead", ["tech_support"], cls.zone_north)
        cls.noc_agent = cls._user("t_noc_agent", ["tech_support"], cls.zone_north)
        cls.team_front = Team.create(
            {"name": "T Front Office", "user_ids": [Command.set(cls.front_office.ids)]}
        )
        cls.team_tech = Team.create(
            {
                "name": "T Technical Support",
                "user_id": cls.supervisor.id,
                "user_ids": [Command.set(cls.tech_support.ids)],
            }
        )
        cls.team_noc = Team.create(
            {
                "name": "T NOC",
                "user_id": cls.noc_lead.id,
                "user_ids": [Command.set((cls.noc_lead | cls.noc_agent).ids)],
            }
        )
        cls.category_internet = cls.env["helpdesk.ticket.category"].create(
            {"name": "T Internet"}
        )
        cls.category_no_service = cls.env["helpdesk.ticket.category"].create(
            {"name": "T No Service", "parent_id": cls.category_internet.id}
        )
        cls.category_billing = cls.env["helpdesk.ticket.category"].create(
            {"name": "T Billing"}
        )

    @classmethod
    def _user(cls, login, roles, zones):
        from odoo.tests import new_test_user

        return new_test_user(
            cls.env,
            login=login,
            groups=",".join(GROUP + role for role in roles),
            telecom_region_ids=[Command.set(zones.ids)],
        )

    @classmethod
    def _priority(cls, code):
        return cls.env["telecom.ticket.priority"].search([("code", "=", code)])

    @classmethod
    def _policy(cls, name, targets, **values):
        return cls.env["telecom.sla.policy"].create(
            {
                "name": name,
                "target_ids": [
                    Command.create({"kind": kind, "hours": hours})
                    for kind, hours in targets.items()
                ],
                **values,
            }
        )

    @classmethod
    def _setup_policies(cls):
        cls.policy_fallback = cls._policy(
            "T Standard",
            {"first_response": 8, "resolution": 40},
            sequence=100,
            is_fallback=True,
            calendar_id=cls.calendar_business.id,
            pause_stage_ids=[Command.set(cls.stage_waiting.ids)],
            resume_stage_id=cls.stage_progress.id,
        )
        cls.policy_vip = cls._policy(
            "T VIP 24/7",
            {"first_response": 1, "update": 2, "resolution": 4},
            sequence=10,
            segment="vip",
            calendar_id=cls.calendar_always.id,
            pause_stage_ids=[Command.set(cls.stage_waiting.ids)],
        )
        cls.policy_p1 = cls._policy(
            "T Critical",
            {"first_response": 0.5, "resolution": 8},
            sequence=20,
            priority_ids=[Command.set(cls._priority("3").ids)],
            calendar_id=cls.calendar_always.id,
            incident_time="exclude",
        )

    # ------------------------------------------------------------------
    # builders
    # ------------------------------------------------------------------
    @classmethod
    def _ticket(cls, partner=None, env=None, **values):
        env = env or cls.env
        vals = {
            "name": values.pop("name", "No internet"),
            "description": "<p>Help</p>",
            "partner_id": partner.id if partner else False,
            **values,
        }
        return env["helpdesk.ticket"].create(vals)

    def _line(self, ticket, kind):
        return ticket.sla_line_ids.filtered(lambda line: line.kind == kind)

    def _events(self, ticket, event_type, kind=None):
        return ticket.sla_event_ids.filtered(
            lambda event: (
                event.event_type == event_type and (kind is None or event.kind == kind)
            )
        )
