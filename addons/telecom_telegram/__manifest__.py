{
    "name": "Telecom Telegram Channel",
    "summary": "Telegram bot for subscribers: account linking by one-time code, "
    "balance, fault reports and incident notices, every conversation on the "
    "subscriber's timeline",
    "version": "18.0.1.0.3",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_subscriber"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_telegram_security.xml",
        "data/ir_cron_data.xml",
        "views/telecom_telegram_bot_views.xml",
        "views/telecom_telegram_chat_views.xml",
        "views/telecom_telegram_message_views.xml",
        "views/telecom_interaction_views.xml",
        "views/res_partner_views.xml",
        "views/portal_templates.xml",
        "views/telecom_telegram_menus.xml",
    ],
    "demo": ["demo/telecom_telegram_bot_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "telecom_telegram/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
