"""With TRUSTED_HOSTS set, a request naming another host is refused (400), from the page cache
too; the policy's links never name the host a request gave."""

from app import create_app
from config import build_config
from tests.conftest import app_config


def test_trusted_hosts_come_from_the_environment(tmp_path):
    config = build_config(str(tmp_path), {"TRUSTED_HOSTS": "cookies.example.org, .example.net"})
    assert config["TRUSTED_HOSTS"] == ["cookies.example.org", ".example.net"]
    assert build_config(str(tmp_path), {})["TRUSTED_HOSTS"] is None


def test_a_forged_host_is_refused_and_the_right_one_served(app, database_url, tmp_path):
    guarded = create_app(
        app_config(database_url, TRUSTED_HOSTS=["cookies.example.org"], CHARTE_SIGNAL_FILE=str(tmp_path / "signal"))
    )
    client = guarded.test_client()
    good = client.get("/fr/cookies", headers={"Host": "cookies.example.org"})
    assert good.status_code == 200
    # The links name no host (relative, PUBLIC_URL unset): a Host header can never be echoed.
    html = good.get_data(as_text=True)
    assert '<link rel="canonical" href="/fr/cookies">' in html
    assert "cookies.example.org" not in html
    for _ in range(2):  # the second request is answered from the page cache
        forged = client.get("/fr/cookies", headers={"Host": "evil.example"})
        assert forged.status_code == 400
        assert "evil.example" not in forged.get_data(as_text=True)
