"""The users table."""

from tortoise import fields
from tortoise.models import Model


class User(Model):
    id = fields.BigIntField(primary_key=True)
    # Stored normalised (lowercase), so uniqueness ignores letter case.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Tokens issued before this moment are refused: set when the password
    # changes, so that a stolen token dies with the old password.
    tokens_valid_after = fields.DatetimeField(null=True)

    class Meta:
        table = "users"


class RevokedToken(Model):
    """A token logged out before it expired, kept until it would expire."""

    jti = fields.CharField(max_length=64, primary_key=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "revoked_tokens"
