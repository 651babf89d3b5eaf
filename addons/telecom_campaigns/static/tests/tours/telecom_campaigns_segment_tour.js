/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** Open a menu of Telecom / Marketing from the top bar. */
function openMarketingMenu(menuXmlid) {
    return [
        {
            content: "Open the Marketing menu",
            trigger:
                ".o_main_navbar button[data-menu-xmlid='telecom_campaigns.telecom_campaigns_menu_marketing']",
            run: "click",
        },
        {
            trigger: `.o-dropdown--menu .dropdown-item[data-menu-xmlid='telecom_campaigns.${menuXmlid}']`,
            run: "click",
        },
    ];
}

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

/**
 * A marketer of one zone, through the Telecom app's menus: builds a segment
 * without code (a condition and a group of conditions), watches its size change
 * while editing, starts an A/B test on it (two variants, each with its offer,
 * and a holdout), creates the campaign of that segment and test, launches it,
 * sees it running with its results per variant and control, and opens its
 * funnel. The test data (tests/test_tour.py) gives the sizes: 32 subscribers
 * of the marketer's zone, 31 of them at risk 60+, 30 of those with a port-out
 * requested.
 */
registry.category("web_tour.tours").add("telecom_campaigns_segment_ab_test", {
    steps: () => [
        ...stepUtils.goToAppSteps(
            "telecom_subscriber.telecom_subscriber_menu_root",
            "Open the Telecom app"
        ),
        ...openMarketingMenu("telecom_campaigns_menu_segments"),
        {
            content: "Create a segment",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour High Risk",
        },
        {
            content: "No condition yet: every subscriber of my zone",
            trigger: ".o_field_widget[name=preview_count]:contains(/^32$/)",
        },
        {
            content: "Add a condition",
            trigger: ".o_field_widget[name=leaf_condition_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=leaf_condition_ids] .o_selected_row .o_field_widget[name=field_name] select",
            run: "selectByLabel Churn Risk",
        },
        {
            trigger: ".o_field_widget[name=leaf_condition_ids] .o_selected_row .o_field_widget[name=value_number] input",
            run: "edit 60",
        },
        {
            content: "Leave the line",
            trigger: ".o_field_widget[name=name] input",
            run: "click",
        },
        {
            content: "The size follows the condition, before saving",
            trigger: ".o_field_widget[name=preview_count]:contains(/^31$/)",
        },
        {
            content: "Add a group of conditions",
            trigger: ".o_field_widget[name=group_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Any of its conditions",
            trigger: ".modal .o_field_widget[name=match] input[data-value=any]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=child_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal .o_selected_row .o_field_widget[name=field_name] select",
            run: "selectByLabel Port-Out Requested",
        },
        {
            trigger: ".modal .o_selected_row .o_field_widget[name=operator] select:has(option:selected:contains('is true'))",
        },
        {
            content: "Close the group",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The group narrows the size",
            trigger: "body:not(:has(.modal)) .o_field_widget[name=preview_count]:contains(/^30$/)",
        },
        {
            trigger: ".o_field_widget[name=group_ids] .o_data_row:contains('Port-Out Requested')",
        },
        {
            content: "Start an A/B test on the segment (saves it)",
            trigger: "button[name=action_new_ab_test]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=segment_id] input:value(Tour High Risk)",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Offer Test",
        },
        {
            content: "A third of the target kept apart as control group",
            trigger: ".o_field_widget[name=holdout_percent] input",
            run: "edit 30",
        },
        {
            trigger: ".o_field_widget[name=variant_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=variant_ids] .o_selected_row .o_field_widget[name=name] input",
            run: "edit Discount",
        },
        ...pickMany2one(
            ".o_field_widget[name=variant_ids] .o_selected_row .o_field_widget[name=offer_id]",
            "Tour 20",
            "Tour 20% Off"
        ),
        {
            trigger: ".o_field_widget[name=variant_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=variant_ids] .o_data_row:nth-child(2).o_selected_row .o_field_widget[name=name] input",
            run: "edit Free Roaming",
        },
        ...pickMany2one(
            ".o_field_widget[name=variant_ids] .o_selected_row .o_field_widget[name=offer_id]",
            "Tour Roaming",
            "Tour Roaming Option"
        ),
        {
            content: "Save the A/B test",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Tour Offer Test')",
        },
        {
            trigger: "body:not(:has(.o_form_dirty))",
        },
        // the campaign, from the Campaigns menu
        ...openMarketingMenu("telecom_campaigns_menu_campaigns"),
        {
            content: "Create a campaign",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Autumn Retention",
        },
        ...pickMany2one(".o_field_widget[name=segment_id]", "Tour High", "Tour High Risk"),
        ...pickMany2one(".o_field_widget[name=ab_test_id]", "Tour Offer", "Tour Offer Test"),
        {
            content: "The offers are the variants': no campaign offer to choose",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=offer_id]))",
        },
        {
            trigger: ".o_field_widget[name=channel] select",
            run: "selectByLabel SMS",
        },
        {
            content: "Launch the campaign",
            trigger: "button[name=action_launch]",
            run: "click",
        },
        {
            content: "Confirm: freeze the target and make the offers",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The campaign runs",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=running]",
        },
        {
            content: "The subscribers of my zone were targeted",
            trigger: ".oe_stat_button:contains(Targeted) .o_stat_value:contains(/^30$/)",
        },
        {
            content: "Results per variant and for the control group",
            trigger: ".o_notebook .nav-link:contains(Results)",
            run: "click",
        },
        {
            trigger: ".o_telecom_campaign_results tbody tr:eq(0) td:eq(0):contains(Discount)",
        },
        {
            trigger: ".o_telecom_campaign_results tbody tr:eq(1) td:eq(0):contains(Free Roaming)",
        },
        {
            trigger: ".o_telecom_campaign_results tbody tr:eq(2) td:eq(0):contains(Control)",
        },
        {
            content: "Not enough answers yet to name a winner",
            trigger: ".o_field_widget[name=results_html] p:contains(No winner yet)",
        },
        {
            content: "Open the funnel",
            trigger: "button[name=action_view_funnel]",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Campaign Funnel')",
        },
        {
            trigger: ".o_graph_renderer canvas",
        },
        {
            content: "The funnel as a table",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "Every offer of my zone is targeted, none sent yet",
            trigger: ".o_pivot th:contains('1. Targeted')",
        },
        {
            trigger: ".o_pivot:not(:has(th:contains('2. Sent')))",
        },
    ],
});
