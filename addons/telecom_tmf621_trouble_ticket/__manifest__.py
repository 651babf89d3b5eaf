{
    "name": "Telecom TMF621 Trouble Ticket API",
    "summary": "TM Forum TMF621 Trouble Ticket API (v4) on helpdesk tickets, for "
    "partners and the OSS",
    "version": "18.0.1.0.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_bss_connector", "telecom_helpdesk_sla"],
    "data": [
        "security/ir.model.access.csv",
        "data/helpdesk_ticket_stage_data.xml",
        "views/helpdesk_ticket_stage_views.xml",
    ],
    "installable": True,
}
