"""The email address rules: what is accepted, what is refused, and why."""

import pytest

from trove.accounts.emails import email_problems, normalise_email

ONE_AT = ("email_invalid", "The address needs exactly one @ outside quotes.")
WHITESPACE = (
    "email_invalid",
    "The address may not contain spaces or other whitespace.",
)
EDGE_DOT_IN_LOCAL = (
    "email_invalid",
    "The part before the @ may not start or end with a dot.",
)
IPV4_SHAPE = (
    "email_invalid",
    "An IP address as the domain must be IPv4: four numbers joined by dots, "
    "as in 192.0.2.1 or [192.0.2.1].",
)
OCTET_RANGE = (
    "email_invalid",
    "Each number in an IP address must be from 0 to 255.",
)
TOO_LONG = ("email_too_long", "The address may be at most 254 characters long.")
LOCAL_TOO_LONG = (
    "email_local_part_too_long",
    "The part before the @ may be at most 64 characters long.",
)
UNKNOWN_WEB = (
    "email_unknown_tld",
    'The domain ends in ".web", which is not a known top-level domain.',
)
NON_ASCII = ("email_invalid", "The address may contain only ASCII characters.")


def address_of_length(total: int, local_length: int = 64) -> str:
    """Build a well-formed address of `total` characters ending in .com."""
    long_labels = ("d" * 63 + ".") * 2
    last_label = total - local_length - len("@") - len(long_labels) - len(".com")
    return "l" * local_length + "@" + long_labels + "d" * last_label + ".com"


@pytest.mark.parametrize(
    "address",
    [
        "email@domain.com",
        "firstname.lastname@domain.com",
        "email@subdomain.domain.com",
        "firstname+lastname@domain.com",
        "email@123.123.123.123",
        "email@[123.123.123.123]",
        '"email"@domain.com',
        "1234567890@domain.com",
        "email@domain-one.com",
        "_______@domain.com",
        "email@domain.name",
        "email@domain.co.jp",
        "firstname-lastname@domain.com",
        "peter@microsoft.com",
        "steve.creek@mydomain.net",
    ],
)
def test_msdn_valid_address_has_no_problems(address):
    assert email_problems(address) == []


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param("plainaddress", [ONE_AT], id="plainaddress"),
        pytest.param("#@%^%#$@#$@#.com", [ONE_AT], id="garbage-with-many-ats"),
        pytest.param(
            "@domain.com",
            [("email_invalid", "The part before the @ is missing.")],
            id="missing-local-part",
        ),
        pytest.param(
            "Joe Smith <email@domain.com>", [WHITESPACE], id="display-name"
        ),
        pytest.param("email.domain.com", [ONE_AT], id="no-at-sign"),
        pytest.param("email@domain@domain.com", [ONE_AT], id="two-at-signs"),
        pytest.param(".email@domain.com", [EDGE_DOT_IN_LOCAL], id="leading-dot"),
        pytest.param("email.@domain.com", [EDGE_DOT_IN_LOCAL], id="trailing-dot"),
        pytest.param(
            "email..email@domain.com",
            [
                (
                    "email_invalid",
                    "The part before the @ may not contain two dots in a row.",
                )
            ],
            id="double-dot-in-local-part",
        ),
        pytest.param("あいうえお@domain.com", [NON_ASCII], id="japanese-local-part"),
        pytest.param("email@domain.com (Joe Smith)", [WHITESPACE], id="comment"),
        pytest.param(
            "email@domain",
            [
                (
                    "email_invalid",
                    "The domain needs a top-level domain after a dot, "
                    "as in example.com.",
                )
            ],
            id="no-top-level-domain",
        ),
        pytest.param(
            "email@-domain.com",
            [
                (
                    "email_invalid",
                    "A part of the domain may not start or end with a hyphen.",
                )
            ],
            id="leading-hyphen-in-domain",
        ),
        pytest.param("email@domain.web", [UNKNOWN_WEB], id="web-is-no-tld"),
        pytest.param("email@111.222.333.44444", [OCTET_RANGE], id="bad-ipv4"),
        pytest.param(
            "email@domain..com",
            [("email_invalid", "The domain may not contain two dots in a row.")],
            id="double-dot-in-domain",
        ),
    ],
)
def test_msdn_invalid_address_reports_exactly(address, expected):
    assert email_problems(address) == expected


def test_normalising_lowercases_the_whole_address():
    assert normalise_email("Peter.Smith@Microsoft.COM") == "peter.smith@microsoft.com"


