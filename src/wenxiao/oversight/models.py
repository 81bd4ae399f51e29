"""考核与综合评价: models."""

from django.db import models  # noqa: F401
