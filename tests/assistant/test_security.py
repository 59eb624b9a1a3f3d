"""Safe exposure of the chat server: logins, loopback, rate-limited failures, secrets outside `ps`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.ui.security import ExposureError, LoginGuard, check_exposure, is_loopback, parse_credentials


def test_credentials_must_have_a_user_and_a_password():
    assert parse_credentials("alice:s3cret:with:colons") == ("alice", "s3cret:with:colons")
    assert parse_credentials(None) is None
    for bad in ("alice:", "alice", ":pw", " :pw"):
        with pytest.raises(ExposureError, match="non-empty password"):
            parse_credentials(bad)


def test_serving_beyond_loopback_needs_a_login_or_an_explicit_flag():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert check_exposure("127.0.0.1", False, share=False, allow_unauthenticated=False) == []
    with pytest.raises(ExposureError, match="--auth"):
        check_exposure("0.0.0.0", False, share=False, allow_unauthenticated=False)
    assert "without a login" in check_exposure("0.0.0.0", False, share=False, allow_unauthenticated=True)[0]
    assert check_exposure("0.0.0.0", True, share=False, allow_unauthenticated=False) == []
    assert "public link" in check_exposure("127.0.0.1", False, share=True, allow_unauthenticated=False)[0]


def test_failed_logins_are_rate_limited():
    now = [0.0]
    guard = LoginGuard(("alice", "pw"), max_failures=5, window=60, clock=lambda: now[0])
    assert guard("alice", "pw")
    for _ in range(5):
        assert not guard("alice", "wrong")
    assert not guard("alice", "pw")  # locked for the rest of the minute, even with the right password
    now[0] = 61.0
    assert guard("alice", "pw")


def test_the_cli_refuses_an_open_network_server_and_empty_passwords_before_loading_anything(tmp_path):
    runner = CliRunner()
    refused = runner.invoke(main, ["chat", "--host", "0.0.0.0"])
    assert refused.exit_code == 1 and "--auth" in refused.output and len(refused.output.strip().splitlines()) == 1
    empty = runner.invoke(main, ["chat", "--auth", "alice:"])
    assert empty.exit_code == 1 and "non-empty password" in empty.output
    secret = tmp_path / "login"
    secret.write_text("alice:\n", encoding="utf-8")
    from_file = runner.invoke(main, ["chat", "--auth", f"@{secret}"])
    assert from_file.exit_code == 1 and "non-empty password" in from_file.output  # read from the file, checked
    missing = runner.invoke(main, ["chat", "--auth", "env:CITECHAT_TEST_NO_SUCH_VAR"])
    assert missing.exit_code == 1 and "is not set" in missing.output
