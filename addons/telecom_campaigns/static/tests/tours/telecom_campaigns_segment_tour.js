/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A marketer of one zone builds a segment without code (a condition and a
 * group of conditions), watches its size change while editing, then starts an
 * A/B test on it. The test data (tests/test_tour.py) gives the sizes: 3
 * subscribers of the marketer's zone, 2 of them at risk 60+, 1 of those with a
 * port-out requested.
 */
registry.category("web_tour.tours").add("telecom_campaigns_segment_ab_test", {
    steps: () => [
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
            trigger: ".o_field_widget[name=preview_count]:contains(/^3$/)",
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
            trigger: ".o_field_widget[name=preview_count]:contains(/^2$/)",
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
            trigger: "body:not(:has(.modal)) .o_field_widget[name=preview_count]:contains(/^1$/)",
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
            trigger: ".o_field_widget[name=variant_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=variant_ids] .o_selected_row .o_field_widget[name=name] input",
            run: "edit Discount",
        },
        {
            trigger: ".o_field_widget[name=variant_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=variant_ids] .o_data_row:nth-child(2).o_selected_row .o_field_widget[name=name] input",
            run: "edit Free Roaming",
        },
        {
            content: "Save the A/B test",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Tour Offer Test')",
        },
    ],
});
