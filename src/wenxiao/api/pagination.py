"""The one pagination of every list in the API: ninja's limit/offset with the offset bounded, ids read first.

ninja's own `offset` has no upper bound, so `offset=9223372036854775808` reached the database and failed with a
server error (found by schemathesis). Offsets past 10⁹ rows are refused with 422 like any other bad parameter.
A page of a plain model query reads its ids first, then only those rows (core/paging.py).
"""

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination as _Base

from wenxiao.core.paging import page_rows

MAX_OFFSET = 10**9


class LimitOffsetPagination(_Base):
    class Input(Schema):
        limit: int = Field(settings.PAGINATION_PER_PAGE, ge=1, le=settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        return {
            self.items_attribute: page_rows(queryset, offset, offset + limit),
            "count": self._items_count(queryset),
        }
