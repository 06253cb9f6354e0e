def test_charte_renders_in_both_languages(client):
    assert "sessionid" in client.get("/fr/cookies").get_data(as_text=True)
    assert "sessionid" in client.get("/en/cookies").get_data(as_text=True)


def test_editor_reaches_admin(editor_client):
    assert editor_client.get("/admin/cookie/").status_code == 200
