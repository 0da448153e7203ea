"""Stakeholder commands, registered on the `portal` command group."""

import click

from portal.cli import CLI_ACTOR, portal_cli
from portal.stakeholders.roster import FIELDS, RosterError, import_roster


def parse_columns(ctx, param, values):
    """Return the --column FIELD=HEADER values as a mapping, or None when none were given."""
    if not values:
        return None
    mapping = {}
    for value in values:
        field, separator, header = value.partition("=")
        field = field.strip()
        if not separator or field not in FIELDS:
            raise click.BadParameter(
                f"{value!r} is not FIELD=HEADER with FIELD one of {', '.join(FIELDS)}", param_hint="--column"
            )
        mapping[field] = header.strip()
    return mapping


def rows(count):
    return f"{count} row" if count == 1 else f"{count} rows"


@portal_cli.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and print what an import would do, without saving anything.")
@click.option(
    "--column",
    "columns",
    multiple=True,
    callback=parse_columns,
    metavar="FIELD=HEADER",
    help=f"Read FIELD ({', '.join(FIELDS)}) from the column headed HEADER; an empty HEADER ignores the field. "
    "Repeat for more fields. Unnamed fields use the last import's mapping or common header names.",
)
def import_roster_command(file, dry_run, columns):
    """Add the stakeholders in a roster FILE (CSV UTF-8, or an Excel .xlsx workbook).

    Prints how many rows were taken, how many were already on the roster (those are left
    as they are), and each rejected row with its row number and reason. Exits with 0 when
    the file was read, rejected rows included.
    """
    try:
        result = import_roster(file, mapping=columns, dry_run=dry_run, actor=CLI_ACTOR)
    except RosterError as error:
        raise click.ClickException(f"{file} was not imported: {error.message}")

    if dry_run:
        click.echo(f"Would take {rows(len(result.taken))}; nothing was saved (dry run).")
    else:
        click.echo(f"Took {rows(len(result.taken))}.")
    click.echo(f"Already on the roster, left unchanged: {rows(result.unchanged)}.")
    click.echo(f"Rejected {rows(len(result.rejected))}" + (":" if result.rejected else "."))
    for rejected in result.rejected:
        click.echo(f"  row {rejected.row}: {rejected.reason}")
