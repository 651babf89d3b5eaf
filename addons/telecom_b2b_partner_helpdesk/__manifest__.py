{
    "name": "Telecom B2B and Service Desk",
    "summary": "Bridge: the SLA terms of a B2B contract apply to its customer's "
    "tickets ahead of the general SLA policies",
    "version": "18.0.1.0.1",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_b2b_partner", "telecom_helpdesk_sla"],
    "data": [
        "data/resource_calendar_data.xml",
        "views/telecom_b2b_contract_views.xml",
    ],
    "post_init_hook": "post_init_hook",
    "auto_install": True,
    "installable": True,
}
