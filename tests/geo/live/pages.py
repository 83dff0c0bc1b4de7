"""Feeds and article pages written for the watcher's tests, in our own words."""

from __future__ import annotations


def article(title: str, body: str, day: str = "2022-03-14", site: str = "Desert Wire") -> str:
    """An article page with the metadata trafilatura reads, navigation and a footer around it."""
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<!DOCTYPE html><html><head><title>{title} | {site}</title>"
            f"<meta property=\"og:title\" content=\"{title}\"><meta property=\"og:site_name\" content=\"{site}\">"
            f"<meta property=\"article:published_time\" content=\"{day}T08:00:00Z\"></head><body>"
            "<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article>"
            "<footer>Copyright Desert Wire. All rights reserved.</footer></body></html>")


ASAD = ("Three rockets struck Ain al-Asad air base in western Iraq late on Saturday, wounding two US service "
        "members, officials said.\n\nNo group said it carried out the attack. Security forces searched the area "
        "around the base for the launch site.")
ERBIL = ("A drone attack hit Erbil airport on Friday night; there were no casualties, the Kurdistan Region's "
         "counter-terrorism service said.\n\nThe drone was shot down near the airport's perimeter, the service "
         "added.")
TANF = ("Two drones targeted the coalition garrison at al-Tanf in southern Syria on Sunday. One was shot down "
        "and the other caused no injuries, a US official said.")


def rss(items: list[dict], title: str = "Desert Wire") -> bytes:
    """An RSS 2.0 feed; each item a dict of guid, link, title, description, pubDate (any may be left out)."""
    parts = []
    for item in items:
        fields = "".join(f"<{k}>{_xml(v)}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{title}</title>"
            f"<link>https://desertwire.example/</link><description>news</description>{''.join(parts)}"
            "</channel></rss>").encode()


def atom(entries: list[dict], title: str = "Border Post") -> bytes:
    parts = []
    for entry in entries:
        link = f"<link href=\"{_xml(entry['link'])}\"/>" if entry.get("link") else ""
        parts.append(f"<entry><id>{entry['id']}</id><title>{_xml(entry['title'])}</title>{link}"
                     f"<updated>{entry['updated']}</updated><summary>{_xml(entry.get('summary', ''))}</summary></entry>")
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
            f"<title>{title}</title><id>urn:border-post</id><updated>2022-03-15T00:00:00Z</updated>"
            f"{''.join(parts)}</feed>").encode()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
