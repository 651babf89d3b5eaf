/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A corporate contact opens a ticket for one of its sites from the corporate
 * portal, then downloads the month's SLA compliance report.
 */
registry.category("web_tour.tours").add("telecom_b2b_corporate_portal", {
    steps: () => [
        {
            content: "The corporate account shows the contact's site",
            trigger: ".o_telecom_b2b_site:contains('T Site North')",
        },
        {
            content: "Open a new ticket",
            trigger: "a.o_telecom_b2b_new_ticket",
            run: "click",
        },
        {
            content: "Choose the site",
            trigger: "select#site_id",
            run: "selectByLabel T Site North",
        },
        {
            content: "Write the subject",
            trigger: "input[name=subject]",
            run: "edit Tour: no internet at the North site",
        },
        {
            content: "Describe the problem",
            trigger: "textarea[name=description]",
            run: "edit The line is down since this morning.",
        },
        {
            content: "Send the ticket",
            trigger: "form[action='/submitted/ticket'] button[type=submit]",
            run: "click",
        },
        {
            content: "The ticket page shows the new ticket",
            trigger: ".o_portal_helpdesk_sidebar:contains('Tour: no internet at the North site')",
        },
        {
            content: "Back to the portal's home",
            trigger: ".o_portal_submenu a[href='/my/home']",
            run: "click",
        },
        {
            content: "Open the corporate account",
            trigger: ".o_portal_index_card a[href='/my/corporate']",
            run: "click",
        },
        {
            content: "Open the SLA compliance",
            trigger: "a.o_telecom_b2b_sla_link",
            run: "click",
        },
        {
            content: "The month counts the new ticket",
            trigger: "table tr.fw-bold td:contains('Total')",
        },
        {
            content: "Download the XLSX report: it answers with a workbook",
            trigger: "a.o_telecom_b2b_sla_xlsx[href^='/my/corporate/sla/xlsx?month=']",
            async run() {
                const link = document.querySelector("a.o_telecom_b2b_sla_xlsx");
                const response = await fetch(link.getAttribute("href"));
                const type = response.headers.get("Content-Type") || "";
                const disposition = response.headers.get("Content-Disposition") || "";
                const bytes = new Uint8Array(await response.arrayBuffer());
                if (
                    !response.ok ||
                    !type.includes("spreadsheetml") ||
                    !disposition.includes("sla_compliance_") ||
                    bytes[0] !== 0x50 ||
                    bytes[1] !== 0x4b
                ) {
                    throw new Error(
                        `The SLA report is no XLSX download: ${response.status} ${type} ${disposition}`
                    );
                }
                document.body.classList.add("o_telecom_b2b_xlsx_checked");
            },
        },
        {
            content: "The download was checked",
            trigger: "body.o_telecom_b2b_xlsx_checked",
        },
    ],
});
