{
    "name": "Telecom Live Chat",
    "summary": "Web chat on the portal with Odoo's live chat: conversations of "
    "subscribers on their timeline, turned into lifecycle requests",
    "version": "18.0.1.0.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_subscriber", "im_livechat"],
    "data": [
        "views/res_config_settings_views.xml",
        "views/discuss_channel_views.xml",
        "views/telecom_interaction_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "telecom_livechat/static/src/**/*",
        ],
        "web.assets_tests": [
            "telecom_livechat/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
