/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** Choose ``label`` in a many2one field of the current form (or row). */
function pickMany2one(fieldSelector, search, label) {
    return [
        {
            trigger: `${fieldSelector} input`,
            run: `edit ${search}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-item a:contains('${label}')`,
            run: "click",
        },
    ];
}

/** A quotation line: a product for a site, in a quantity. */
function addQuotationLine(product, site, quantity) {
    const row = ".o_field_widget[name=order_line] .o_selected_row";
    return [
        {
            content: `Add ${product}`,
            trigger: ".o_field_widget[name=order_line] .o_field_x2many_list_row_add a:first",
            run: "click",
        },
        ...pickMany2one(`${row} .o_field_widget[name=product_template_id]`, product, product),
        ...pickMany2one(`${row} .o_field_widget[name=telecom_site_id]`, site, site),
        {
            trigger: `${row} .o_field_widget[name=product_uom_qty] input`,
            run: `edit ${quantity}`,
        },
        {
            content: "Leave the line",
            trigger: ".o_field_widget[name=telecom_contract_months] input",
            run: "click",
        },
    ];
}

/**
 * A B2B sales manager of one zone, through the CRM app's menus: finds the
 * partner-channel deal a dealer brought, makes its quotation (twelve mobile
 * lines for one site, billed monthly, reaching the 20 % volume tier, and the
 * one-off installation of the site), approves the discount the company's
 * threshold holds back, confirms the quotation and opens the contract it made
 * and the activation requests of the lines. The data is tests/test_tour.py's.
 */
registry.category("web_tour.tours").add("telecom_b2b_partner_deal_to_contract", {
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open the CRM app"),
        {
            content: "The deals brought by partners",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            trigger: ".o_filter_menu .dropdown-item:contains('Partner Channel')",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains('Partner Channel')",
        },
        {
            content: "Open the dealer's deal",
            trigger: ".o_kanban_record:contains('Tour Fleet Deal')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=telecom_b2b_referrer_id] input:value(Tour Dealer)",
        },
        {
            content: "Make its quotation",
            trigger: "button[name=action_sale_quotations_new]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=partner_id] input:value(Tour Holding)",
        },
        ...addQuotationLine("Tour Business Mobile", "Tour Site North", 12),
        {
            content: "Twelve lines at 500 a month, less the 20 % tier",
            trigger: ".o_field_widget[name=telecom_monthly_total]:contains('4,800.00')",
        },
        ...addQuotationLine("Tour Site Installation", "Tour Site North", 1),
        {
            content: "Monthly and one-off fees apart",
            trigger: ".o_field_widget[name=telecom_one_off_total]:contains('5,000.00')",
        },
        {
            content: "Save the quotation",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Twelve lines reach the 20 % tier: above the threshold",
            trigger: ".alert-warning:contains('a B2B sales manager must approve')",
        },
        {
            trigger: ".o_field_widget[name=telecom_monthly_total]:contains('4,800.00')",
        },
        {
            content: "Approve the discount",
            trigger: "button[name=action_telecom_approve_discount]",
            run: "click",
        },
        {
            trigger: ".o_form_view:not(:has(.alert-warning))",
        },
        {
            content: "Confirm the quotation",
            trigger: "button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=sale]",
        },
        {
            content: "Open the contract the deal made",
            trigger: "button[name=action_telecom_view_contracts]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=partner_id] input:value(Tour Holding)",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=draft]",
        },
        {
            content: "Its price terms come from the quotation",
            trigger: ".o_notebook .nav-link:contains('Price Terms')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=price_ids] .o_data_row:contains('Tour Business Mobile')",
        },
        {
            content: "One activation request per mobile line sold",
            trigger: "button[name=action_view_activation_requests] .o_stat_value:contains(/^12$/)",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Requests')",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Site North')",
        },
    ],
});
