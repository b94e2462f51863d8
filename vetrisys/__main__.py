"""The `vetrisys` command: VetriSys's own commands plus every Django management command."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a command the way `manage.py` would, with VetriSys's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetrisys.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vetrisys", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
