"""The one pagination of every list in the API: ninja's limit/offset with the offset bounded.

ninja's own `offset` has no upper bound, so `offset=9223372036854775808` reached the database and failed with a
server error (found by schemathesis). Offsets past 10⁹ rows are refused with 422 like any other bad parameter.
"""

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination as _Base

MAX_OFFSET = 10**9


class LimitOffsetPagination(_Base):
    class Input(Schema):
        limit: int = Field(settings.PAGINATION_PER_PAGE, ge=1, le=settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
