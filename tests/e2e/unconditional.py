"""`python -m tests.e2e.unconditional serve ...`: the service with the writes that end a live
record made unconditional, for the negative controls of test_end_races.py only. The app is
made in gunicorn's master process, so its workers inherit the switch."""

from dutyservice import db
from dutyservice.console import main

db.ENDS_ARE_CONDITIONAL = False
main()
