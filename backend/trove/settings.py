"""Configuration, read from the environment and checked once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from trove.accounts.tokens import MAX_LIFETIME
from trove.proxies import parse_networks

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
MIN_SECRET_BYTES = 32


class SettingsError(Exception):
    """A variable is missing or wrong; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    pixabay_key: str | None
    pixabay_url: str
    pixabay_timeout: float
    jwt_secret: str
    token_ttl: int
    host: str
    port: int
    env: str
    workers: int
    bcrypt_rounds: int
    frontend_dir: Path | None
    redis_url: str | None
    trusted_proxies: tuple
    failed_logins_per_account: int
    failed_logins_per_client: int
    registrations_per_client: int
    # TROVE_BENCH_SKIP_VALIDATION=1: benchmarks only, refused in production.
    bench_skip_validation: bool = False

    @property
    def production(self) -> bool:
        return self.env == "production"

    def __repr__(self) -> str:
        # Secrets stay out of logs and tracebacks.
        return (
            f"Settings(database={_redacted_url(self.database_url)!r}, "
            f"pixabay_url={self.pixabay_url!r}, env={self.env!r}, "
            f"redis={_redacted_url(self.redis_url or '')!r}, "
            f"host={self.host!r}, port={self.port})"
        )


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (the process environment by default).

    Raises SettingsError naming the first variable that is missing or wrong.
    """
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("TROVE_VAR_DIR") or DEFAULT_VAR_DIR)

    mode = _choice(env, "TROVE_ENV", ("development", "production"), "development")
    database_url = env.get("TROVE_DATABASE_URL") or f"sqlite://{var_dir}/trove.sqlite3"
    _check_database_url(database_url)

    rounds = int(_number(env, "TROVE_BCRYPT_ROUNDS", 12, 4, 16, integer=True))
    if mode == "production" and rounds < 12:
        raise SettingsError("TROVE_BCRYPT_ROUNDS must be at least 12 in production")

    return Settings(
        database_url=database_url,
        pixabay_key=env.get("TROVE_PIXABAY_KEY") or None,
        pixabay_url=_pixabay_url(env.get("TROVE_PIXABAY_URL")),
        pixabay_timeout=_number(env, "TROVE_PIXABAY_TIMEOUT", 10.0, 0.1, 120.0),
        jwt_secret=_jwt_secret(env.get("TROVE_JWT_SECRET"), mode, var_dir),
        token_ttl=int(
            _number(env, "TROVE_TOKEN_TTL", 3600, 60, MAX_LIFETIME, integer=True)
        ),
        host=env.get("TROVE_HOST") or "127.0.0.1",
        port=int(_number(env, "TROVE_PORT", 8000, 1, 65535, integer=True)),
        env=mode,
        workers=int(_number(env, "TROVE_WORKERS", 1, 1, 64, integer=True)),
        bcrypt_rounds=rounds,
        frontend_dir=_frontend_dir(env.get("TROVE_FRONTEND_DIR"), mode),
        redis_url=_redis_url(env.get("TROVE_REDIS_URL")),
        trusted_proxies=_proxies(env.get("TROVE_TRUSTED_PROXIES")),
        failed_logins_per_account=int(
            _number(env, "TROVE_FAILED_LOGINS_PER_ACCOUNT", 10, 1, 10_000, integer=True)
        ),
        failed_logins_per_client=int(
            _number(env, "TROVE_FAILED_LOGINS_PER_CLIENT", 30, 1, 10_000, integer=True)
        ),
        registrations_per_client=int(
            _number(env, "TROVE_REGISTRATIONS_PER_CLIENT", 20, 1, 10_000, integer=True)
        ),
        bench_skip_validation=_bench_skip_validation(env, mode),
    )


def _choice(env, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = env.get(name) or default
    if value not in allowed:
        raise SettingsError(
            f"{name} must be one of {', '.join(allowed)}, not {value!r}"
        )
    return value


def _number(env, name, default, low, high, integer=False):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise SettingsError(f"{name} must be {kind}, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {raw}")
    return value


def _check_database_url(url: str) -> None:
    scheme = urlsplit(url).scheme
    if scheme not in ("sqlite", "postgres", "postgresql", "asyncpg"):
        raise SettingsError(
            "TROVE_DATABASE_URL must start with sqlite:// or postgres://, "
            f"not {scheme + '://' if scheme else 'nothing'}"
        )


def _pixabay_url(raw: str | None) -> str:
    url = raw or "https://pixabay.com/api/"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"TROVE_PIXABAY_URL must be an http(s) URL, not {url!r}")
    if parts.query or parts.fragment:
        raise SettingsError("TROVE_PIXABAY_URL must have no query or fragment")
    return url if url.endswith("/") else url + "/"


def _jwt_secret(raw: str | None, mode: str, var_dir: Path) -> str:
    if raw:
        if raw.startswith("change-me") or len(raw.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(
                f"TROVE_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes "
                "of random data"
            )
        return raw
    if mode == "production":
        raise SettingsError("TROVE_JWT_SECRET is required when TROVE_ENV=production")
    return _development_secret(var_dir)


def _development_secret(var_dir: Path) -> str:
    """Generate the development secret once and keep it under `var/`."""
    path = var_dir / "jwt-secret"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        draft = var_dir / f".jwt-secret.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        try:
            # A hard link appears whole or not at all: when several workers
            # start at once, the first one's secret is the one everybody reads.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _redis_url(raw: str | None) -> str | None:
    if not raw:
        return None
    if urlsplit(raw).scheme not in ("redis", "rediss", "unix"):
        raise SettingsError(
            "TROVE_REDIS_URL must start with redis://, rediss:// or unix://"
        )
    return raw


def _proxies(raw: str | None) -> tuple:
    try:
        return parse_networks(raw or "")
    except ValueError:
        raise SettingsError(
            f"TROVE_TRUSTED_PROXIES must list IP addresses or networks, not {raw!r}"
        ) from None


def _bench_skip_validation(env, mode: str) -> bool:
    """Whether to serve without the spec's checks, as `bench/` measures.

    Refused outright in production, so that a stray variable stops the
    start instead of silently serving unchecked input.
    """
    raw = env.get("TROVE_BENCH_SKIP_VALIDATION") or ""
    if raw and mode != "development":
        raise SettingsError(
            "TROVE_BENCH_SKIP_VALIDATION is for benchmarks only; "
            "unset it when TROVE_ENV=production"
        )
    if raw not in ("", "1"):
        raise SettingsError(f"TROVE_BENCH_SKIP_VALIDATION must be 1, not {raw!r}")
    return raw == "1"


def _frontend_dir(raw: str | None, mode: str) -> Path | None:
    if raw:
        path = Path(raw)
        if not (path / "index.html").is_file():
            raise SettingsError(f"TROVE_FRONTEND_DIR has no index.html: {raw!r}")
        return path
    default = PROJECT_ROOT / "frontend"
    if mode == "development" and (default / "index.html").is_file():
        return default
    return None


def _redacted_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
