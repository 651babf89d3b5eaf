"""Bind the "all zones" record rules of the telecom addons to the All Zones group.

The rules are ``noupdate``: an upgrade does not rewrite them. Until 18.0.1.1.0
each addon bound its rules to Head Office and Integration (API) itself; both roles
now imply the All Zones group (created by this version's data), which alone carries
the rules. The rules of the other telecom addons are in the database already, so
this one script moves them all.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    all_zones = env.ref("telecom_subscriber.telecom_subscriber_group_all_zones")
    roles = env.ref(
        "telecom_subscriber.telecom_subscriber_group_head_office"
    ) | env.ref("telecom_subscriber.telecom_subscriber_group_integration")
    telecom_rule_ids = (
        env["ir.model.data"]
        .search([("model", "=", "ir.rule"), ("module", "=like", "telecom\\_%")])
        .mapped("res_id")
    )
    rules = (
        env["ir.rule"]
        .with_context(active_test=False)
        .search([("id", "in", telecom_rule_ids), ("groups", "in", roles.ids)])
    )
    for rule in rules:
        rule.groups = rule.groups - roles | all_zones
