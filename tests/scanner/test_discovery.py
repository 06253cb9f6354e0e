"""Which pages a scan visits: sitemaps, robots.txt, same-site links, each once, up to the limit."""

from scanner.discovery import Frontier, page_url, robots_sitemaps, sitemap_locations


def test_robots_txt_names_its_sitemaps():
    text = "User-agent: *\nDisallow: /admin\nSitemap: https://www.example.org/sitemap.xml\nsitemap:https://www.example.org/news.xml\n"
    assert robots_sitemaps(text) == ["https://www.example.org/sitemap.xml", "https://www.example.org/news.xml"]


def test_sitemap_locations_are_read_in_order_and_unescaped():
    xml = "<urlset><url><loc> https://example.org/a?x=1&amp;y=2 </loc></url><url><loc>https://example.org/b</loc></url></urlset>"
    assert sitemap_locations(xml) == ["https://example.org/a?x=1&y=2", "https://example.org/b"]


def test_the_frontier_keeps_same_site_pages_once_up_to_the_limit():
    frontier = Frontier("https://www.example.org/", limit=4)
    for link in [
        "/a",
        "/a#top",
        "/a/",
        "https://shop.example.org/b",
        "https://other.org/",
        "mailto:x@example.org",
        "/file.pdf",
        "https://example.org/c",
        "/d",
        "/e",
    ]:
        frontier.add(link, "https://www.example.org/")
    assert frontier.queued == [
        "https://www.example.org/",
        "https://www.example.org/a",
        "https://shop.example.org/b",
        "https://example.org/c",
    ]


def test_links_that_are_not_pages_are_left_out():
    assert page_url("javascript:void(0)") is None
    assert page_url("/report.PDF", "https://example.org/") is None
    assert page_url("/page#part", "https://example.org/") == "https://example.org/page"
