"""Report fields: every problem reported at once, each naming its field."""

from __future__ import annotations

import pytest

from monitor.intake.reports import ReportInvalid, normalise_url, parse_report

GOOD = {
    "url": "https://www.facebook.com/groups/town/posts/1",
    "text": "the post as I saw it",
    "platform": "Facebook",
    "group": "Town Square",
    "reason": "it targets our Muslim neighbours",
}


def test_good_report_is_trimmed_and_lower_cased() -> None:
    data = parse_report({**GOOD, "group": "  Town Square "})
    assert data.platform == "facebook"
    assert data.group == "Town Square"
    assert data.author == ""


def test_missing_fields_are_all_named() -> None:
    with pytest.raises(ReportInvalid) as err:
        parse_report({})
    assert set(err.value.errors) == {"url", "text", "platform", "group", "reason"}
    assert "required" in err.value.errors["text"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("javascript:alert(1)", "http:// or https://"),
        ("ftp://example.org/a", "http:// or https://"),
        ("https://user:secret@example.org/p", "user name or password"),
        ("not a url", "http:// or https://"),
        ("https://localhost/post", "must name a website"),
        ("https://[::1/x", "not a valid URL"),
        ("https://example.org/a b", "spaces"),
        ("https://example.org/" + "a" * 3000, "limit is 2048"),
    ],
)
def test_bad_urls_are_refused(url: str, expected: str) -> None:
    with pytest.raises(ReportInvalid) as err:
        parse_report({**GOOD, "url": url})
    assert list(err.value.errors) == ["url"]
    assert expected in err.value.errors["url"]


def test_wrong_types_unknown_platform_nul_and_size() -> None:
    with pytest.raises(ReportInvalid) as err:
        parse_report({**GOOD, "text": 42, "platform": "myspace", "reason": "a\x00b",
                      "group": "g" * 201, "author": ["x"]})
    errors = err.value.errors
    assert "must be a string, got int" in errors["text"]
    assert "platform must be one of" in errors["platform"]
    assert "NUL" in errors["reason"]
    assert "limit is 200" in errors["group"]
    assert "author must be a string" in errors["author"]
    assert "url" not in errors


def test_whitespace_only_is_missing() -> None:
    with pytest.raises(ReportInvalid) as err:
        parse_report({**GOOD, "reason": "   "})
    assert "only spaces" in err.value.errors["reason"]


def test_normalise_url_folds_spellings_of_one_post() -> None:
    a = normalise_url("https://www.Facebook.com/groups/t/posts/1/?utm_source=x&fbclid=y#c")
    b = normalise_url("http://m.facebook.com/groups/t/posts/1")
    assert a == b == "https://facebook.com/groups/t/posts/1"
    assert normalise_url("https://x.org/p?id=2") != normalise_url("https://x.org/p?id=3")
