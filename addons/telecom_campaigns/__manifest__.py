{
    "name": "Telecom Campaigns: Metrics, Segments and A/B Tests",
    "summary": "Per-subscriber metrics with an explainable churn-risk score, "
    "dynamic segments compiled to SQL and deterministic A/B assignment",
    "version": "18.0.1.0.0",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_subscriber"],
    "data": [
        "security/telecom_campaigns_groups.xml",
        "security/ir.model.access.csv",
        "security/telecom_campaigns_security.xml",
        "data/ir_cron_data.xml",
        "views/telecom_subscriber_metric_views.xml",
        "views/telecom_segment_member_views.xml",
        "views/telecom_segment_views.xml",
        "views/telecom_ab_test_views.xml",
        "views/res_partner_views.xml",
        "views/telecom_campaigns_menus.xml",
    ],
    "installable": True,
}
