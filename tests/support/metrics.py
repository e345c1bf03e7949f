"""Reading a Prometheus text answer back as numbers."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample (0 when absent: a counter not yet incremented)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def endpoint_names(text: str, name: str) -> set[str]:
    """The `endpoint` labels that a metric carries."""
    return {
        s.labels["endpoint"]
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and "endpoint" in s.labels
    }
