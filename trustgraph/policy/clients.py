"""Clients as policies: how a TLS client builds a path from the chain a server sends, and
which root store it trusts.

A :class:`ClientProfile` is an immutable object, like a root program's store: a
:class:`Behaviour` (explicit path-building switches), the store it uses (a program at the
date asked, or frozen as an OS version shipped it) and, for every switch, where the client
documents that behaviour. Path building (:mod:`trustgraph.analysis.clientpaths`) only
consumes it.

Imports nothing of trustgraph but :mod:`trustgraph.errors` and :mod:`trustgraph.core`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from trustgraph.core.text import did_you_mean
from trustgraph.errors import UsageError


class IssuerOrder(enum.StrEnum):
    """Where a client looks first for the issuer of each certificate."""

    SERVED_FIRST = "served-first"
    """The certificates the server sent, then the trust store (OpenSSL 1.0.x, old GnuTLS)."""
    TRUSTED_FIRST = "trusted-first"
    """The trust store, then the certificates sent (OpenSSL 1.1.0+, browsers)."""
    AS_SENT = "as-sent"
    """The chain as sent, sorted into issuer order and used whole (unrelated certificates
    sent break it); the store is asked only for the issuer of its top certificate, and
    a sent certificate that is itself trusted ends it (GnuTLS)."""


class Alternatives(enum.StrEnum):
    """When a client tries another path than the first one it built."""

    NEVER = "never"
    WHEN_NO_TRUSTED_ISSUER = "when-no-trusted-issuer"
    """Only when the first path does not reach the trust store (OpenSSL's alternative
    chains): an expired or distrusted certificate on it is final."""
    TRUSTED_COPY_OF_TOP = "trusted-copy-of-top"
    """When the top of the path is expired or its issuer unknown, a trusted certificate
    with the top certificate's name and key ends the path instead (GnuTLS 3.6.14+)."""
    ON_ANY_FAILURE = "on-any-failure"
    """Backtracking: every candidate issuer is tried until a valid path is found."""


@dataclass(frozen=True)
class Behaviour:
    """The path-building switches of one client."""

    issuer_order: IssuerOrder
    alternatives: Alternatives
    checks_anchor_validity: bool
    """Whether the trust anchor's own notBefore/notAfter are enforced."""
    prefers_valid_issuer: bool = True
    """Among certificates that could be the issuer, one valid at the time is taken first."""
    fetches_aia: bool = False
    """Missing issuers are fetched (modelled: any loaded CA certificate of the issuer's
    name and key, as its caIssuers URL would serve)."""
    preloaded_intermediates: bool = False
    """The client knows its program's preloaded intermediates (Firefox)."""
    partial_distrust: bool = False
    """The store's distrust-after dates and SCT cut-offs apply (browsers and platforms that
    ship their program's constraints; a PEM bundle carries none)."""
    revocations: bool = False
    """Revocations apply: those the program pushes to its clients (OneCRL) and those
    recorded for every view (libraries check none by default)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "issuer_order": str(self.issuer_order),
            "alternatives": str(self.alternatives),
            "checks_anchor_validity": self.checks_anchor_validity,
            "prefers_valid_issuer": self.prefers_valid_issuer,
            "fetches_aia": self.fetches_aia,
            "preloaded_intermediates": self.preloaded_intermediates,
            "partial_distrust": self.partial_distrust,
            "revocations": self.revocations,
        }


@dataclass(frozen=True)
class StoreChoice:
    """The root store a client uses: ``program`` as it stood at the date asked, or, with
    ``snapshot`` set, the latest snapshot on or before that date whose description starts
    with it (the store of an OS version, which a device keeps when it is not upgraded: an
    Android 7.0 phone has the roots of 2016)."""

    program: str
    snapshot: str | None = None
    earlier: str | None = None
    """The program whose store stands in before ``program``'s first snapshot."""
    earlier_because: str = ""

    def describe(self) -> str:
        if self.snapshot:
            return f"{self.program} as shipped ({self.snapshot.strip()})"
        if self.earlier:
            return f"{self.program} at the date asked ({self.earlier} before its first snapshot)"
        return f"{self.program} at the date asked"


@dataclass(frozen=True)
class Citation:
    """Where a behaviour is documented."""

    about: str
    source: str


@dataclass(frozen=True)
class ClientProfile:
    """A client: a name, path-building behaviour, its store, and the sources of both."""

    name: str
    title: str
    behaviour: Behaviour
    store: StoreChoice
    citations: tuple[Citation, ...] = field(default=())
    notes: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "store": self.store.describe(),
            "behaviour": self.behaviour.as_dict(),
            "citations": [{"about": c.about, "source": c.source} for c in self.citations],
            "notes": self.notes,
        }


