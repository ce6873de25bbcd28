"""The password rules: each one alone, all at once, and the Unicode edges."""

import pytest

from trove.accounts.passwords import password_problems

TOO_SHORT = ("password_too_short", "The password needs at least 8 characters.")
TOO_LONG = ("password_too_long", "The password may have at most 128 characters.")
NO_LOWERCASE = (
    "password_missing_lowercase",
    "The password needs a lowercase letter.",
)
NO_UPPERCASE = (
    "password_missing_uppercase",
    "The password needs an uppercase letter.",
)
NO_DIGIT = ("password_missing_digit", "The password needs a digit.")
NO_SPECIAL = (
    "password_missing_special",
    "The password needs a special character, one that is neither a letter, "
    "a digit nor white space.",
)
CONTROL = (
    "password_has_control_character",
    "The password may not contain control or invisible formatting characters.",
)


@pytest.mark.parametrize("password", ["Aa11%$cccc", "g$jkKK44Q!"])
def test_strong_password_has_no_problems(password):
    assert password_problems(password) == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        pytest.param("Aa1%bcd", TOO_SHORT, id="seven-characters"),
        pytest.param("Aa1%" + "b" * 125, TOO_LONG, id="129-characters"),
        pytest.param("AA11%$CCCC", NO_LOWERCASE, id="no-lowercase"),
        pytest.param("aa11%$cccc", NO_UPPERCASE, id="no-uppercase"),
        pytest.param("Aabb%$cccc", NO_DIGIT, id="no-digit"),
        pytest.param("Aa11bbcccc", NO_SPECIAL, id="no-special"),
        pytest.param("Aa11%$cc\x00c", CONTROL, id="nul"),
    ],
)
def test_each_rule_alone_is_reported_alone(password, problem):
    assert password_problems(password) == [problem]


def test_abc_breaks_length_uppercase_digit_and_special_in_that_order():
    assert password_problems("abc") == [TOO_SHORT, NO_UPPERCASE, NO_DIGIT, NO_SPECIAL]


def test_empty_password_breaks_every_rule_it_can_in_order():
    assert password_problems("") == [
        TOO_SHORT,
        NO_LOWERCASE,
        NO_UPPERCASE,
        NO_DIGIT,
        NO_SPECIAL,
    ]


def test_long_password_missing_everything_lists_too_long_first():
    assert password_problems("a" * 129) == [
        TOO_LONG,
        NO_UPPERCASE,
        NO_DIGIT,
        NO_SPECIAL,
    ]


def test_password_of_8_characters_is_accepted():
    assert password_problems("Aa1%bcde") == []


def test_password_of_128_characters_is_accepted():
    password = "Aa1%" + "b" * 124

    assert len(password) == 128
    assert password_problems(password) == []


def test_password_of_129_characters_is_refused():
    password = "Aa1%" + "b" * 125

    assert len(password) == 129
    assert password_problems(password) == [TOO_LONG]


def test_multibyte_characters_count_as_one_character_each():
    password = "Ää1!ääää"

    assert len(password.encode("utf-8")) == 14
    assert password_problems(password) == []


def test_seven_multibyte_characters_are_too_short_whatever_their_bytes():
    password = "Ää1!😀😀😀"

    assert len(password.encode("utf-8")) == 18
    assert password_problems(password) == [TOO_SHORT]


def test_128_multibyte_characters_are_accepted():
    password = "Ää1!" + "ä" * 124

    assert len(password) == 128
    assert password_problems(password) == []


def test_emoji_counts_as_a_special_character():
    assert password_problems("Aa1😀bcde") == []


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("Ωω1!ωωωω", id="greek-letters"),
        pytest.param("Aa٣!aaaa", id="arabic-indic-digit"),
        pytest.param("Ää1!ßßßß", id="german-letters"),
    ],
)
def test_letters_and_digits_of_any_script_count(password):
    assert password_problems(password) == []


def test_letter_without_case_is_neither_lowercase_nor_uppercase():
    assert password_problems("あいう1!あいう") == [NO_LOWERCASE, NO_UPPERCASE]


def test_space_is_not_a_special_character():
    assert password_problems("Aa1 bcde") == [NO_SPECIAL]


def test_surrounding_spaces_are_kept_and_counted():
    assert password_problems(" Aa1!bc ") == []
    assert password_problems(" Aa1!b ") == [TOO_SHORT]


@pytest.mark.parametrize(
    "character",
    [
        pytest.param("\t", id="tab"),
        pytest.param("\n", id="line-feed"),
        pytest.param("\x7f", id="delete"),
        pytest.param("\x85", id="next-line"),
        pytest.param("\u200b", id="zero-width-space"),
        pytest.param("\u202e", id="right-to-left-override"),
        pytest.param("\ufeff", id="byte-order-mark"),
        pytest.param("\ud800", id="lone-surrogate"),
    ],
)
def test_control_and_invisible_characters_are_refused(character):
    assert password_problems("Aa1!bcde" + character) == [CONTROL]


def test_refused_character_does_not_count_as_special():
    assert password_problems("Aa1bcde\x00") == [NO_SPECIAL, CONTROL]
