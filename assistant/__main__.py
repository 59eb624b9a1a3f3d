"""``python -m assistant`` runs the citechat command line."""

from assistant.cli import main

main(prog_name="citechat")