_OPENSSL_102_BLOG = Citation(
    "OpenSSL 1.0.2 prefers the chain as sent and reports the expired trusted root it leads to",
    "https://www.openssl.org/blog/blog/2021/09/13/LetsEncryptRootCertExpire/",
)
_OPENSSL_ALT_CHAINS = Citation(
    "alternative chains (used only when no trusted issuer was found) arrived in 1.0.1n and 1.0.2b",
    "https://www.openssl.org/news/secadv/20150709.txt",
)
_OPENSSL_TRUSTED_FIRST = Citation(
    "the trust store is searched before the untrusted certificates (X509_V_FLAG_TRUSTED_FIRST, "
    "the default from 1.1.0); trust anchors' validity periods are checked",
    "https://docs.openssl.org/3.0/man1/openssl-verification-options/",
)
_GNUTLS_1008 = Citation(
    "3.6.14 fixed chains with cross-signed intermediates (NEWS: #1008): an expired top "
    "certificate is retried against a trusted certificate of the same name and key; the "
    "chain as sent is otherwise verified whole",
    "https://gitlab.com/gnutls/gnutls/-/issues/1008",
)
_GNUTLS_367 = Citation(
    "GnuTLS 3.6.7 reports 'The certificate chain uses expired certificate' on the Let's "
    "Encrypt chain through the expired DST Root CA X3; 3.6.15 verifies it",
    "https://gitlab.nic.cz/turris/os/packages/-/work_items/799",
)
_LIBRESSL_595 = Citation(
    "LibreSSL 3.1.2 and earlier fail on the chain through the expired AddTrust root even when "
    "another chain is trusted",
    "https://github.com/libressl/portable/issues/595",
)
_LIBRESSL_322 = Citation(
    "the new X.509 verifier, on by default from LibreSSL 3.2.2, builds and tries "
    "alternative chains",
    "https://ftp.openbsd.org/pub/OpenBSD/LibreSSL/libressl-3.2.2-relnotes.txt",
)
_ANDROID_ANCHORS = Citation(
    "Android does not enforce the expiry of trust anchors (the reason Let's Encrypt's chain "
    "through DST Root CA X3 kept working there)",
    "https://letsencrypt.org/2020/12/21/extending-android-compatibility/",
)
_ANDROID_BUILDER = Citation(
    "Android 7.0 and later find a trust anchor for any certificate of the chain and build "
    "alternative paths (Conscrypt TrustManagerImpl)",
    "https://android.googlesource.com/platform/external/conscrypt/+/refs/heads/main/"
    "common/src/main/java/org/conscrypt/TrustManagerImpl.java",
)
_CHROME_VERIFIER = Citation(
    "Chrome's verifier builds paths with backtracking and fetches missing intermediates by "
    "AIA; a trust anchor's expiry is enforced only when its trust says so "
    "(enforce_anchor_expiry, off for root-store anchors)",
    "https://boringssl.googlesource.com/boringssl/+/refs/heads/master/pki/trust_store.h",
)
_CHROME_SCT = Citation(
    "Chrome distrusts certificates from constrained roots by their SCT time",
    "https://chromium.googlesource.com/chromium/src/+/main/net/data/ssl/chrome_root_store/"
    "root_store.md",
)
_CHROME_PLATFORM = Citation(
    "Chrome used the platform's root store until the Chrome Root Store (Chrome 105)",
    "https://chromium.googlesource.com/chromium/src/+/main/net/data/ssl/chrome_root_store/faq.md",
)
_FIREFOX_PKIX = Citation(
    "mozilla::pkix builds paths with backtracking and checks every certificate's validity, "
    "the trust anchor's included",
    "https://searchfox.org/mozilla-central/source/security/nss/lib/mozpkix/lib/pkixbuild.cpp",
)
_FIREFOX_PRELOAD = Citation(
    "Firefox preloads the intermediates disclosed to CCADB and does not fetch by AIA",
    "https://wiki.mozilla.org/Security/CryptoEngineering/Intermediate_Preloading",
)
_FIREFOX_ONECRL = Citation(
    "Firefox refuses the certificates on OneCRL",
    "https://wiki.mozilla.org/CA/Revocation_Checking_in_Firefox",
)
_GO_VERIFY = Citation(
    "crypto/x509 Verify builds every chain to a root in the pool (backtracking) and checks "
    "the validity of each certificate, the root's included",
    "https://pkg.go.dev/crypto/x509#Certificate.Verify",
)
_JAVA_PKIX = Citation(
    "the PKIX CertPathBuilder searches forward with backtracking; a TrustAnchor is not a "
    "certificate of the path, and its validity period is not checked",
    "https://docs.oracle.com/en/java/javase/17/security/java-pki-programmers-guide.html",
)
_WINDOWS_CAPI = Citation(
    "the CryptoAPI chain engine fetches missing issuers from the AIA extension and picks the "
    "best of several chains",
    "https://learn.microsoft.com/en-us/windows/win32/seccrypto/certificate-chains",
)
_APPLE_TRUST = Citation(
    "Apple's trust evaluation builds alternative paths and fetches missing intermediates "
    "from the AIA extension",
    "https://developer.apple.com/documentation/security/certificate-key-and-trust-services/"
    "trust/evaluating-a-trust-and-parsing-the-result",
)
_CRYPTOGRAPHY = Citation(
    "cryptography's X.509 verifier (PolicyBuilder) builds paths with backtracking and "
    "checks the validity of every certificate, the trust anchor's included",
    "https://cryptography.io/en/latest/x509/verification/",
)
_SAME_AS_EXECUTABLE = "checked against the executable by the differential tests"

