{
    "name": "Telecom BSS Connector - Helpdesk Bridge",
    "summary": "Network alarms open and update mass incidents",
    "version": "18.0.1.1.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_bss_connector", "telecom_helpdesk_sla"],
    "data": [
        "security/ir.model.access.csv",
        "views/telecom_alarm_views.xml",
        "views/telecom_incident_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
