"""`python -m tests.e2e.quick_scheduler scheduler`: the scheduler with the jobs it runs every
minute run every five seconds instead, for test_json_logs.py only: the same log, sooner. (As with
a minute, the test has stopped the scheduler well before the jobs' second run.)"""

from datetime import timedelta

from dutyservice.console import main
from dutyservice.scheduler import jobs

jobs.MINUTE_JOBS_EVERY = timedelta(seconds=5)
main()
