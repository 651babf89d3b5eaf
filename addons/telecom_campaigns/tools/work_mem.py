"""Settings for one big statement: ``with work_mem(cr): cr.execute(...)``.

PostgreSQL's default ``work_mem`` (4 MB) makes a hash or a sort of a few
hundred thousand rows spill to temporary files. The statements that aggregate a
batch of 50,000 subscribers or compare half a million members ask for more,
for themselves only: the setting is local to the transaction and put back
afterwards (``set_config(..., true)``, undone by a rollback too).

They also run without JIT compilation: PostgreSQL compiles the expressions of a
statement it estimates costly, and for these (a count of a segment over a
million subscribers, say) the compilation took longer than it saved: 0.7 s of
2.9 s for a segment's size on the bench of 1,000,000 subscribers.
"""

from contextlib import contextmanager

BIG_STATEMENT_WORK_MEM = "64MB"


@contextmanager
def work_mem(cr, size=BIG_STATEMENT_WORK_MEM):
    cr.execute(
        """SELECT current_setting('work_mem'), current_setting('jit'),
                  set_config('work_mem', %s, true), set_config('jit', 'off', true)""",
        [size],
    )
    previous_size, previous_jit = cr.fetchone()[:2]
    yield
    # not on an error: the rollback (of the transaction or savepoint) undoes it
    cr.execute(
        "SELECT set_config('work_mem', %s, true), set_config('jit', %s, true)",
        [previous_size, previous_jit],
    )
