"""The users table."""

from tortoise import fields
from tortoise.models import Model


class User(Model):
    id = fields.BigIntField(primary_key=True)
    # Stored normalised (lowercase), so uniqueness ignores letter case.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"
