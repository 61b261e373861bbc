"""One typed ``Settings`` object, read from ``config.toml`` plus environment overrides.

Every setting is declared once in ``REGISTRY`` with its type, default and help text;
``config.example.toml`` documents each (a test checks that). A bad file is refused with a message
naming the file, the key and what was expected, and nothing starts.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.types import DEFAULT_STRANDS, ENCODER_BACKENDS

ENV_PREFIX = "HATE_MONITOR_"
DEV_SECRET = "change-me-development-only"  # noqa: S105 (the value production refuses)
# The audit chain's HMAC key (monitor/audit/chain.py): environment only, never a setting.
AUDIT_KEY_ENV = "HATE_MONITOR_AUDIT_KEY"
MIN_AUDIT_KEY_LENGTH = 32
# HMAC-SHA256 signs the session cookies: a key shorter than the hash gives away strength.
MIN_SECRET_BYTES = 32


class ConfigError(Exception):
    """A configuration problem, phrased for the administrator who has to fix it."""


@dataclass(frozen=True, slots=True)
class Setting:
    key: str  # "section.name"
    type: type
    default: Any
    help: str
    env: str | None = None  # environment variable that overrides the file
    secret: bool = False
    check: Callable[[Any], str | None] | None = None  # returns a problem, or None


def _positive(v: Any) -> str | None:
    return None if v > 0 else "a number greater than 0"


def _unit(v: Any) -> str | None:
    return None if 0.0 <= v <= 1.0 else "a number between 0 and 1"


def _port(v: Any) -> str | None:
    return None if 0 < v < 65536 else "a port number between 1 and 65535"


def _database_url(v: Any) -> str | None:
    """A URL this build can open, checked at load so a typo is one clear line, not a traceback
    from deep in SQLAlchemy at the first query."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(v).get_backend_name()
    except ArgumentError:
        return "a URL like sqlite:///data/hate-monitor.db or postgresql://user@host/db"
    if backend not in ("sqlite", "postgresql"):
        return f"a sqlite:/// or postgresql:// URL (this build cannot use {backend!r})"
    return None


def _nonempty_list(v: Any) -> str | None:
    return None if v and all(isinstance(s, str) and s for s in v) else "a non-empty list of names"


def _networks(v: Any) -> str | None:
    for entry in v:
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            return f"a list of IP addresses or networks ({entry!r} is neither)"
    return None


