{
    "name": "Telecom BSS Connector - Helpdesk Bridge",
    "summary": "Network alarms open and update mass incidents; TMF621 Trouble "
    "Ticket API on helpdesk tickets",
    "version": "18.0.1.0.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_bss_connector", "telecom_helpdesk_sla"],
    "data": [
        "security/ir.model.access.csv",
        "data/helpdesk_ticket_stage_data.xml",
        "views/telecom_alarm_views.xml",
        "views/telecom_incident_views.xml",
        "views/helpdesk_ticket_stage_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