def test_normalising_lowercases_a_quoted_local_part_too():
    assert normalise_email('"John..DOE"@Example.com') == '"john..doe"@example.com'


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("email@123.123.123.123", "email@123.123.123.123"),
        ("email@[10.0.0.255]", "email@10.0.0.255"),
    ],
)
def test_normalising_writes_an_ipv4_domain_without_brackets(address, stored):
    assert normalise_email(address) == stored


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ('"quoted"@Example.com', "quoted@example.com"),
        ('"first.last"@example.com', "first.last@example.com"),
        ('"a b"@example.com', '"a b"@example.com'),
    ],
)
def test_normalising_drops_quotes_a_local_part_does_not_need(address, stored):
    assert normalise_email(address) == stored


def test_normalising_leaves_non_ascii_letters_alone():
    assert normalise_email("ÉMILE@DOMAIN.COM") == "Émile@domain.com"


def test_address_of_254_characters_is_accepted():
    address = address_of_length(254)

    assert len(address) == 254
    assert email_problems(address) == []


def test_address_of_255_characters_is_too_long():
    address = address_of_length(255)

    assert len(address) == 255
    assert email_problems(address) == [TOO_LONG]


def test_local_part_of_64_characters_is_accepted():
    assert email_problems("l" * 64 + "@domain.com") == []


def test_local_part_of_65_characters_is_too_long():
    assert email_problems("l" * 65 + "@domain.com") == [LOCAL_TOO_LONG]


def test_quoted_local_part_counts_its_quotes_towards_64():
    assert email_problems('"' + "q" * 62 + '"@domain.com') == []
    assert email_problems('"' + "q" * 63 + '"@domain.com') == [LOCAL_TOO_LONG]


def test_overlong_address_with_overlong_local_part_reports_both():
    address = address_of_length(255, local_length=65)

    assert email_problems(address) == [TOO_LONG, LOCAL_TOO_LONG]


def test_overlong_address_without_an_at_sign_reports_length_and_shape():
    assert email_problems("x" * 255) == [TOO_LONG, ONE_AT]


@pytest.mark.parametrize(
    "address",
    [
        "email@255.255.255.255",
        "email@[255.255.255.255]",
        "email@0.0.0.0",
        "email@[0.0.0.0]",
    ],
)
def test_ipv4_numbers_from_0_to_255_are_accepted(address):
    assert email_problems(address) == []


@pytest.mark.parametrize(
    "address",
    ["email@256.1.1.1", "email@[1.1.1.256]", "email@1.999.1.1"],
)
def test_ipv4_number_above_255_is_refused(address):
    assert email_problems(address) == [OCTET_RANGE]


@pytest.mark.parametrize("address", ["email@0001.1.1.1", "email@[1.1.1.1000]"])
def test_ipv4_number_of_four_digits_is_refused(address):
    assert email_problems(address) == [
        ("email_invalid", "Each number in an IP address has at most three digits.")
    ]


@pytest.mark.parametrize("address", ["email@01.2.3.4", "email@[1.2.3.010]"])
def test_ipv4_number_with_leading_zero_is_refused(address):
    assert email_problems(address) == [
        ("email_invalid", "A number in an IP address may not start with 0.")
    ]


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("email@1.2.3", id="three-numbers"),
        pytest.param("email@1.2.3.4.5", id="five-numbers"),
        pytest.param("email@[1.2.3.4", id="unclosed-bracket"),
        pytest.param("email@[]", id="empty-brackets"),
        pytest.param("email@[domain.com]", id="hostname-in-brackets"),
        pytest.param("email@[IPv6:2001:db8::1]", id="ipv6"),
    ],
)
def test_domain_that_is_not_a_hostname_must_be_ipv4(address):
    assert email_problems(address) == [IPV4_SHAPE]


@pytest.mark.parametrize(
    "address",
    [
        pytest.param('"john..doe"@example.com', id="double-dot"),
        pytest.param('"a@b"@example.com', id="at-sign"),
        pytest.param('"a\\"b"@example.com', id="escaped-quote"),
        pytest.param('"a\\\\b"@example.com', id="escaped-backslash"),
        pytest.param('"(comment)<x>"@example.com', id="specials"),
    ],
)
def test_quoted_local_part_is_accepted(address):
    assert email_problems(address) == []


