"""A paginator for wide list queries: the page's ids first, then only those rows with their joins and subqueries.

A list of 15,000 projects ordered by code with three budget subqueries per row made SQLite compute the
subqueries for every row before sorting; ordering narrow id rows and then fetching 30 wide ones is several
times cheaper. Same pages, same order, same counts as Django's Paginator.
"""

from django.core.paginator import Paginator


class IdsFirstPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
