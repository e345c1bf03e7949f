"""The package: dutyservice, with the repository's migrations/ and fixtures/ inside it.

migrations/ and fixtures/ stay at the repository's root; the wheel carries them as
dutyservice._migrations and dutyservice._fixtures, so that an installed service migrates and
seeds with no source tree (dutyservice/shipped.py finds them). Everything else is in setup.cfg.
"""

from setuptools import find_packages, setup

SHIPPED = {
    "dutyservice._migrations": "migrations",
    "dutyservice._migrations.versions": "migrations/versions",
    "dutyservice._fixtures": "fixtures",
}

setup(
    packages=[*find_packages(include=["dutyservice", "dutyservice.*"]), *SHIPPED],
    package_dir=SHIPPED,
    package_data={
        "dutyservice._migrations": ["script.py.mako"],
        "dutyservice._fixtures": ["*.json"],
    },
)
