"""The `estbot` command: every sub-command, registered in the order `estbot --help` lists them."""

from __future__ import annotations

import typer

from bot.cli import data, db, privacy, reports, run, staff, trial

app = typer.Typer(
    help="estbot: safety observations from field staff, and the situation pictures made of them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold the token
)

# the order here is the order of `estbot --help`
app.command("run")(run.run)
app.command("invite")(staff.invite)
app.command("users")(staff.users)
app.command("revoke")(staff.revoke)
app.command("org")(staff.org)
app.command("digest")(reports.digest)
app.command("export")(data.export)
app.command("purge")(privacy.purge)
app.command("audit")(privacy.audit)
app.command("mydata")(privacy.mydata)
app.command("demo")(reports.demo)
app.command("try")(trial.try_bot)
app.add_typer(data.import_app, name="import")
app.add_typer(db.db_app, name="db")


def main() -> None:
    """The console script `estbot`."""
    app()


if __name__ == "__main__":
    main()
