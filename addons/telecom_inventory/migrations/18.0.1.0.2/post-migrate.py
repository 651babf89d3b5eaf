def migrate(cr, version):
    """Indexes the unique constraints and the partial indexes make useless."""
    cr.execute(
        """
        DROP INDEX IF EXISTS telecom_number__msisdn_index;
        DROP INDEX IF EXISTS telecom_number__state_index;
        DROP INDEX IF EXISTS telecom_number__company_id_index;
        DROP INDEX IF EXISTS telecom_sim__iccid_index;
        """
    )
