"""Profile URLs that are account identifiers: a person's page on a social network or code host
(`t.me/<name>`, `github.com/<user>`, `linkedin.com/in/<slug>`, `twitter.com/<user>/status/…`,
`medium.com/@<user>`, `facebook.com/<name>`, `instagram.com/<name>`, `vk.com/<name>`,
`youtube.com/@<handle>`, `tiktok.com/@<user>`, `reddit.com/u/<user>`, `gitlab.com/<user>`,
`keybase.io/<user>`).

Such a URL names an account, which may be a person's: MISP's `github-username`, `twitter-id` and
the `*-account` object templates are personal data, so the same datum written as a URL is too. A
LinkedIn `/in/` page is always a person's (personal data); the others may be an organisation's
account (a person judges: possible personal data, category account_names).

Decided and not counted:
- a repository on a code host (`github.com/<owner>/<repo>`, `gitlab.com/<group>/<project>`): it
  names the code, not its author (MISP keeps `github-repository` apart from `github-username` for the
  same reason); ATT&CK and vendor reports cite the repositories of offensive tools (Mimikatz,
  Impacket, Cobalt Strike kits) all the time, and such data must not escalate;
- the sites' own pages (`github.com/features`, `t.me/joinchat/…`, `twitter.com/i/…`,
  `facebook.com/sharer.php`, `youtube.com/watch`, `linkedin.com/company/…`, …);
- a Telegram invite link (`t.me/+…`, `t.me/joinchat/…`): it names a group, not an account.

Own code: no library knows which path of which site names an account. The candidate pattern is RE2
(linear); the site tables are data.
"""

from __future__ import annotations

import re2

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20
# host, then the first path segment (with `@`, `in/`, `u/` … where the site puts it), then the rest
_PROFILE = re2.compile(
    r"(?i)(?:^|[^A-Za-z0-9.\-])(?:www\.|m\.|mobile\.|[a-z]{2}\.)?"
    r"(t\.me|telegram\.me|github\.com|gitlab\.com|linkedin\.com/in|twitter\.com|x\.com|medium\.com/@|"
    r"facebook\.com|fb\.com|instagram\.com|vk\.com|youtube\.com/@|youtube\.com/(?:user|c)|tiktok\.com/@|"
    r"reddit\.com/(?:u|user)|keybase\.io|threads\.net/@)"
    r"/?([A-Za-z0-9_.\-%]{2,100})((?:/[A-Za-z0-9_.\-%]+)*)/?", options=_OPTIONS)
_HOSTS = ("t.me/", "telegram.me/", "github.com/", "gitlab.com/", "linkedin.com/in/", "twitter.com/", "x.com/",
          "medium.com/@", "facebook.com/", "fb.com/", "instagram.com/", "vk.com/", "youtube.com/", "tiktok.com/@",
          "reddit.com/u", "keybase.io/", "threads.net/@")
# the first path segments that are the site's own pages, not an account (lower case)
_SITE_PAGES = {
    "t.me": {"joinchat", "addstickers", "share", "proxy", "socks", "iv", "setlanguage", "addtheme", "login"},
    "github.com": {"features", "about", "pricing", "enterprise", "topics", "collections", "marketplace", "sponsors",
                   "orgs", "organizations", "settings", "login", "join", "security", "advisories", "search",
                   "explore", "trending", "apps", "site", "contact", "customer-stories", "readme", "issues",
                   "pulls", "notifications", "codespaces", "github", "microsoft", "mitre", "mitre-attack",
                   "stixproject", "oasis-open", "misp", "cisagov", "mandiant", "fireeye", "google", "apache"},
    "gitlab.com": {"explore", "users", "help", "dashboard", "groups", "projects", "search", "gitlab-org", "gitlab-com"},
    "twitter.com": {"i", "home", "search", "hashtag", "intent", "share", "explore", "settings", "login", "tos",
                    "privacy", "notifications", "messages", "compose"},
    "facebook.com": {"sharer", "sharer.php", "share.php", "dialog", "plugins", "tr", "help", "policies", "privacy",
                     "legal", "events", "groups", "watch", "hashtag", "login", "login.php", "pages", "business",
                     "ads", "gaming", "marketplace", "stories", "photo.php", "l.php", "security", "terms"},
    "instagram.com": {"p", "reel", "reels", "explore", "accounts", "stories", "about", "legal", "developer", "tv"},
    "vk.com": {"away.php", "feed", "wall", "video", "audio", "photo", "search", "login", "doc", "club", "public",
               "topic", "app", "apps", "dev", "support", "terms", "privacy", "im"},
    "keybase.io": {"docs", "blog", "download", "jobs", "team", "_"},
}
_SITE_PAGES["x.com"] = _SITE_PAGES["twitter.com"]
_SITE_PAGES["telegram.me"] = _SITE_PAGES["t.me"]
_SITE_PAGES["fb.com"] = _SITE_PAGES["facebook.com"]
_CODE_HOSTS = frozenset({"github.com", "gitlab.com"})
# what may follow a user's name on a code host and still be their profile (`?tab=repositories`)
_PROFILE_TABS = frozenset({"followers", "following", "stars", "repositories", "projects", "packages"})


def profile_account(text: str) -> str | None:
    """The site whose account a profile URL in `text` names (`"linkedin.com/in"`, `"t.me"`, …), or
    None. `text` is any string (free text or a URL value)."""
    lowered = text.lower()
    if not any(h in lowered for h in _HOSTS):
        return None
    for m in _PROFILE.finditer(text):
        site = m.group(1).lower()
        name = m.group(2).lower()
        rest = [s for s in m.group(3).lower().split("/") if s]
        if name.startswith("+") or name in _SITE_PAGES.get(site, ()):
            continue
        if site in _CODE_HOSTS and rest and rest[0] not in _PROFILE_TABS:
            continue                                  # a repository: the code, not its author
        if site in ("youtube.com/user", "youtube.com/c") and not name:
            continue
        return site
    return None
