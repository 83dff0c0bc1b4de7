"""``python -m geo`` runs the incidentmap command."""

from geo.cli import main

main()