REGISTRY: tuple[Setting, ...] = (
    Setting("service.host", str, "127.0.0.1", "Address the web service listens on."),
    Setting("service.port", int, 8080, "Port the web service listens on.", check=_port),
    Setting(
        "service.base_url",
        str,
        "",
        "Public URL of the service, used in links (alerts, invitations, bot tokens, OpenAPI). "
        "Empty: derived from service.host and service.port (the address actually served).",
    ),
    Setting(
        "service.secret_key",
        str,
        DEV_SECRET,
        "Signs session cookies and CSRF tokens. Set a long random value outside development.",
        env="HATE_MONITOR_SECRET_KEY",
        secret=True,
    ),
    Setting(
        "service.environment",
        str,
        "development",
        "development or production; production refuses the default secret key.",
        check=lambda v: (
            None if v in ("development", "production") else "'development' or 'production'"
        ),
    ),
    Setting(
        "service.secure_cookies",
        bool,
        False,
        "Mark cookies Secure (true when served behind HTTPS).",
    ),
    Setting("service.session_hours", int, 12, "Hours a login stays valid.", check=_positive),
    Setting(
        "service.trusted_proxies",
        list,
        [],
        "Addresses or networks of the reverse proxies in front of the service; only from these "
        "is X-Forwarded-For believed (login throttling is per client address).",
        check=_networks,
    ),
    Setting(
        "database.url",
        str,
        "sqlite:///data/hate-monitor.db",
        "SQLAlchemy URL: sqlite:///PATH (default) or postgresql://user@host/db.",
        env="HATE_MONITOR_DATABASE_URL",
        check=_database_url,
    ),
    Setting(
        "model.path",
        str,
        "",
        "Classifier artefact directory; empty uses the model shipped with the package.",
    ),
    Setting(
        "model.embedder",
        str,
        "",
        "sentence-transformers model directory; empty uses the bundled all-MiniLM-L6-v2.",
    ),
    Setting("model.batch_size", int, 64, "Posts scored per batch.", check=_positive),
    Setting(
        "model.backend",
        str,
        "onnx",
        "What runs the encoder: onnx (ONNX Runtime; the same vectors as PyTorch, faster on "
        "CPU) or torch.",
        check=lambda v: None if v in ENCODER_BACKENDS else " or ".join(ENCODER_BACKENDS),
    ),
    Setting(
        "model.quantize",
        bool,
        False,
        "Run the encoder's matrix products in dynamic int8: faster on CPU, different scores "
        "(see the model card's figures before turning it on).",
    ),
    Setting(
        "model.strands",
        list,
        list(DEFAULT_STRANDS),
        "Hate crime strands the model scores and the desk offers.",
        check=_nonempty_list,
    ),
    Setting("priority.weight_hate", float, 0.6, "Weight of p(hate) in the priority.", check=_unit),
    Setting(
        "priority.weight_severity", float, 0.3, "Weight of severity in the priority.", check=_unit
    ),
    Setting(
        "priority.weight_recency", float, 0.1, "Weight of recency in the priority.", check=_unit
    ),
    Setting(
        "priority.recency_half_life_hours",
        float,
        24.0,
        "Age at which the recency term halves.",
        check=_positive,
    ),
    Setting(
        "priority.threat_boost",
        float,
        1.0,
        "Added when severity is 'threat' (and p(hate) is at least priority.threat_min_p), "
        "so threats sit above everything else.",
        check=lambda v: None if v >= 0 else ">= 0",
    ),
    Setting(
        "priority.threat_min_p",
        float,
        0.0,
        "p(hate) a threat also needs for the boost. 0: every post the model labels 'threat' "
        "gets it, whoever is threatened (a threat to a person is a possible crime even when no "
        "protected group is named, and its p(hate) is then low).",
        check=_unit,
    ),
    Setting(
        "priority.unsupported_language",
        float,
        0.5,
        "Neutral priority for posts in a language the model does not read.",
        check=_unit,
    ),
    Setting(
        "examples.load_on_first_run",
        bool,
        False,
        "Import examples.path into an empty database when the service starts.",
    ),
    Setting("examples.path", str, "examples/sample-posts.jsonl", "Sample posts for a first run."),
    Setting(
        "retention.dismissed_days",
        int,
        30,
        "Days before items dismissed as not hate are purged.",
        check=_positive,
    ),
    Setting(
        "retention.case_years",
        int,
        6,
        "Years before case evidence comes up for review.",
        check=_positive,
    ),
    Setting(
        "scheduler.enabled",
        bool,
        True,
        "Run sweeps inside 'serve'; false when a 'hate-monitor worker' runs them.",
    ),
    Setting(
        "scheduler.resync_s",
        int,
        60,
        "Seconds between re-reading sources from the database.",
        check=_positive,
    ),
    Setting(
        "scheduler.misfire_grace_s",
        int,
        600,
        "A run late by up to this many seconds still runs (once).",
        check=_positive,
    ),
    Setting(
        "scheduler.lease_ttl_s",
        int,
        300,
        "Seconds a worker's claim on a source lasts unrenewed (a killed worker's claim expires).",
        check=_positive,
    ),
    Setting(
        "scheduler.backoff_cap_s",
        int,
        21600,
        "Longest wait between retries of a failing source.",
        check=_positive,
    ),
    Setting(
        "scheduler.unhealthy_after",
        int,
        3,
        "Consecutive failures before a source shows unhealthy.",
        check=_positive,
    ),
    Setting(
        "retention.schedule",
        str,
        "cron:30 3 * * *",
        "When the retention job runs (UTC): interval:N[m|h|d] or cron:MIN HOUR DOM MON DOW.",
    ),
    Setting(
        "scoring.deferred",
        bool,
        False,
        "Sweeps store captures unscored and 'hate-monitor worker' processes score them "
        "(several workers share the work through the database). Off: sweeps score inline.",
    ),
    Setting(
        "scoring.batch_size",
        int,
        64,
        "Captures a worker claims and scores at a time.",
        check=_positive,
    ),
    Setting(
        "http.timeout_s",
        float,
        30.0,
        "Total timeout of one outbound HTTP request.",
        check=_positive,
    ),
    Setting(
        "http.user_agent",
        str,
        "hate-monitor/0.1 (police community-safety monitoring)",
        "User-Agent sent to platforms.",
    ),
)

