"""The crons and the standard calendars, holidays, SLA policies and escalation
rules are noupdate data now: mark the records an existing database already has
(crons loaded as updatable data, the rest as demo data) so that later upgrades
keep what an administrator tuned."""

NOUPDATE_MODELS = (
    "ir.cron",
    "resource.calendar",
    "resource.calendar.leaves",
    "telecom.sla.policy",
    "telecom.sla.target",
    "telecom.escalation.rule",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data SET noupdate = true
            WHERE module = 'telecom_helpdesk_sla' AND model IN %s
              AND NOT noupdate""",
        (NOUPDATE_MODELS,),
    )
