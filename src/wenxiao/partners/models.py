"""第三方机构与专家: models."""

from django.db import models  # noqa: F401
