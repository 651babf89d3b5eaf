from . import test_ticket_figures