@pytest.mark.parametrize(
    ("address", "message"),
    [
        pytest.param(
            '"a\\b"@example.com',
            'Inside quotes, a backslash may only come before " or \\.',
            id="escaped-letter",
        ),
        pytest.param(
            '"unclosed@example.com',
            "The quotes before the @ are not closed.",
            id="unclosed",
        ),
        pytest.param(
            '"a\\"@example.com',
            "The quotes before the @ are not closed.",
            id="closing-quote-escaped",
        ),
        pytest.param(
            '"a"b@example.com',
            'Quotes must hold the whole part before the @, as in '
            '"john..doe"@example.com.',
            id="text-after-quotes",
        ),
        pytest.param(
            'a"b"@example.com',
            "The character \" is not allowed before the @ unless that part is "
            "in quotes.",
            id="quotes-inside-atom",
        ),
        pytest.param(
            '""@example.com', "The quotes before the @ are empty.", id="empty"
        ),
        pytest.param(
            '"a b"@example.com',
            "The address may not contain spaces or other whitespace.",
            id="space-inside",
        ),
        pytest.param(
            '"a"', "The address needs exactly one @ outside quotes.", id="no-at"
        ),
    ],
)
def test_malformed_quoted_local_part_is_refused(address, message):
    assert email_problems(address) == [("email_invalid", message)]


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("josé@example.com", id="accented-local-part"),
        pytest.param("user@bücher.de", id="unicode-domain"),
        pytest.param("user@example.com\u00a0", id="no-break-space"),
        pytest.param('"ü"@example.com', id="inside-quotes"),
    ],
)
def test_non_ascii_address_is_refused(address):
    assert email_problems(address) == [NON_ASCII]


def test_punycode_domain_is_accepted():
    assert email_problems("user@xn--bcher-kva.de") == []


@pytest.mark.parametrize(
    "address",
    [
        "email@domain.COM",
        "email@domain.Name",
        "EMAIL@DOMAIN.CO.JP",
        "user@example.XN--P1AI",
        "user@example.xn--p1ai",
    ],
)
def test_top_level_domain_is_matched_whatever_its_case(address):
    assert email_problems(address) == []


def test_unknown_top_level_domain_is_quoted_as_written():
    assert email_problems("email@domain.WEB") == [
        (
            "email_unknown_tld",
            'The domain ends in ".WEB", which is not a known top-level domain.',
        )
    ]


def test_numeric_top_level_domain_is_read_as_an_ip_address():
    assert email_problems("email@domain.123") == [IPV4_SHAPE]


@pytest.mark.parametrize(
    ("address", "message"),
    [
        pytest.param("", "The address is empty.", id="empty"),
        pytest.param(
            "email@", "The domain after the @ is missing.", id="missing-domain"
        ),
        pytest.param(
            "email@.domain.com",
            "The domain may not start or end with a dot.",
            id="leading-dot-in-domain",
        ),
        pytest.param(
            "email@domain.com.",
            "The domain may not start or end with a dot.",
            id="trailing-dot-in-domain",
        ),
        pytest.param(
            "email@domain-.com",
            "A part of the domain may not start or end with a hyphen.",
            id="trailing-hyphen-in-domain",
        ),
        pytest.param(
            "email@do_main.com",
            "The character _ is not allowed in the domain.",
            id="underscore-in-domain",
        ),
        pytest.param(
            "email@domain.com(comment)",
            "The character ( is not allowed in the domain.",
            id="comment-without-space",
        ),
        pytest.param(
            "<email@domain.com>",
            "The character < is not allowed before the @ unless that part is "
            "in quotes.",
            id="angle-brackets",
        ),
        pytest.param(
            "email@domain.com\n",
            "The address may not contain spaces or other whitespace.",
            id="trailing-newline",
        ),
        pytest.param(
            "\temail@domain.com",
            "The address may not contain spaces or other whitespace.",
            id="leading-tab",
        ),
        pytest.param(
            "email\x00@domain.com",
            "The address may not contain control characters.",
            id="nul",
        ),
        pytest.param(
            "email@domain.com\x7f",
            "The address may not contain control characters.",
            id="delete",
        ),
    ],
)
def test_malformed_address_is_refused_with_a_plain_reason(address, message):
    assert email_problems(address) == [("email_invalid", message)]


def test_domain_label_of_63_characters_is_accepted():
    assert email_problems("email@" + "d" * 63 + ".com") == []


def test_domain_label_of_64_characters_is_refused():
    assert email_problems("email@" + "d" * 64 + ".com") == [
        (
            "email_invalid",
            "Each part of the domain between dots may be at most 63 characters long.",
        )
    ]


def test_bad_local_part_and_unknown_top_level_domain_are_both_reported():
    assert email_problems(".email@domain.web") == [EDGE_DOT_IN_LOCAL, UNKNOWN_WEB]


def test_bad_local_part_and_bad_domain_give_one_shape_message():
    assert email_problems(".email@-domain.com") == [EDGE_DOT_IN_LOCAL]


def test_every_printable_special_character_is_allowed_unquoted():
    assert email_problems("!#$%&'*+/=?^_`{|}~-@domain.com") == []
