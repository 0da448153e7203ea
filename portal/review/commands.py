"""Review commands, registered on the `portal` command group."""

import json

import click

from portal.cli import CLI_ACTOR, current_plan_or_exit, portal_cli
from portal.plan.models import MonitoringPeriod, Strategy
from portal.review.importing import FeedbackFileError, import_feedback
from portal.review.summary import summary_for


def rows(count):
    return f"{count} row" if count == 1 else f"{count} rows"


@portal_cli.command("import-feedback")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and print what an import would do, without saving anything.")
def import_feedback_command(file, dry_run):
    """Import stakeholder comments and staff replies from a CSV FILE as threads.

    Authors must be on the roster already (import-roster). Prints the threads and replies
    added, the rows already imported, each rejected row with its row number and reason,
    and each row whose reply was left out. Exits with 0 when the file was read.
    """
    plan = current_plan_or_exit()
    try:
        result = import_feedback(plan, file, CLI_ACTOR, dry_run=dry_run)
    except FeedbackFileError as error:
        raise click.ClickException(f"{file} was not imported: {error.message}")

    prefix = "Would add" if dry_run else "Added"
    click.echo(f"{prefix} {result.threads} thread(s) and {result.replies} staff reply(ies)" + ("; nothing was saved (dry run)." if dry_run else "."))
    click.echo(f"Already imported, left unchanged: {rows(result.unchanged)}.")
    click.echo(f"Rejected {rows(len(result.rejected))}" + (":" if result.rejected else "."))
    for problem in result.rejected:
        click.echo(f"  row {problem.row}: {problem.reason}")
    if result.replies_left_out:
        click.echo(f"Imported the comment but not the reply in {rows(len(result.replies_left_out))}:")
        for problem in result.replies_left_out:
            click.echo(f"  row {problem.row}: {problem.reason}")


@portal_cli.command("summary")
@click.option("--strategy", "strategy_key", required=True, help="Key of the strategy.")
@click.option("--period", "period_key", required=True, help="Key of the monitoring period, such as 3m.")
@click.option("--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True, help="Output format.")
def summary_command(strategy_key, period_key, output_format):
    """Print the stakeholder input summary of a strategy in a period.

    A closed period's summary is the one frozen when it was closed; otherwise the figures
    are live. Small groups are suppressed as on the staff pages.
    """
    plan = current_plan_or_exit()
    strategy = Strategy.get_or_none((Strategy.plan == plan) & (Strategy.key == strategy_key))
    if strategy is None:
        keys = ", ".join(s.key for s in Strategy.select().where(Strategy.plan == plan).order_by(Strategy.position))
        raise click.BadParameter(f"{strategy_key!r} is not a strategy of the plan; use one of {keys}", param_hint="--strategy")
    period = MonitoringPeriod.get_or_none((MonitoringPeriod.plan == plan) & (MonitoringPeriod.key == period_key))
    if period is None:
        keys = ", ".join(p.key for p in MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))
        raise click.BadParameter(f"{period_key!r} is not a monitoring period of the plan; use one of {keys}", param_hint="--period")
    click.echo(json.dumps(summary_for(strategy, period), indent=2, ensure_ascii=False))