_OLD_OPENSSL = Behaviour(IssuerOrder.SERVED_FIRST, Alternatives.NEVER, True, False)
_OPENSSL_102 = Behaviour(IssuerOrder.SERVED_FIRST, Alternatives.WHEN_NO_TRUSTED_ISSUER, True, False)
_OPENSSL_11 = Behaviour(IssuerOrder.TRUSTED_FIRST, Alternatives.WHEN_NO_TRUSTED_ISSUER, True)
_OLD_GNUTLS = Behaviour(IssuerOrder.AS_SENT, Alternatives.NEVER, True, False)
_GNUTLS = Behaviour(IssuerOrder.AS_SENT, Alternatives.TRUSTED_COPY_OF_TOP, True, False)
_BACKTRACKING = Behaviour(IssuerOrder.TRUSTED_FIRST, Alternatives.ON_ANY_FAILURE, True)
_PLATFORM = {"partial_distrust": True, "revocations": True}
_APPLE = Behaviour(
    IssuerOrder.TRUSTED_FIRST, Alternatives.ON_ANY_FAILURE, True, fetches_aia=True, **_PLATFORM
)
_MOZILLA = StoreChoice("mozilla")
_DISTRIBUTION = "a distribution's Mozilla-derived bundle, as up to date as Mozilla's store"


