"""The ``kompetens`` command line.

Messages to the user are in Swedish, like the app, and no command shows a
traceback (every command runs inside :func:`_guarded`). Exit codes:

0 done; 1 rejected input (the report says what to fix; for ``doctor``: a problem
was found); 2 usage error (also: no database); 3 refused (an undo that would break
later imports, a database made by a newer version, or another writer held the
database longer than ``KOMPETENS_LOCK_TIMEOUT`` seconds); 4 unexpected error
(a Swedish message; ``KOMPETENS_DEBUG=1`` shows the traceback); 130 interrupted.

Commands that change data take the writer lock and publish a snapshot when they
are done; commands that only read use the published snapshot and never wait
(``kompetens.ops.database``, docs/operations.md).
"""

from __future__ import annotations

from kompetens import wiring
from kompetens.cli import arshjul, benchmarks, brief, data, ops, profiles, prognos, settings, users
from kompetens.cli.common import GuardedTyper

app = GuardedTyper(
    name="kompetens",
    help="Kompetens – nyckeltal för kompetensförsörjning (ARUBA) i skolan.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _wire() -> None:
    wiring.wire()  # before any command opens a database


# Every command, registered here in the order `kompetens --help` lists them.
app.command()(data.demo)
app.command("import")(data.import_)
app.command()(data.imports)
app.command()(data.undo)
app.command()(data.template)
app.command("figures")(data.figures)
app.add_typer(users.users_app, name="users")
app.command("brief")(brief.brief)
app.command("prognos")(prognos.prognos)
app.command("arshjul")(arshjul.arshjul)
app.command("settings")(settings.settings)
app.command("backup")(ops.backup_)
app.command("restore")(ops.restore_)
app.command("doctor")(ops.doctor_)
app.command("watch")(ops.watch_)
app.add_typer(profiles.profiles_app, name="profiles")
app.add_typer(benchmarks.benchmarks_app, name="benchmarks")

users_app = users.users_app
profiles_app = profiles.profiles_app

__all__ = ["app", "profiles_app", "users_app"]
