"""--fail-under gates: `metric=value` pairs checked against a run's metrics, for CI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from talkrag.ingest.errors import InputError

# Lower is better for these; a gate on them fails when the metric is above the value.
LOWER_IS_BETTER = frozenset(
    {"answers_with_unsupported", "answerable_refused", "claims_uncited", "verifier_parse_failures"}
)


def parse_gates(specs: Sequence[str]) -> dict[str, float]:
    """{'metric': value} from 'metric=value' strings; a malformed one is an InputError."""
    gates = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        try:
            gates[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise InputError(
                f"--fail-under {spec!r}: write metric=value, e.g. claims_supported=0.8"
            )
    return gates


def failed_gates(metrics: Mapping[str, float | None], gates: Mapping[str, float]) -> list[str]:
    """One line per gate the metrics miss; an unknown metric name is an InputError."""
    failed = []
    for name, bound in gates.items():
        if name not in metrics:
            known = ", ".join(sorted(metrics))
            raise InputError(f"--fail-under: no metric named {name!r}; known: {known}")
        value = metrics[name]
        worse = name in LOWER_IS_BETTER
        if value is None or (value > bound if worse else value < bound):
            relation = "above" if worse else "under"
            failed.append(f"{name} = {value} is {relation} the gate {bound:g}")
    return failed
