{
    "name": "Telecom Live Chat - Helpdesk Bridge",
    "summary": "Agents turn a subscriber's live chat into a service desk ticket "
    "with its transcript",
    "version": "18.0.1.0.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_livechat", "telecom_helpdesk_sla"],
    "data": [
        "data/helpdesk_ticket_channel_data.xml",
        "views/discuss_channel_views.xml",
        "views/telecom_interaction_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "telecom_livechat_helpdesk/static/src/**/*",
        ],
    },
    "auto_install": True,
    "installable": True,
}
