"""The printable HTML report inside an evidence pack, rendered from the pack's JSON document.

Rendering from the JSON (not from the database) guarantees the two say the same thing. Post text
is hostile input: Jinja autoescaping renders it as text, and the page's own Content-Security-Policy
forbids scripts, so even a viewer that ignores escaping bugs runs nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2

from monitor.review import vocabulary

_TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Evidence pack {{ case.reference }}</title>
<style>
body { font-family: sans-serif; max-width: 60em; margin: 1em auto; color: #111; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #999; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { width: 14em; background: #eee; }
pre.post { white-space: pre-wrap; word-break: break-word; border: 1px solid #999; padding: 0.5em; }
code { word-break: break-all; }
.warning { color: #a00; font-weight: bold; }
section.item { page-break-inside: avoid; border-top: 2px solid #333; margin-top: 1.5em; }
@media print { a { color: #000; } }
</style>
</head>
<body>
<h1>Evidence pack {{ case.reference }}</h1>
<p>Generated {{ generated_at | when }} by {{ generated_by }} (hate-monitor {{ tool_version }}) for
  {{ recipient }}. Justification: {{ justification }}</p>
<p>Every file in this pack is listed with its SHA-256 in <code>manifest.sha256</code>
  (check with <code>sha256sum -c manifest.sha256</code>). Raw captures are exactly as received
  from the platform; their SHA-256 was taken at capture time.</p>

<h2>Case summary</h2>
<table>
<tr><th>Reference</th><td>{{ case.reference }}</td></tr>
<tr><th>Title</th><td>{{ case.title }}</td></tr>
<tr><th>Status</th><td>{{ case.status_label }}</td></tr>
<tr><th>Crime reference</th><td>{{ case.crime_reference or "none" }}</td></tr>
<tr><th>Strands</th><td>{{ case.strands | labels("strand", "none recorded") }}</td></tr>
<tr><th>Possible offences</th><td>{% for o in case.offences %}{{ o.label }}<br>{% else %}none
  recorded{% endfor %}</td></tr>
<tr><th>Cyber-enabled</th><td>{{ "yes" if case.cyber_enabled else "no" }}</td></tr>
<tr><th>Perceived as hostile by</th><td>{{ case.perception | label("perceiver", "not
  recorded") }}</td></tr>
<tr><th>Created</th><td>{{ case.created_at | when }} by {{ case.created_by }}</td></tr>
<tr><th>Assignee</th><td>{{ case.assignee or "none" }}</td></tr>
<tr><th>Review date</th><td>{{ case.review_date }}</td></tr>
<tr><th>Items</th><td>{{ items | length }}</td></tr>
</table>

<h2>Items</h2>
{% for it in items %}
<section class="item">
<h3>Item {{ loop.index }}: {{ it.platform }} post {{ it.post_id }}</h3>
{% for c in it.captures %}
<h4>Capture {{ c.capture_id }} (version {{ c.version }})</h4>
{% if not c.raw_hash_ok %}<p class="warning">The raw capture no longer matches the SHA-256
  recorded at capture time.</p>{% endif %}
<table>
<tr><th>URL</th><td><code>{{ c.url }}</code></td></tr>
<tr><th>Platform ids</th><td>post {{ it.post_id }}{% if c.thread_id %}, thread {{ c.thread_id }}
  {% endif %}{% if c.parent_id %}, in reply to {{ c.parent_id }}{% endif %}</td></tr>
<tr><th>Author</th><td>{{ c.author_handle }}{% if c.author_id %} (id {{ c.author_id }})
  {% endif %}</td></tr>
<tr><th>Created (platform)</th><td>{% if c.created_at_known is sameas false %}unknown: the
  platform's date could not be read (see the raw capture); not later than {{ c.created_at | when }}
  {% else %}{{ c.created_at | when }}{% endif %}</td></tr>
<tr><th>Captured</th><td>{{ c.captured_at | when }} by hate-monitor {{ c.tool_version }}
  ({{ c.origin }})</td></tr>
<tr><th>Raw capture</th><td><code>{{ c.file }}</code> ({{ c.raw_content_type }})</td></tr>
<tr><th>SHA-256 (raw, at capture)</th><td><code>{{ c.raw_sha256 }}</code></td></tr>
<tr><th>SHA-256 (text)</th><td><code>{{ c.content_sha256 }}</code></td></tr>
{% if c.payload %}<tr><th>Whole response</th><td><code>{{ c.payload.file }}</code>, SHA-256
  <code>{{ c.payload.sha256 }}</code></td></tr>{% endif %}
</table>
<p>Text as captured:</p>
<pre class="post">{{ c.text }}</pre>
{% endfor %}
<h4>Decisions</h4>
{% for d in it.decisions %}
<p>{{ d.created_at | when }}, {{ d.user }}: <strong>{{ d.outcome | label("outcome") }}</strong>
  {% if d.strands %}({{ d.strands | labels("strand") }}){% endif %}
  {% if d.perceived_by %}, perceived by {{ d.perceived_by | label("perceiver") }}{% endif %}
  {% if d.offences %}, offences {{ d.offences | labels("offence", sep="; ") }}{% endif %}.
  Model score at the time: {{ d.p_hate_at_decision }}. Rationale: {{ d.rationale }}
  {% if d.undone_at %}<em>(undone {{ d.undone_at | when }})</em>{% endif %}</p>
{% else %}<p>No decision recorded before escalation.</p>{% endfor %}
</section>
{% endfor %}

<h2>Case history</h2>
<table>
<tr><th>When</th><th>Who</th><th>What</th><th>Why</th></tr>
{% for h in history %}
<tr><td>{{ h.at | when }}</td><td>{{ h.user }}</td>
  <td>{{ h.kind | replace("_", " ") }}{% if h.to_status %}
  ({{ h.from_status | label("case_status", "") }} →
  {{ h.to_status | label("case_status") }}){% endif %}</td><td>{{ h.reason }}</td></tr>
{% endfor %}
</table>

<h2>Notes</h2>
{% for n in notes %}<p>{{ n.at | when }}, {{ n.user }}:</p><pre class="post">{{ n.body }}</pre>
{% else %}<p>No notes.</p>{% endfor %}
</body>
</html>
"""

_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _when(value: Any) -> str:
    """The JSON document carries ISO 8601 (machines read it); the report shows seconds and zone."""
    if not value:
        return ""
    try:
        return vocabulary.when(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


_env.filters["when"] = _when
_env.filters["label"] = lambda code, kind, empty="-": vocabulary.label(kind, code, empty=empty)
_env.filters["labels"] = lambda codes, kind, empty="-", sep=", ": sep.join(
    vocabulary.label(kind, c) for c in codes) or empty


def render_report(document: dict[str, Any]) -> str:
    return _env.from_string(_TEMPLATE).render(**document)
