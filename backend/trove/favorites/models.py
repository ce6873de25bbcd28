"""The favorites table."""

from tortoise import fields
from tortoise.models import Model


class Favorite(Model):
    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="favorites", on_delete=fields.CASCADE
    )
    media_type = fields.CharField(max_length=5)
    media_id = fields.BigIntField()
    # Trove's normalised item as it was when the favorite was made, so that
    # listing favorites never has to ask Pixabay.
    media = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "favorites"
        unique_together = (("user", "media_type", "media_id"),)
        # Newest first is newest id first: these serve the listing, with and
        # without the media type filter, as index-only range scans.
        indexes = (("user", "id"), ("user", "media_type", "id"))
