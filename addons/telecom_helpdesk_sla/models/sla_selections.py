"""Selections shared by the SLA, escalation, routing and incident models."""

# helpdesk_mgmt's priority keys, read as the NOC's P1..P4
PRIORITIES = [
    ("3", "P1 - Critical"),
    ("2", "P2 - High"),
    ("1", "P3 - Medium"),
    ("0", "P4 - Low"),
]

IMPACTS = [
    ("1", "Extensive (many subscribers)"),
    ("2", "Significant (a site, a business)"),
    ("3", "Moderate (a few subscribers)"),
    ("4", "Individual (one subscriber)"),
]

URGENCIES = [
    ("1", "Critical (service down)"),
    ("2", "High (service degraded)"),
    ("3", "Medium (workaround exists)"),
    ("4", "Low (question, request)"),
]

SEGMENTS = [("mass", "Mass Market"), ("vip", "VIP"), ("b2b", "Business")]

TARGET_KINDS = [
    ("first_response", "First Response"),
    ("update", "Periodic Update"),
    ("resolution", "Resolution"),
]

LINE_STATUSES = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("met", "Met"),
    ("breached", "Breached"),
    ("cancelled", "Cancelled"),
]

TICKET_SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("paused", "Paused"),
    ("met", "Met"),
]

PAUSE_REASONS = [
    ("stage", "Waiting Stage"),
    ("incident", "Mass Incident"),
]

EVENT_TYPES = [
    ("started", "Started"),
    ("paused", "Paused"),
    ("resumed", "Resumed"),
    ("warned", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
    ("reopened", "Reopened"),
    ("recomputed", "Recomputed"),
    ("cancelled", "Cancelled"),
]

ESCALATION_LEVELS = [
    ("1", "1 - Front Office"),
    ("2", "2 - Technical Support"),
    ("3", "3 - NOC / Engineering"),
    ("4", "4 - Management"),
]

INCIDENT_STATES = [
    ("open", "Open"),
    ("identified", "Cause Identified"),
    ("monitoring", "Monitoring"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]
ACTIVE_INCIDENT_STATES = ("open", "identified", "monitoring")

INCIDENT_SEVERITIES = [
    ("critical", "Critical"),
    ("major", "Major"),
    ("minor", "Minor"),
]

SATISFACTION = [
    ("1", "1 - Very Dissatisfied"),
    ("2", "2 - Dissatisfied"),
    ("3", "3 - Neutral"),
    ("4", "4 - Satisfied"),
    ("5", "5 - Very Satisfied"),
]
# "How likely are you to recommend us?" from 0 (not at all) to 10 (extremely)
RECOMMENDATION = [(str(score), str(score)) for score in range(11)]