def _profiles() -> tuple[ClientProfile, ...]:
    return (
        ClientProfile(
            "openssl-1.0.1",
            "OpenSSL 1.0.1 before 1.0.1n",
            _OLD_OPENSSL,
            _MOZILLA,
            (_OPENSSL_102_BLOG, _OPENSSL_ALT_CHAINS),
            _DISTRIBUTION,
        ),
        ClientProfile(
            "openssl-1.0.2",
            "OpenSSL 1.0.1n-1.0.2u",
            _OPENSSL_102,
            _MOZILLA,
            (_OPENSSL_102_BLOG, _OPENSSL_ALT_CHAINS),
            _DISTRIBUTION,
        ),
        ClientProfile(
            "openssl-1.1.1",
            "OpenSSL 1.1.0 and 1.1.1",
            _OPENSSL_11,
            _MOZILLA,
            (_OPENSSL_TRUSTED_FIRST,),
            _DISTRIBUTION,
        ),
        ClientProfile(
            "openssl-3",
            "OpenSSL 3.x",
            _OPENSSL_11,
            _MOZILLA,
            (_OPENSSL_TRUSTED_FIRST, Citation("all switches", _SAME_AS_EXECUTABLE)),
            _DISTRIBUTION,
        ),
        ClientProfile(
            "gnutls-3.6.7",
            "GnuTLS before 3.6.14",
            _OLD_GNUTLS,
            _MOZILLA,
            (_GNUTLS_1008, _GNUTLS_367),
            _DISTRIBUTION,
        ),
        ClientProfile(
            "gnutls-3.6.14",
            "GnuTLS 3.6.14 and later (3.7, 3.8)",
            _GNUTLS,
            _MOZILLA,
            (_GNUTLS_1008, Citation("all switches (3.7)", _SAME_AS_EXECUTABLE)),
            _DISTRIBUTION,
        ),
        ClientProfile(
            "libressl-3.1",
            "LibreSSL 3.1.2 and earlier",
            _OLD_OPENSSL,
            _MOZILLA,
            (_LIBRESSL_595,),
            _DISTRIBUTION,
        ),
        ClientProfile(
            "libressl-3.2.2",
            "LibreSSL 3.2.2 and later",
            _BACKTRACKING,
            _MOZILLA,
            (_LIBRESSL_322, _LIBRESSL_595),
            _DISTRIBUTION,
        ),
        ClientProfile(
            "android-7.0",
            "Android 7.0 (before 7.1.1), its store as shipped",
            Behaviour(IssuerOrder.TRUSTED_FIRST, Alternatives.ON_ANY_FAILURE, False),
            StoreChoice("android", "Android 7.0 "),
            (_ANDROID_ANCHORS, _ANDROID_BUILDER),
        ),
        ClientProfile(
            "android-7.1",
            "Android 7.1, its store as shipped",
            Behaviour(IssuerOrder.TRUSTED_FIRST, Alternatives.ON_ANY_FAILURE, False),
            StoreChoice("android", "Android 7.1 "),
            (_ANDROID_ANCHORS, _ANDROID_BUILDER),
        ),
        ClientProfile(
            "android",
            "Android, the current store at the date asked",
            Behaviour(IssuerOrder.TRUSTED_FIRST, Alternatives.ON_ANY_FAILURE, False),
            StoreChoice("android"),
            (_ANDROID_ANCHORS, _ANDROID_BUILDER),
        ),
        ClientProfile(
            "apple",
            "Apple (iOS), the store at the date asked",
            _APPLE,
            StoreChoice("apple-ios"),
            (_APPLE_TRUST,),
        ),
        *(
            ClientProfile(
                f"ios-{version}",
                f"iOS {version}, its store as last observed (devices not upgraded)",
                _APPLE,
                StoreChoice("apple-ios", f"iOS {version} "),
                (_APPLE_TRUST,),
            )
            for version in (9, 10, 12)
        ),
        ClientProfile(
            "windows",
            "Windows (CryptoAPI)",
            Behaviour(
                IssuerOrder.TRUSTED_FIRST,
                Alternatives.ON_ANY_FAILURE,
                True,
                fetches_aia=True,
                **_PLATFORM,
            ),
            StoreChoice("microsoft"),
            (_WINDOWS_CAPI,),
        ),
        ClientProfile(
            "firefox",
            "Firefox",
            Behaviour(
                IssuerOrder.TRUSTED_FIRST,
                Alternatives.ON_ANY_FAILURE,
                True,
                preloaded_intermediates=True,
                **_PLATFORM,
            ),
            _MOZILLA,
            (_FIREFOX_PKIX, _FIREFOX_PRELOAD, _FIREFOX_ONECRL),
        ),
        ClientProfile(
            "chrome",
            "Chrome (Chrome Root Store)",
            Behaviour(
                IssuerOrder.TRUSTED_FIRST,
                Alternatives.ON_ANY_FAILURE,
                False,
                fetches_aia=True,
                **_PLATFORM,
            ),
            StoreChoice(
                "chrome",
                earlier="mozilla",
                earlier_because="before the Chrome Root Store (Chrome 105, 2022) Chrome "
                "trusted the platform's store; Mozilla's stands for it, as NSS did on Linux",
            ),
            (_CHROME_VERIFIER, _CHROME_SCT, _CHROME_PLATFORM),
        ),
        ClientProfile(
            "go",
            "Go crypto/x509",
            _BACKTRACKING,
            _MOZILLA,
            (_GO_VERIFY, Citation("all switches", _SAME_AS_EXECUTABLE)),
            "on Linux, Go reads the distribution's Mozilla-derived bundle",
        ),
        ClientProfile(
            "java",
            "Java (PKIX)",
            Behaviour(
                IssuerOrder.TRUSTED_FIRST,
                Alternatives.ON_ANY_FAILURE,
                False,
                partial_distrust=True,
            ),
            StoreChoice("java"),
            (_JAVA_PKIX,),
        ),
        ClientProfile(
            "cryptography",
            "Python cryptography (X.509 verification)",
            _BACKTRACKING,
            _MOZILLA,
            (_CRYPTOGRAPHY, Citation("all switches", _SAME_AS_EXECUTABLE)),
            "with certifi or the distribution's bundle",
        ),
    )


PROFILES: dict[str, ClientProfile] = {p.name: p for p in _profiles()}
DEFAULT_CLIENTS = (
    "openssl-1.0.2",
    "openssl-1.1.1",
    "gnutls-3.6.7",
    "gnutls-3.6.14",
    "libressl-3.1",
    "android-7.0",
    "firefox",
    "chrome",
    "go",
)


def client_profiles(names: tuple[str, ...] | list[str] = ()) -> list[ClientProfile]:
    """The profiles named (the default set when none is).

    Raises:
        UsageError: a name is not a profile.
    """
    chosen = list(names) or list(DEFAULT_CLIENTS)
    if chosen == ["all"]:
        return list(PROFILES.values())
    unknown = [name for name in chosen if name not in PROFILES]
    if unknown:
        raise UsageError(
            f"no client profile named {unknown[0]!r}{did_you_mean(unknown[0], list(PROFILES))}"
            f"; profiles: {', '.join(PROFILES)}, or all (see `trustgraph clients-list`)"
        )
    return [PROFILES[name] for name in dict.fromkeys(chosen)]
