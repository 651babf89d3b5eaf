{
    "name": "Telecom Telegram Channel - Helpdesk Bridge",
    "summary": "Faults reported in Telegram open tickets, conversations become "
    "tickets, incident notices reach linked Telegram chats",
    "version": "18.0.1.0.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_telegram", "telecom_helpdesk_sla"],
    "data": [
        "data/helpdesk_ticket_channel_data.xml",
        "views/telecom_interaction_views.xml",
        "views/telecom_incident_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
