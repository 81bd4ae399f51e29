"""Scope checks of the cockpit pages and API operations, merged into tests/test_scope_walk.py."""


def check_home(client_as, users, dw_project):
    assert client_as("jxk").get("/cockpit/").status_code == 200


PAGES = {"cockpit:home": check_home}
API = {}