_BY_KEY = {s.key: s for s in REGISTRY}


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, Any]
    path: Path | None = None
    # Sections that are tables of arbitrary shape (e.g. [[sources]], [connectors.*]).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def database_url(self) -> str:
        return str(self.values["database.url"])

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with some keys replaced (tests use ``database__url=...``)."""
        vals = dict(self.values)
        for k, v in overrides.items():
            key = k.replace("__", ".")
            if key not in _BY_KEY:
                raise ConfigError(f"unknown setting {key!r}")
            vals[key] = v
        return Settings(vals, self.path, self.extra)


def _coerce(setting: Setting, value: Any, where: str) -> Any:
    expected = setting.type.__name__
    if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if setting.type is bool and isinstance(value, str):
        low = value.strip().lower()
        if low in ("1", "true", "yes", "on"):
            value = True
        elif low in ("0", "false", "no", "off"):
            value = False
    if setting.type in (int, float) and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = setting.type(value)
    if not isinstance(value, setting.type) or (setting.type is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: {setting.key} must be {_article(expected)}, got {value!r}")
    if setting.check is not None:
        problem = setting.check(value)
        if problem:
            shown = _shown(setting, value)
            raise ConfigError(f"{where}: {setting.key} must be {problem}, got {shown}")
    return value


def _shown(setting: Setting, value: Any) -> str:
    """The value for an error message, without a secret or a password inside a URL."""
    if setting.secret:
        return "(hidden)"
    text = repr(value)
    if setting.key == "database.url" and isinstance(value, str) and "@" in value:
        return repr(value.split("://", 1)[0] + "://(credentials hidden)@" + value.rsplit("@", 1)[1])
    return text


def _article(type_name: str) -> str:
    names = {
        "str": "a string",
        "int": "an integer",
        "float": "a number",
        "bool": "true or false",
        "list": "a list",
    }
    return names.get(type_name, type_name)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and key in {s.key.split(".")[0] for s in REGISTRY}:
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


# Top-level tables other modules own; their shape is checked where they are used.
OPEN_SECTIONS = ("sources", "connectors", "alerts", "auth", "intake")


def _resolve_sqlite_path(url: str, config_path: Path | None) -> str:
    """A relative SQLite path means "next to the config file", not "wherever I was started"."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or config_path is None:
        return url
    rel = url[len(prefix) :]
    if not rel or rel == ":memory:" or Path(rel).is_absolute():
        return url
    return prefix + str(config_path.resolve().parent / rel)


def _check_audit_key(env: Mapping[str, str], environment: str, where: str) -> None:
    """The audit key is read from the environment only (monitor/audit/chain.py), so that it is
    never in the database or a config file beside it. Production refuses to start without one:
    an unkeyed chain can be rewritten by anyone who can write to the database. Development runs
    without one and writes plain SHA-256 events, which verify as before."""
    key = env.get(AUDIT_KEY_ENV, "")
    if key and len(key) < MIN_AUDIT_KEY_LENGTH:
        raise ConfigError(f"environment {AUDIT_KEY_ENV}: use at least {MIN_AUDIT_KEY_LENGTH} "
                          "random characters")
    if not key and environment == "production":
        raise ConfigError(
            f"{where}: {AUDIT_KEY_ENV} is not set; production keys the audit chain with it "
            "(python -c 'import secrets; print(secrets.token_hex(32))', kept outside the "
            "database and its backups)"
        )


