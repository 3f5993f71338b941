"""File sizes in Latvian plurals (Django's own Latvian catalogue has its three byte forms in the
wrong order: "1 baitu", "2 baits") and in English."""

import pytest
from django.template import Context, Template
from django.utils import translation

from manskonts.templatetags.manskonts import file_size


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 baitu"),
        (1, "1 baits"),
        (2, "2 baiti"),
        (11, "11 baiti"),
        (21, "21 baits"),
        (111, "111 baiti"),
        (193, "193 baiti"),
        (1023, "1023 baiti"),
        (1024, "1,0 KB"),
        (1536, "1,5 KB"),
        (5 * 1024 * 1024, "5,0 MB"),
    ],
)
def test_file_size_in_latvian_takes_the_form_its_number_asks_for(size, shown):
    with translation.override("lv"):
        assert file_size(size) == shown.replace(" ", "\xa0")


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 bytes"), (1, "1 byte"), (2, "2 bytes"), (21, "21 bytes"), (1536, "1,5 KB")],
)
def test_file_size_in_english(size, shown):
    with translation.override("en"):
        assert file_size(size) == shown.replace(" ", "\xa0")


def test_file_size_filter_is_a_builtin_of_every_template():
    with translation.override("lv"):
        assert Template("{{ n|file_size }}").render(Context({"n": 193})) == "193\xa0baiti"
