from . import call_events
