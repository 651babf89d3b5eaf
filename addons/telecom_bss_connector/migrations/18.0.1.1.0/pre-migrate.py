"""The connector's crons became ``noupdate``: keep what an administrator tuned.

The XML ids of databases installed before keep their old ``noupdate = false``
flag (Odoo does not change it on upgrade), so this upgrade would still reset
the crons; flag them before the data files load.
"""

CRONS = (
    "ir_cron_requeue_stalled_orders",
    "ir_cron_check_alert_rules",
    "ir_cron_purge_calls",
    "ir_cron_sync_catalog",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data SET noupdate = true
            WHERE module = 'telecom_bss_connector' AND name IN %s""",
        (CRONS,),
    )
