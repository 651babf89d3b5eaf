def post_init_hook(env):
    """The SLA terms written before the bridge was installed get their policy."""
    env["telecom.b2b.contract.sla"].search([])._sync_sla_policies()
