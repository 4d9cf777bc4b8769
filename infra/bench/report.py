"""The bench's one table (Markdown): a row per figure, a column per binary, and the ratio the
issue's targets are stated in."""

import math
from collections import Counter

SUBJECTS = ("purchase-token", "callback", "futurepay-sweep", "store-floor", "empty-runtime", "peer")
HEADERS = ("figure", *SUBJECTS, "ratio")


def percentile(values, q):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def pair(values, q1, q2):
    return f"{ms(percentile(values, q1))} / {ms(percentile(values, q2))}" if values else "–"


def kib(size):
    return f"{size / 1024:.1f} KB"


def ses_operation(request):
    """SES v2 is REST: the operation is in the path."""
    return "SendEmail" if request.operation.endswith("/outbound-emails") else request.operation


def describe(requests):
    """`TransactWriteItems 7.4 KB 12 CU, UpdateItem ×2 …`: one invocation's requests in order,
    repeats of the same operation folded; a failed request marked with its status."""
    parts = []
    for r in requests:
        operation = r.operation if r.service == "dynamodb" else f"SES {ses_operation(r)}"
        label = operation if r.status < 300 else f"{operation}!{r.status}"
        text = f"{label} {kib(r.request_bytes)}" if r.service == "dynamodb" else label
        if r.capacity is not None:
            text += f" {r.capacity:g} CU"
        if parts and parts[-1][0] == text:
            parts[-1][1] += 1
        else:
            parts.append([text, 1])
    return ", ".join(text if n == 1 else f"{text} ×{n}" for text, n in parts) or "none"


def requests_rows(label, rounds):
    """Counts (DynamoDB and SES on the path, DynamoDB after the reply), the sequence seen most
    often, and in how many of the rounds it was seen."""
    dynamo = [len([r for r in path if r.service == "dynamodb"]) for path, _ in rounds]
    ses = [len([r for r in path if r.service == "ses"]) for path, _ in rounds]
    after = [len(after) for _, after in rounds]
    reported = [r.capacity for path, _ in rounds for r in path if r.capacity is not None]
    capacity = [sum(r.capacity or 0 for r in path) for path, _ in rounds]
    units = f"{max(capacity):g} CU" if reported else "no ConsumedCapacity in the responses"
    sent = [sum(r.request_bytes for r in path if r.service == "dynamodb") for path, _ in rounds]
    store_s = [sum(r.upstream_seconds for r in path if r.service == "dynamodb") for path, _ in rounds]
    sequences = Counter(describe(path) for path, _ in rounds)
    common, times = sequences.most_common(1)[0]
    span = lambda v: f"{min(v)}" if min(v) == max(v) else f"{min(v)}–{max(v)}"  # noqa: E731
    return {
        "count": f"{span(dynamo)} DynamoDB + {span(ses)} SES (then {span(after)} after the reply)",
        "detail": f"{common} [{times}/{len(rounds)}]; {kib(max(sent))} sent, {units}",
        "label": label,
        "dynamo_p50": percentile(dynamo, 0.5),
        "store_ms": f"{percentile(store_s, 0.5) * 1000:.1f}",
    }


class Table:
    def __init__(self):
        self.rows = []

    def add(self, figure, cells, ratio=""):
        self.rows.append((figure, *[cells.get(s, "") for s in SUBJECTS], ratio))

    def markdown(self):
        lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def ratio(numerator, denominator, text):
    return f"{numerator / denominator:.2f}× {text}" if denominator else ""
