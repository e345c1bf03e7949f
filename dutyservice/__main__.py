"""`python -m dutyservice ...`: the same as the `dutyservice` console script."""

from .console import main

main()
