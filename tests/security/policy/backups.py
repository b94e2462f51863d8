"""Who may call the backups routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import INSTALLATION, ORGANIZATION, Rule, api, page

RULES: list[Rule] = [
    # A backup holds every organization of the installation: its first organization's admins.
    api("GET", "/backups", INSTALLATION, ORGANIZATION),
    page("GET POST", "backups/", INSTALLATION, ORGANIZATION),
    page("POST", "backups/run/", INSTALLATION, ORGANIZATION),
]
