"""The export-worksheet command, registered on the `portal` command group."""

import os

import click

from portal.cli import current_plan_or_exit, portal_cli
from portal.monitoring.worksheet import build_worksheet, worksheet_docx
from portal.plan.models import Strategy


@portal_cli.command("export-worksheet")
@click.option("--strategy", "key", required=True, help="Key of the strategy whose worksheet to write.")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The Word (.docx) file to write; an existing file is replaced.",
)
def export_worksheet_command(key, output):
    """Write a strategy's Progress Monitoring Planning Table (Steps 2-4) as a Word document."""
    if not output.lower().endswith(".docx"):
        raise click.BadParameter(f"{output!r} does not end in .docx; the file is a Word document, so name it FILE.docx.", param_hint="--output")
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise click.BadParameter(f"The folder {folder} does not exist; create it or choose another path.", param_hint="--output")
    plan = current_plan_or_exit()
    strategy = Strategy.get_or_none((Strategy.plan == plan) & (Strategy.key == key))
    if strategy is None:
        keys = ", ".join(s.key for s in Strategy.select().where(Strategy.plan == plan).order_by(Strategy.position))
        raise click.BadParameter(f"{key!r} is not a strategy of the plan. Its strategies are: {keys}.", param_hint="--strategy")
    content = worksheet_docx(build_worksheet(strategy))
    with open(output, "wb") as handle:
        handle.write(content)
    click.echo(f"Wrote the worksheet of {strategy.key!r} to {output}.")
