"""Optional C2PA signing, the last step of an export: only when the recipe configures a certificate and key."""
from __future__ import annotations

import importlib.util
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from zflow.contracts.provenance import TRAINED

#: Bytes kept free under a byte cap for the manifest. ~3 KB with the embedded thumbnail off and ~25 KB
#: with it on, plus the certificate chain, so 32 KB is held back (docs/platforms.md, Provenance).
C2PA_RESERVE = 32_000
_MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}
_FORMATS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp", "avif": "avif"}


@dataclass(frozen=True, slots=True)
class Signer:
    """Signs encoded files with c2pa-python when ``cert`` and ``key`` (PEM) are set; passes them through if not."""

    cert: bytes = b""
    key: bytes = b""
    alg: str = "es256"

    @classmethod
    def from_options(cls, opts: Mapping[str, Any], root: Path = Path(".")) -> "Signer":
        """From the export option ``c2pa={"cert": path, "key": path, "alg": "es256"}``; raises ValueError."""
        spec = check_c2pa(opts)
        if not spec:
            return cls()
        cert, key = (_read(root, spec[k]) for k in ("cert", "key"))
        return cls(cert, key, str(spec.get("alg", "es256")))

    @property
    def reserve(self) -> int:
        """Bytes a signature may add."""
        return C2PA_RESERVE if self.cert else 0

    def sign(self, data: bytes, fmt: str, source_type: str = TRAINED) -> bytes:
        """The file with a C2PA manifest added whose digital source type is ``source_type`` (the one its XMP states),
        or unchanged when signing is not configured."""
        if not self.cert:
            return data
        import c2pa

        manifest = {
            "claim_generator_info": [{"name": "zflow", "version": "0.1"}],
            "assertions": [{"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": source_type}]}}],
        }
        context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(self.alg, self.cert, self.key, None))
        out = io.BytesIO()
        with c2pa.Builder(json.dumps(manifest), context) as builder:
            builder.sign(signer, _MIME[fmt], io.BytesIO(data), out)
        return out.getvalue()

    def sign_all(self, files: Mapping[str, bytes], source_type: str = TRAINED) -> dict[str, bytes]:
        """Every image among ``files`` (by extension) signed; other files unchanged."""
        return {name: self.sign(data, _FORMATS[ext], source_type) if (ext := name.rsplit(".", 1)[-1].lower())
                in _FORMATS else data for name, data in files.items()}


def check_c2pa(opts: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``c2pa`` option when it is set and usable, None when unset; raises ValueError when it is wrong."""
    spec = opts.get("c2pa")
    if not spec:
        return None
    if not isinstance(spec, Mapping) or not spec.get("cert") or not spec.get("key"):
        raise ValueError('c2pa needs {"cert": "signer.pem", "key": "signer.key"} (PEM files)')
    if importlib.util.find_spec("c2pa") is None:
        raise ValueError("c2pa signing is configured but c2pa-python is not installed (pip install c2pa-python)")
    return spec


def _read(root: Path, value: Any) -> bytes:
    path = Path(str(value.get("file") if isinstance(value, Mapping) else value))
    path = path if path.is_absolute() else root / path
    try:
        return path.read_bytes()
    except OSError as err:
        raise ValueError(f"c2pa: cannot read {path}: {err.strerror}") from err
