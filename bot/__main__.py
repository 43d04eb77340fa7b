"""`python -m bot` runs the command line, as the `forumbot` command does."""

from bot.cli import main

main()
