{
    "name": "Telecom B2B and Service Desk",
    "summary": "Bridge: the SLA terms of a B2B contract apply to its customer's "
    "tickets ahead of the general SLA policies; monthly service credits from "
    "the contract's SLA breaches and incident downtime; on the corporate portal, "
    "tickets of the company's sites, SLA compliance (XLSX) and credits earned",
    "version": "18.0.1.3.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_b2b_partner", "telecom_helpdesk_sla"],
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_b2b_partner_helpdesk_security.xml",
        "security/telecom_b2b_partner_helpdesk_portal_security.xml",
        "data/resource_calendar_data.xml",
        "data/telecom_b2b_credit_statement_data.xml",
        "views/telecom_b2b_contract_views.xml",
        "views/telecom_b2b_credit_statement_views.xml",
        "views/portal_templates.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "telecom_b2b_partner_helpdesk/static/tests/tours/*.js",
        ],
    },
    "external_dependencies": {"python": ["xlsxwriter"]},
    "post_init_hook": "post_init_hook",
    "auto_install": True,
    "installable": True,
}
