"""`python -m talkrag` runs the console command."""

from talkrag.cli import main

main()
