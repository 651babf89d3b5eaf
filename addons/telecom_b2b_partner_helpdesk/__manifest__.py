{
    "name": "Telecom B2B and Service Desk",
    "summary": "Bridge: the SLA terms of a B2B contract apply to its customer's "
    "tickets ahead of the general SLA policies; monthly service credits from "
    "the contract's SLA breaches and incident downtime",
    "version": "18.0.1.2.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_b2b_partner", "telecom_helpdesk_sla"],
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_b2b_partner_helpdesk_security.xml",
        "data/resource_calendar_data.xml",
        "data/telecom_b2b_credit_statement_data.xml",
        "views/telecom_b2b_contract_views.xml",
        "views/telecom_b2b_credit_statement_views.xml",
    ],
    "post_init_hook": "post_init_hook",
    "auto_install": True,
    "installable": True,
}
