"""Commands that deliver mail, registered on the `portal` command group."""

from portal.cli import portal_cli  # noqa: F401
