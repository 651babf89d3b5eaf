"""TMF621 moved from this bridge to ``telecom_tmf621_trouble_ticket``.

The bridge no longer defines the ticket and stage fields of the API; left to
the bridge, its upgrade would delete them (and drop their columns). Their XML
ids are handed to the new addon before the upgrade: the columns and their data
stay, and installing ``telecom_tmf621_trouble_ticket`` (an administrator's
choice, it is not installed automatically) takes them over as they are.
"""

NEW_MODULE = "telecom_tmf621_trouble_ticket"
# the TMF fields of tickets and stages ("_" escaped: a LIKE wildcard otherwise)
PATTERNS = [
    r"field\_helpdesk\_ticket\_\_tmf\_%",
    r"field\_helpdesk\_ticket\_stage\_\_tmf\_%",
    r"selection\_\_helpdesk\_ticket\_stage\_\_tmf\_%",
]


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data SET module = %s
            WHERE module = 'telecom_bss_connector_helpdesk'
              AND model IN ('ir.model.fields', 'ir.model.fields.selection')
              AND name LIKE ANY(%s)""",
        (NEW_MODULE, PATTERNS),
    )
