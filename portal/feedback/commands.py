"""Commands of the feedback loop, registered on the `portal` command group."""

from portal.cli import portal_cli  # noqa: F401
