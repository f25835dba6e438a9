"""`issue_dev_token` (behind `imet dev-token`) and `verifier_from_settings`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.signing.issuer import issue_dev_token
from imet.cli import app
from shared.auth.configured import verifier_from_settings
from shared.auth.jwks import FileJwksSource, UrlJwksSource
from shared.settings import PlatformSettings


def test_dev_token_for_an_sco_carries_its_country(key_dir: Path) -> None:
    settings = PlatformSettings(auth_jwks_file=key_dir / "jwks.json", auth_jwks_url=None)

    token = issue_dev_token(
        key_dir, "sco", country="COL", issuer=settings.auth_issuer, audience=settings.auth_audience
    )

    principal = verifier_from_settings(settings).verify(token)
    assert principal.roles == frozenset({"sco"})
    assert principal.country == "COL"


def test_dev_token_refuses_an_unknown_role(key_dir: Path) -> None:
    with pytest.raises(ValueError, match="superuser"):
        issue_dev_token(key_dir, "superuser")


def test_dev_token_refuses_an_sco_without_country(key_dir: Path) -> None:
    with pytest.raises(ValueError, match="country"):
        issue_dev_token(key_dir, "sco")


def test_settings_with_a_jwks_url_verify_against_that_url(tmp_path: Path) -> None:
    settings = PlatformSettings(
        auth_jwks_url="https://issuer.example/jwks", auth_jwks_file=tmp_path
    )

    verifier = verifier_from_settings(settings)

    assert isinstance(verifier.jwks_source, UrlJwksSource)


def test_settings_without_jwks_use_the_given_fallback_file(tmp_path: Path) -> None:
    settings = PlatformSettings(auth_jwks_url=None, auth_jwks_file=None)

    verifier = verifier_from_settings(settings, fallback_jwks_file=tmp_path / "jwks.json")

    assert isinstance(verifier.jwks_source, FileJwksSource)
    assert verifier.jwks_source.path == tmp_path / "jwks.json"


def test_settings_without_any_jwks_are_refused() -> None:
    settings = PlatformSettings(auth_jwks_url=None, auth_jwks_file=None)

    with pytest.raises(ValueError, match="AUTH_JWKS"):
        verifier_from_settings(settings)


def test_dev_tokens_of_one_role_can_name_distinct_people(key_dir: Path) -> None:
    settings = PlatformSettings(auth_jwks_file=key_dir / "jwks.json", auth_jwks_url=None)
    verifier = verifier_from_settings(settings)

    names = ("vetter-ana", "vetter-ben")
    issuer, audience = settings.auth_issuer, settings.auth_audience

    tokens = [issue_dev_token(key_dir, "vetter", subject=name, issuer=issuer, audience=audience)
              for name in names]  # fmt: skip

    assert [verifier.verify(t).subject for t in tokens] == list(names)


def test_dev_token_without_subject_keeps_the_role_based_default(key_dir: Path) -> None:
    settings = PlatformSettings(auth_jwks_file=key_dir / "jwks.json", auth_jwks_url=None)

    token = issue_dev_token(key_dir, "sco", country="GTM", issuer=settings.auth_issuer,
                            audience=settings.auth_audience)  # fmt: skip

    assert verifier_from_settings(settings).verify(token).subject == "dev-sco-gtm"


def test_dev_token_refuses_an_empty_subject(key_dir: Path) -> None:
    with pytest.raises(ValueError, match="subject"):
        issue_dev_token(key_dir, "vetter", subject=" ")


def test_the_dev_token_command_names_the_subject_it_is_given(key_dir: Path) -> None:
    settings = PlatformSettings(auth_jwks_file=key_dir / "jwks.json", auth_jwks_url=None)

    result = CliRunner().invoke(app, ["dev-token", "--role", "auditor", "--subject", "auditor-eve",
                                      "--key-dir", str(key_dir)])  # fmt: skip

    assert result.exit_code == 0, result.output
    assert verifier_from_settings(settings).verify(result.stdout.strip()).subject == "auditor-eve"


def test_the_dev_token_command_refuses_to_run_in_production(
    key_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMET_ENV", "production")
    monkeypatch.setenv("AUTH_JWKS_FILE", str(key_dir / "jwks.json"))

    result = CliRunner().invoke(app, ["dev-token", "--role", "admin", "--key-dir", str(key_dir)])

    assert result.exit_code == 2
    assert not (key_dir / "private_jwks.json").exists()
