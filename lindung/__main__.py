"""`python -m lindung …`: the same as the `lindung` command."""
from .cli import main

main()
