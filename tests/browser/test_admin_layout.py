"""The admin's lists fit the window: no page scrolls sideways at 360 or 1280 px, with the sidebar.

Django's CSS gives the content beside the navigation sidebar `calc(100% - 299px)` for a 23 px
sidebar toggle; ours is 24 px wide (a 24 px target), so a list whose table fills the content
(invoices, payments, order parts, e-services) ran one pixel past the window.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.browser.conftest import staff_sign_in
from tests.factories import StaffFactory

LISTS = [
    "admin:billing_invoice_changelist",
    "admin:billing_payment_changelist",
    "admin:orders_orderpart_changelist",
    "admin:eservices_eservice_changelist",
    "admin:orders_order_changelist",
    "admin:index",
]


@pytest.mark.django_db(transaction=True)
def test_admin_lists_do_not_scroll_sideways_at_1280_or_360_px(page):
    call_command("seed_demo", stdout=StringIO())
    StaffFactory(username="vaditaja", is_superuser=True)
    page.goto("/admin/")
    staff_sign_in(page, "vaditaja")
    page.locator("#content-main").wait_for()

    wider = {}
    for name in LISTS:
        for width, height in ((1280, 800), (360, 740)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(reverse(name))
            page.locator("#content-main").wait_for()
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wider[(name, width)] = scroll
    # The sidebar closed: the content takes the width the toggle leaves.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(reverse(LISTS[0]))
    page.locator("#toggle-nav-sidebar").click()
    page.locator(".main.shifted").wait_for(state="detached")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > 1280:
        wider[(LISTS[0], "sidebar closed")] = scroll

    assert wider == {}
