"""Provenance in every exported format: IPTC XMP read back, A1111 parameters, and optional C2PA signing."""
from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from PIL import Image

from test_export_support import artifact, export_request, parameters, scene_png, written, xmp_fields
from zflow_exports.provenance import TRAINED
from zflow_exports.sns import SnsExporter

FORMATS = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}


def export_all_formats(tmp_path, **options):
    src = scene_png(tmp_path / "a.png", (512, 512))
    presets = [{"name": f"p_{fmt}", "size": "400x400", "format": fmt, "max_bytes": 5_000_000} for fmt in FORMATS]
    meta = {"prompt": "카페의 미나, warm film", "seed": 1234, "model": "Tongyi-MAI/Z-Image-Turbo"}
    out = SnsExporter().export(export_request(tmp_path, "sns", {"presets": presets, **options},
                                              [artifact("cafe/ep01/final", src, **meta)]))
    return written(tmp_path, out.files)


def test_every_format_carries_iptc_source_type_and_ai_fields_that_parse_back(tmp_path):
    files = export_all_formats(tmp_path)
    for fmt, ext in FORMATS.items():
        path = files[f"p_{fmt}/ep01.{ext}"]
        with Image.open(path) as img:
            assert img.format == {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "avif": "AVIF"}[fmt]
        fields = xmp_fields(path)
        assert fields["DigitalSourceType"] == TRAINED
        assert fields["AISystemUsed"] == "Tongyi-MAI/Z-Image-Turbo"
        assert fields["AIPromptInformation"] == "카페의 미나, warm film"


def test_every_format_carries_a1111_parameters_with_prompt_seed_and_model(tmp_path):
    files = export_all_formats(tmp_path)
    for fmt, ext in FORMATS.items():
        text = parameters(files[f"p_{fmt}/ep01.{ext}"])
        first, *rest = text.split("\n")
        assert first == "카페의 미나, warm film"
        assert rest[0] == "Negative prompt: blurry"
        assert "Seed: 1234" in rest[1] and "Model: Tongyi-MAI/Z-Image-Turbo" in rest[1]


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool (libimage-exiftool-perl) not installed")
def test_exiftool_reads_the_digital_source_type_in_every_format(tmp_path):
    files = export_all_formats(tmp_path)
    for fmt, ext in FORMATS.items():
        out = subprocess.run(["exiftool", "-s3", "-XMP-iptcExt:DigitalSourceType",
                              str(files[f"p_{fmt}/ep01.{ext}"])], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == TRAINED, fmt


def make_signer(tmp_path):
    """A home-made CA and a leaf certificate fit for C2PA (sheet section 4's requirements)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zflow test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zflow test signer")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (tmp_path / "signer.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (tmp_path / "signer.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption()))


def test_configured_c2pa_signs_every_format_and_keeps_the_xmp(tmp_path):
    c2pa = pytest.importorskip("c2pa")
    make_signer(tmp_path)
    files = export_all_formats(tmp_path, c2pa={"cert": "signer.pem", "key": "signer.key"})
    for fmt, ext in FORMATS.items():
        path = files[f"p_{fmt}/ep01.{ext}"]
        with c2pa.Reader(str(path)) as reader:
            manifest = reader.json()
        assert "c2pa.created" in manifest and TRAINED in manifest, fmt
        assert xmp_fields(path)["DigitalSourceType"] == TRAINED
        with Image.open(path) as img:
            img.load()


def test_unconfigured_c2pa_leaves_files_unsigned_and_readable(tmp_path):
    files = export_all_formats(tmp_path)
    for name, path in files.items():
        assert b"c2pa" not in path.read_bytes()
        with Image.open(path) as img:
            img.load()
