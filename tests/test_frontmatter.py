"""Front matter: splitting, YAML with file line numbers, encodings and line endings."""

from __future__ import annotations

import pytest

from sitegen.frontmatter import FrontMatterError, normalise_text, parse_document


def test_splits_front_matter_and_body_with_line_numbers() -> None:
    doc = parse_document("---\ntitle: A\ndate: 2022-12-30\n---\nBody line\n")
    assert doc.data == {"title": "A", "date": "2022-12-30"}
    assert doc.key_lines == {"title": 2, "date": 3}
    assert doc.body == "Body line\n"
    assert doc.body_line == 5


def test_dates_stay_as_written_not_shifted_to_utc() -> None:
    doc = parse_document("---\ntitle: A\ndate: 2013-10-28 20:14:39 -0500\n---\n")
    assert doc.data["date"] == "2013-10-28 20:14:39 -0500"


def test_yaml_error_names_the_files_own_line() -> None:
    with pytest.raises(FrontMatterError) as err:
        parse_document("---\ntitle: A\ndate: 2022-12-30\ntopics: [a, b\nsummary: x\n---\n")
    assert err.value.line == 4  # where the unclosed bracket opened
    assert "YAML syntax error" in err.value.message


def test_unclosed_quote_names_the_line_where_it_opened() -> None:
    with pytest.raises(FrontMatterError) as err:
        parse_document('---\ntitle: "A\ndate: 2022-12-30\nsummary: x\n---\n')
    assert err.value.line == 2


def test_unclosed_front_matter_is_reported_at_line_one() -> None:
    with pytest.raises(FrontMatterError) as err:
        parse_document("---\ntitle: A\n\nno closing fence\n")
    assert err.value.line == 1
    assert "never closed" in err.value.message


def test_missing_opening_fence_is_an_error() -> None:
    with pytest.raises(FrontMatterError, match="must start with a `---`"):
        parse_document("title: A\n---\n")


def test_front_matter_that_is_a_list_is_an_error() -> None:
    with pytest.raises(FrontMatterError, match="key: value"):
        parse_document("---\n- a\n- b\n---\n")


def test_bom_and_crlf_are_normalised() -> None:
    text = normalise_text(b"\xef\xbb\xbf---\r\ntitle: A\r\n---\r\nBody\r\n")
    assert text == "---\ntitle: A\n---\nBody\n"
    assert parse_document(text).data == {"title": "A"}
