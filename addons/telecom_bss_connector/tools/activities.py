"""System alerts as activities, whoever runs the code that raises them."""


def schedule_system_activity(records, summary, note, user_id, kind="todo"):
    """Schedule an activity posted by OdooBot on ``records``.

    The activity's assignment e-mail needs a sender address, which the user a
    job or an API call runs as (an agent, an integration user) may lack; nor may
    that user write the record the alert is about.
    """
    root = records.env.ref("base.user_root")
    activity_type = {
        "todo": "mail.mail_activity_data_todo",
        "warning": "mail.mail_activity_data_warning",
    }[kind]
    # sudo: a system alert, posted by OdooBot on the record it is about
    return (
        records.with_user(root)
        .sudo()
        .activity_schedule(activity_type, summary=summary, note=note, user_id=user_id)
    )
