"""The scheduler process: the jobs that run on their own, beside the API and the pages."""
