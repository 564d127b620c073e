"""Allow ``python -m plantops``."""

from plantops.cli import main

main()
