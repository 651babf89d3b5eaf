"""Memory for one big statement: ``with work_mem(cr): cr.execute(...)``.

PostgreSQL's default ``work_mem`` (4 MB) makes a hash or a sort of a few
hundred thousand rows spill to temporary files. The statements that aggregate a
batch of 50,000 subscribers or compare half a million members ask for more,
for themselves only: the setting is local to the transaction and put back
afterwards (``set_config(..., true)``, undone by a rollback too).
"""

from contextlib import contextmanager

BIG_STATEMENT_WORK_MEM = "64MB"


@contextmanager
def work_mem(cr, size=BIG_STATEMENT_WORK_MEM):
    cr.execute(
        "SELECT current_setting('work_mem'), set_config('work_mem', %s, true)", [size]
    )
    previous = cr.fetchone()[0]
    yield
    # not on an error: the rollback (of the transaction or savepoint) undoes it
    cr.execute("SELECT set_config('work_mem', %s, true)", [previous])