def served_url(host: str, port: int) -> str:
    """The address ``serve`` listens on, as a link a person can open."""
    # A wildcard address is not somewhere a browser can go; this machine is.
    wildcard = host in ("", "0.0.0.0")  # noqa: S104 (recognising it, not binding to it)
    shown = "127.0.0.1" if wildcard else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def public_base_url(settings: Settings) -> str:
    """``service.base_url``, or (when unset) the address served: every link the service hands
    out (invitations, the bot-token page, OpenAPI ``servers``, alerts) comes from here, so a
    changed port cannot leave them pointing at the old one."""
    given = str(settings["service.base_url"]).strip().rstrip("/")
    return given or served_url(str(settings["service.host"]), int(settings["service.port"]))


def base_url_mismatch(settings: Settings) -> str | None:
    """What to say at start-up when service.base_url is set and is not the address served."""
    given = str(settings["service.base_url"]).strip().rstrip("/")
    if not given:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(given)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return f"service.base_url {given!r} is not a URL; links will be wrong"
    served = served_url(str(settings["service.host"]), int(settings["service.port"]))
    if given == served:
        return None
    if parts.hostname in ("127.0.0.1", "localhost", "::1") and port != int(
            settings["service.port"]):
        return (f"warning: service.base_url is {given} but the service listens on {served}: "
                "every link it hands out (invitations, bot tokens, OpenAPI) will be wrong; "
                "unset service.base_url to use the address served")
    # Behind a proxy this is expected; said once so nobody wonders where links point.
    return f"links use service.base_url {given} (the service listens on {served})"


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read ``path`` (optional), apply environment overrides, validate everything."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    where = "defaults"
    file_path: Path | None = None
    if path is not None:
        file_path = Path(path)
        where = str(file_path)
        try:
            raw = tomllib.loads(file_path.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise ConfigError(
                f"{file_path}: no such configuration file "
                "(copy config.example.toml to config.toml, or run 'make run')"
            ) from err
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{file_path}: not valid TOML: {err}") from err
        except UnicodeDecodeError as err:
            raise ConfigError(f"{file_path}: not UTF-8 text: {err}") from err

    extra = {k: raw.pop(k) for k in list(raw) if k in OPEN_SECTIONS}
    flat = _flatten(raw)
    values: dict[str, Any] = {}
    for key, value in flat.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            known = ", ".join(sorted({s.key.split(".")[0] for s in REGISTRY} | set(OPEN_SECTIONS)))
            raise ConfigError(
                f"{where}: unknown setting {key!r} (known sections: {known}; "
                "see config.example.toml)"
            )
        values[key] = _coerce(setting, value, where)
    for setting in REGISTRY:
        env_names = [setting.env] if setting.env else []
        env_names.append(ENV_PREFIX + setting.key.replace(".", "_").upper())
        for name in env_names:
            if name in env and env[name] != "":
                values[setting.key] = _coerce(setting, env[name], f"environment {name}")
                break
        values.setdefault(setting.key, setting.default)

    if values["service.environment"] == "production" and values["service.secret_key"] in (
        DEV_SECRET,
        "",
    ):
        raise ConfigError(
            f"{where}: service.secret_key is the development default; set "
            "HATE_MONITOR_SECRET_KEY to a long random value before running in production"
        )
    _check_audit_key(env, values["service.environment"], where)
    if values["service.environment"] == "production" and (
        len(values["service.secret_key"].encode("utf-8")) < MIN_SECRET_BYTES
    ):
        raise ConfigError(
            f"{where}: service.secret_key is shorter than {MIN_SECRET_BYTES} bytes; set "
            "HATE_MONITOR_SECRET_KEY to a long random value (python -c \"import secrets; "
            "print(secrets.token_urlsafe(48))\") before running in production"
        )
    values["database.url"] = _resolve_sqlite_path(values["database.url"], file_path)
    weights = sum(values[f"priority.weight_{n}"] for n in ("hate", "severity", "recency"))
    if weights <= 0:
        raise ConfigError(f"{where}: priority weights must not all be 0")
    return Settings(values, file_path, extra)
