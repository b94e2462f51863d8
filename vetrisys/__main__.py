"""The `vetrisys` command: VetriSys's own commands plus every Django management command."""

import os
import sys

# Commands documented with a hyphen; Django's command modules use an underscore.
HYPHENATED_COMMANDS = {
    "audit-verify": "audit_verify",
    "messages-send": "messages_send",
    "revenue-verify": "revenue_verify",
    "rotate-keys": "rotate_keys",
    "stock-verify": "stock_verify",
}


def main(argv: list[str] | None = None) -> None:
    """Run a command the way `manage.py` would, with VetriSys's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetrisys.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        args[0] = HYPHENATED_COMMANDS.get(args[0], args[0])
    execute_from_command_line(["vetrisys", *args])


if __name__ == "__main__":
    main()
