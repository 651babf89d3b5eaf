/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Compliance: a supervisor reads the processing register, opens its export for
 * the regulator.
 */
registry.category("web_tour.tours").add("telecom_retention_register", {
    steps: () => [
        {
            content: "The register is grouped by category: open the identity documents",
            trigger: ".o_group_name:contains('Identity Document')",
            run: "click",
        },
        {
            content: "The document number is registered, on the ground of the law",
            trigger: ".o_data_row:contains('Document Number'):contains('Obligation under Federal Law')",
        },
        {
            content: "Open the export for the regulator",
            trigger: "button:contains('Export for the Regulator')",
            run: "click",
        },
        {
            content: "Both formats are offered",
            trigger: ".modal .o_field_widget[name=file_format] input[data-value=csv]",
        },
        {
            trigger: ".modal-footer button:contains('Cancel')",
            run: "click",
        },
        {
            content: "Back on the register",
            trigger: "body:not(:has(.modal)) .o_list_view",
        },
    ],
});
