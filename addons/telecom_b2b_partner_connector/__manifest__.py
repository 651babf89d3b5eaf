{
    "name": "Telecom B2B and BSS Connector",
    "summary": "Bridge: approved service credits of B2B contracts go to billing as "
    "adjustments through the connector's outbox",
    "version": "18.0.1.0.1",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_b2b_partner_helpdesk", "telecom_bss_connector"],
    "data": [
        "data/telecom_b2b_credit_statement_data.xml",
        "views/telecom_b2b_credit_statement_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
