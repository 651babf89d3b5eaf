{
    "name": "Telecom Campaigns - Helpdesk Bridge",
    "summary": "Ticket figures in the subscriber metrics: open tickets, SLA breaches "
    "and incidents suffered, in the churn-risk score and the segments",
    "version": "18.0.1.1.2",
    "category": "Telecom",
    "website": "https://github.com/telecom-crm/telecom-crm",
    "author": "Telecom CRM developers",
    "license": "LGPL-3",
    "depends": ["telecom_campaigns", "telecom_helpdesk_sla"],
    "data": [
        "views/telecom_subscriber_metric_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
