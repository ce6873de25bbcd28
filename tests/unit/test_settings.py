"""Configuration is read once from the environment and checked."""

from __future__ import annotations

import pytest

from trove.settings import SettingsError, load_settings

SECRET = "s" * 32


def test_defaults_give_a_local_development_setup(tmp_path):
    settings = load_settings({"TROVE_VAR_DIR": str(tmp_path)})

    assert settings.database_url == f"sqlite://{tmp_path}/trove.sqlite3"
    assert settings.pixabay_key is None
    assert settings.pixabay_url == "https://pixabay.com/api/"
    assert settings.token_ttl == 3600
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.env == "development"
    assert settings.bcrypt_rounds == 12


def test_the_development_secret_is_generated_once_and_kept(tmp_path):
    first = load_settings({"TROVE_VAR_DIR": str(tmp_path)}).jwt_secret
    second = load_settings({"TROVE_VAR_DIR": str(tmp_path)}).jwt_secret

    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TROVE_PORT": "eighty"}, "TROVE_PORT must be a whole number, not 'eighty'"),
        ({"TROVE_PORT": "70000"}, "TROVE_PORT must be between 1 and 65535, not 70000"),
        ({"TROVE_JWT_SECRET": "short"}, "TROVE_JWT_SECRET must be at least 32 bytes"),
        ({"TROVE_PIXABAY_URL": "ftp://x/"}, "TROVE_PIXABAY_URL must be an http(s) URL"),
        ({"TROVE_DATABASE_URL": "mysql://x/y"}, "TROVE_DATABASE_URL must start with"),
        ({"TROVE_TOKEN_TTL": "5"}, "TROVE_TOKEN_TTL must be between 60"),
        ({"TROVE_ENV": "staging"}, "TROVE_ENV must be one of development, production"),
        ({"TROVE_PIXABAY_TIMEOUT": "-1"}, "TROVE_PIXABAY_TIMEOUT must be between"),
    ],
)
def test_a_wrong_value_names_the_variable(tmp_path, env, message):
    with pytest.raises(SettingsError) as caught:
        load_settings({"TROVE_VAR_DIR": str(tmp_path), **env})

    assert str(caught.value).startswith(message)


def test_production_refuses_to_start_without_a_secret(tmp_path):
    with pytest.raises(SettingsError, match="TROVE_JWT_SECRET is required"):
        load_settings({"TROVE_VAR_DIR": str(tmp_path), "TROVE_ENV": "production"})


def test_production_refuses_a_low_bcrypt_cost(tmp_path):
    env = {
        "TROVE_ENV": "production",
        "TROVE_JWT_SECRET": SECRET,
        "TROVE_BCRYPT_ROUNDS": "10",
    }

    with pytest.raises(SettingsError, match="TROVE_BCRYPT_ROUNDS"):
        load_settings(env)


def test_secrets_stay_out_of_the_settings_repr(tmp_path):
    settings = load_settings(
        {
            "TROVE_JWT_SECRET": SECRET,
            "TROVE_PIXABAY_KEY": "the-pixabay-key",
            "TROVE_DATABASE_URL": "postgres://trove:hunter2@db:5432/trove",
        }
    )

    text = repr(settings)

    assert SECRET not in text
    assert "the-pixabay-key" not in text
    assert "hunter2" not in text


def test_redis_and_proxy_settings_are_checked(tmp_path):
    base = {"TROVE_VAR_DIR": str(tmp_path)}

    settings = load_settings(
        {
            **base,
            "TROVE_REDIS_URL": "redis://127.0.0.1:6379/2",
            "TROVE_TRUSTED_PROXIES": "10.0.0.5, 172.16.0.0/12",
        }
    )

    assert settings.redis_url == "redis://127.0.0.1:6379/2"
    assert [str(n) for n in settings.trusted_proxies] == [
        "10.0.0.5/32",
        "172.16.0.0/12",
    ]
    with pytest.raises(SettingsError, match="TROVE_REDIS_URL"):
        load_settings({**base, "TROVE_REDIS_URL": "http://cache"})
    with pytest.raises(SettingsError, match="TROVE_TRUSTED_PROXIES"):
        load_settings({**base, "TROVE_TRUSTED_PROXIES": "nginx"})
