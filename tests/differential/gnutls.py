"""GnuTLS's own chain verification (``gnutls_x509_trust_list_verify_crt2``, as its TLS
clients call it), driven through ctypes with the library's clock set to the time asked
(``gnutls_global_set_time_function``)."""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
from collections.abc import Sequence

_DER = 0  # GNUTLS_X509_FMT_DER
_TIME_FUNCTION = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_void_p)


class GnutlsUnavailable(RuntimeError):
    """libgnutls is not installed."""


class _Datum(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("size", ctypes.c_uint)]


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("gnutls") or "libgnutls.so.30"
    try:
        library = ctypes.CDLL(name)
    except OSError as exc:
        raise GnutlsUnavailable(
            f"libgnutls is not installed ({exc}): apt-get install libgnutls30"
        ) from exc
    library.gnutls_check_version.restype = ctypes.c_char_p
    library.gnutls_global_init()
    return library


class Gnutls:
    """One loaded libgnutls; :meth:`verify` answers one served chain at one time."""

    def __init__(self) -> None:
        self._lib = _library()
        self._now = 0
        self._clock = _TIME_FUNCTION(self._time)  # kept referenced: C holds the pointer
        self._lib.gnutls_global_set_time_function(self._clock)

    @property
    def version(self) -> str:
        return str(self._lib.gnutls_check_version(None).decode())

    def _time(self, out: int | None) -> int:
        if out:
            ctypes.cast(out, ctypes.POINTER(ctypes.c_long))[0] = self._now
        return self._now

    def _certificate(self, der: bytes) -> ctypes.c_void_p:
        handle = ctypes.c_void_p()
        if self._lib.gnutls_x509_crt_init(ctypes.byref(handle)) != 0:
            raise RuntimeError("gnutls_x509_crt_init failed")
        buffer = ctypes.create_string_buffer(der, len(der))
        datum = _Datum(ctypes.cast(buffer, ctypes.c_void_p), len(der))
        if self._lib.gnutls_x509_crt_import(handle, ctypes.byref(datum), _DER) != 0:
            raise RuntimeError("gnutls_x509_crt_import refused a certificate")
        return handle

    def verify(
        self, served: Sequence[bytes], roots: Sequence[bytes], at: dt.datetime
    ) -> tuple[bool, int]:
        """Whether GnuTLS accepts ``served`` (end certificate first) against ``roots`` at
        ``at``, and its status bits."""
        self._now = int(at.timestamp())
        trust = ctypes.c_void_p()
        self._lib.gnutls_x509_trust_list_init(ctypes.byref(trust), 0)
        anchors = [self._certificate(der) for der in roots]
        chain = [self._certificate(der) for der in served]
        try:
            array = (ctypes.c_void_p * len(anchors))(*anchors)
            self._lib.gnutls_x509_trust_list_add_cas(trust, array, len(anchors), 0)
            status = ctypes.c_uint()
            served_array = (ctypes.c_void_p * len(chain))(*chain)
            code = self._lib.gnutls_x509_trust_list_verify_crt2(
                trust, served_array, len(chain), None, 0, 0, ctypes.byref(status), None
            )
            if code != 0:
                raise RuntimeError(f"gnutls_x509_trust_list_verify_crt2 returned {code}")
            return status.value == 0, status.value
        finally:
            self._lib.gnutls_x509_trust_list_deinit(trust, 1)  # frees the anchors too
            for handle in chain:
                self._lib.gnutls_x509_crt_deinit(handle)
