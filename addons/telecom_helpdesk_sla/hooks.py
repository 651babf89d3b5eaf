def post_init_hook(env):
    """The open tickets of an existing helpdesk get their SLA at installation."""
    env["helpdesk.ticket"]._sla_start_existing_tickets()
