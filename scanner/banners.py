"""The consent banners' buttons: per-site CSS selectors, or built-in ones for common consent
managers, each taken from the manager's own code or documentation (docs/consent-managers.md
says where). Only selectors that could be checked are here."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Banner:
    manager: str
    accept: str
    refuse: str


# Where each comes from: docs/consent-managers.md ("Banner buttons for the scanner"). Didomi
# and Axeptio publish neither code nor element ids: give their selectors per site.
BUILT_IN = (
    # tarteaucitron.js 1.34.0 (tarteaucitron.js, the banner's markup and click handlers).
    Banner("tarteaucitron", "#tarteaucitronPersonalize2", "#tarteaucitronAllDenied2"),
    # orestbida/cookieconsent 3.x (src/core/modals/consentModal.js): the buttons carry data-role.
    Banner("cookieconsent", '#cc-main .cm__btn[data-role="all"]', '#cc-main .cm__btn[data-role="necessary"]'),
    # kiprotect/klaro 0.7.x (src/components/consent-notice.jsx).
    Banner(
        "klaro",
        ".klaro .cookie-notice:not(.cookie-notice-hidden) .cm-btn-success",
        ".klaro .cookie-notice:not(.cookie-notice-hidden) .cn-decline",
    ),
    # OneTrust's banner SDK (otBannerSdk.js binds its handlers to these ids).
    Banner(
        "onetrust",
        "#onetrust-banner-sdk #onetrust-accept-btn-handler",
        "#onetrust-banner-sdk #onetrust-reject-all-handler",
    ),
    # Cookiebot: accept from its support article on the dialog's buttons; decline from its own
    # WordPress plugin's tests (CybotAS/CookiebotWP).
    Banner(
        "cookiebot", "#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll", "#CybotCookiebotDialogBodyButtonDecline"
    ),
)
MANAGERS = tuple(banner.manager for banner in BUILT_IN)


def candidates(accept=None, refuse=None, preferred=None):
    """The banners to look for, in order: the site's own selectors alone when given, else the
    built-in ones, the site's declared consent manager first."""
    if accept or refuse:
        return [Banner("custom", accept or "", refuse or "")]
    return sorted(BUILT_IN, key=lambda banner: banner.manager != preferred)
