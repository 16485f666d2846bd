from django.db import models


class Note(models.Model):
    """A shop table with rows, so the additive change and its index have work to do."""

    text = models.CharField(max_length=200)
