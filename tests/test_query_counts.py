"""The hot pages stay within a fixed number of SQL queries, whatever the amount of data (no N+1 loops).

The limits are what the pages take today on the demo jurisdiction plus a small margin; a page that starts
querying per row blows through them at once (the demo's lists have 50 rows a page).
"""

import pytest

pytestmark = pytest.mark.django_db

# (path, limit) as 绩效科 (jxk), who sees the most of the city
HOT_PAGES = [
    ("/", 20),  # 17 measured
    ("/targets/", 17),  # 14
    ("/monitoring/", 21),  # 18
    ("/projects/", 17),  # 14
]


@pytest.mark.parametrize("path,limit", HOT_PAGES)
def test_hot_page_query_count(path, limit, client_as, django_assert_max_num_queries):
    client = client_as("jxk")
    client.get(path)  # the session's first request settles the second-factor state; measure a steady one
    with django_assert_max_num_queries(limit):
        r = client.get(path)
    assert r.status_code == 200
