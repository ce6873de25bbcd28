"""Registering, logging in and out, and tokens that end, in a real browser."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    FAILED_LOGINS_PER_ACCOUNT,
    PASSWORD,
    PageWatch,
    Stack,
    log_in,
    new_email,
    session_token,
)
from trove.accounts.emails import email_problems
from trove.accounts.passwords import password_problems
from trove.accounts.tokens import TokenSigner

pytestmark = pytest.mark.e2e

RULES = [
    "password_too_short",
    "password_missing_lowercase",
    "password_missing_uppercase",
    "password_missing_digit",
    "password_missing_special",
    "password_too_long",
]


def rule_states(page: Page) -> dict[str, str]:
    checklist = page.get_by_role("list", name="Password rules")
    return {
        code: checklist.locator(f'[data-rule="{code}"]').get_attribute("data-met")
        for code in RULES
    }


def test_register_refuses_a_weak_password_then_accepts_a_strong_one(
    page: Page, watch: PageWatch
):
    email = new_email()
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    password = page.get_by_label("Password", exact=True)

    password.fill("weakpass")
    page.get_by_role("button", name="Register").click()

    assert rule_states(page) == {
        "password_too_short": "true",
        "password_missing_lowercase": "true",
        "password_missing_uppercase": "false",
        "password_missing_digit": "false",
        "password_missing_special": "false",
        "password_too_long": "true",
    }
    expect(page.locator("#register-password-error")).to_have_text(
        "The password does not meet every rule in the list yet."
    )
    expect(password).to_have_attribute("aria-invalid", "true")
    assert watch.api_calls("POST", "/api/v1/users") == []

    password.fill(PASSWORD)
    assert set(rule_states(page).values()) == {"true"}
    page.get_by_role("button", name="Register").click()

    page.wait_for_url("**/search")
    expect(page.locator("#account-email")).to_have_text(email)
    assert len(watch.api_calls("POST", "/api/v1/users")) == 1


def test_register_shows_the_servers_refusal_next_to_the_field(page: Page, stack: Stack):
    taken = stack.register()
    page.goto("/register")
    email = page.get_by_label("Email")
    page.get_by_label("Password", exact=True).fill(PASSWORD)

    email.fill("someone@example.notarealtld")
    page.get_by_role("button", name="Register").click()

    expect(page.locator("#register-email-error")).to_have_text(
        'The domain ends in ".notarealtld", which is not a known top-level domain.'
    )
    expect(email).to_have_attribute("aria-invalid", "true")

    email.fill(taken)
    page.get_by_role("button", name="Register").click()

    expect(page.locator("#register-email-error")).to_have_text(
        "A user with this email address exists."
    )
    expect(page).to_have_url(re.compile(r"/register$"))


def test_login_with_a_wrong_password_shows_the_servers_answer(page: Page, stack: Stack):
    email = stack.register()
    page.goto("/login")

    log_in(page, email, "Wrong-password-1")

    expect(page.get_by_role("alert")).to_have_text(
        "The email address or the password is wrong."
    )
    expect(page).to_have_url(re.compile(r"/login$"))


def test_too_many_failed_logins_say_how_long_to_wait(page: Page, stack: Stack):
    email = stack.register()
    answers = [
        stack.http.post(
            "/api/v1/tokens", json={"email": email, "password": "Wrong-password-1"}
        ).status_code
        for _ in range(FAILED_LOGINS_PER_ACCOUNT)
    ]
    assert answers == [401] * FAILED_LOGINS_PER_ACCOUNT
    page.goto("/login")

    log_in(page, email)

    expect(page.get_by_role("alert")).to_have_text(
        re.compile(
            r"^There were too many attempts in a short time\. "
            r"Try again in \d+ seconds\.$"
        )
    )
    expect(page).to_have_url(re.compile(r"/login$"))


def test_logging_out_forgets_and_revokes_the_token(page: Page, user: str, stack):
    token = session_token(page)

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(r"/login\?reason=logged-out$"))
    assert _refused_soon(stack, token)
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    kept = page.evaluate(
        "[...Object.values(sessionStorage), ...Object.values(localStorage)]"
    )
    assert not any(token in value for value in kept)

    page.goto("/favorites")

    expect(page).to_have_url(re.compile(r"/login\?next=%2Ffavorites$"))
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_an_expired_token_leads_to_login_and_back_to_the_same_search(
    page: Page, stack: Stack, user: str
):
    page.goto("/search?media_type=video&q=music")
    expect(page.locator(".grid > .card").first).to_be_visible()
    me = stack.http.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {session_token(page)}"}
    ).json()
    # Signed with the server's own secret, but a minute past its expiry.
    expired = TokenSigner(stack.jwt_secret, ttl=-60).issue(me["id"]).value
    page.evaluate(
        """token => {
            const session = JSON.parse(sessionStorage.getItem("trove.session"));
            sessionStorage.setItem(
                "trove.session", JSON.stringify({ ...session, token }));
        }""",
        expired,
    )

    page.reload()

    expect(page).to_have_url(re.compile(r"/login\?next=.*&reason=expired$"))
    expect(page.get_by_text("Your session has ended.")).to_be_visible()

    log_in(page, user)

    page.wait_for_url(re.compile(r"/search\?media_type=video&q=music$"))
    expect(page.get_by_role("radio", name="Videos")).to_be_checked()
    expect(page.get_by_role("searchbox", name="Keywords")).to_have_value("music")
    expect(page.locator(".grid > .card").first).to_be_visible()


def test_a_session_past_its_expiry_time_asks_to_log_in_before_any_request(
    page: Page, watch: PageWatch, user: str
):
    page.evaluate(
        """() => {
            const session = JSON.parse(sessionStorage.getItem("trove.session"));
            sessionStorage.setItem(
                "trove.session", JSON.stringify({ ...session, expiresAt: 0 }));
        }"""
    )

    page.get_by_role("link", name="Favorites").click()

    expect(page).to_have_url(re.compile(r"/login\?next=%2Ffavorites&reason=expired$"))
    assert watch.api_calls("GET", "/api/v1/users/me/favorites") == []

    log_in(page, user)

    page.wait_for_url(re.compile(r"/favorites$"))
    expect(page.get_by_role("heading", name="Favorites")).to_be_visible()


EMAILS = [
    "peter@microsoft.com",
    "Peter.Parker+tag@Example.COM",
    '"john..doe"@example.com',
    '"with \\"escaped\\" quotes"@example.com',
    "a@[192.0.2.1]",
    "a@192.0.2.1",
    "",
    "no-at-sign.example.com",
    "two@@example.com",
    "a@b@example.com",
    ".dot@example.com",
    "dot.@example.com",
    "do..t@example.com",
    "sp ace@example.com",
    "tab\t@example.com",
    "ünï@example.com",
    "a@-host.com",
    "a@host-.com",
    "a@localhost",
    "a@example..com",
    "a@exa_mple.com",
    "a@01.2.3.4",
    "a@256.1.1.1",
    "a@1.2.3",
    "a@[1.2.3.4",
    '"unclosed@example.com',
    '""@example.com',
    '"a\\b"@example.com',
    '"a"b@example.com',
    "x" * 65 + "@example.com",
    "a@" + "b" * 64 + ".com",
    "a@" + "b." * 130 + "com",
]
PASSWORDS = [
    "",
    "Sh0rt!",
    "alllowercase",
    "ALLUPPER1!",
    "NoDigits!!",
    "NoSpecial12",
    "Good$Pass1",
    "ÄÖÜäöü1!x",
    "Ωmega1!xyz",
    "pass word1A",
    "with\ttab1A!",
    "zero\u200bwidth1A!",
    "emoji😀Aa1xx",
    "½Aa!bbbbb",
    "١٢٣Aa!bbbb",
    "x" * 126 + "A1!",
    "😀" * 125 + "aA1",
]


def test_the_browser_checks_the_same_rules_as_the_server(page: Page):
    page.goto("/login")

    found = page.evaluate(
        """async ([emails, passwords]) => {
            const rules = await import("/js/rules.js");
            return {
                emails: emails.map(e => rules.emailProblems(e).map(p => p.code)),
                passwords: passwords.map(
                    p => rules.passwordReport(p).problems.map(q => q.code)),
            };
        }""",
        [EMAILS, PASSWORDS],
    )

    # The list of top-level domains is the server's alone.
    expected_emails = [
        sorted(code for code, _ in email_problems(email) if code != "email_unknown_tld")
        for email in EMAILS
    ]
    expected_passwords = [
        sorted(code for code, _ in password_problems(password))
        for password in PASSWORDS
    ]
    assert [sorted(codes) for codes in found["emails"]] == expected_emails
    assert [sorted(codes) for codes in found["passwords"]] == expected_passwords


def _refused_soon(stack, token: str) -> bool:
    """Whether the API refuses `token` within a few seconds of logging out."""
    for _ in range(50):
        answer = stack.http.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
        )
        if answer.status_code == 401:
            return True
        time.sleep(0.1)
    return False
