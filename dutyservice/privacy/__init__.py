"""Data protection: subject access, retention and erasure, and accounting for reads.

The top of the domain chain: it reads every table that names an officer, and nothing beneath
it imports it.
"""
