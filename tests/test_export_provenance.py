"""Provenance in every exported format: IPTC XMP read back, A1111 parameters, and optional C2PA signing."""
from __future__ import annotations

import datetime
import subprocess

import pytest
from PIL import Image

from helpers.ci import need_c2pa, need_exiftool
from helpers.exports import artifact, export_request, parameters, scene_png, written, xmp_fields
from zflow.contracts.provenance import COMPOSITE, TRAINED
from zflow_exports.sns import SnsExporter
from zflow_exports.thumbnail import ThumbnailExporter

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


def test_exiftool_reads_the_digital_source_type_in_every_format(tmp_path):
    need_exiftool()
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
    need_c2pa()
    import c2pa
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


EVERYTHING = '''\
from zflow import Character, Edit, Series, blog, say, thumbnail, webtoon

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{{{ cast }}}} {{{{ action }}}}", size="96x96", drafts=2, seed=5)
s.scene("a", cast=[mina], action="pours coffee", balloons=[say("Hi!", who=mina)])
s.scene("b", cast=[mina], action="reads a book", edits=[Edit.inpaint("face", "a smile")])
thumbnail(s, title="Cafe", preset="yt_thumbnail"{c2pa})
webtoon(s, width=320{c2pa})
blog(s{c2pa})
'''


def exiftool(paths):
    import json

    tags = ["-XMP-iptcExt:DigitalSourceType", "-PNG:Parameters", "-ExifIFD:UserComment",
            "-ICC_Profile:ProfileDescription"]
    out = subprocess.run(["exiftool", "-j", "-G1", *tags, *map(str, paths)], capture_output=True, text=True,
                         check=True)
    return {row["SourceFile"]: row for row in json.loads(out.stdout)}


@pytest.mark.e2e
def test_exiftool_reads_source_type_and_parameters_on_every_image_in_out(project):
    need_exiftool()
    project.write("recipes/all.py", EVERYTHING.format(c2pa=""))
    result = project.build()
    assert result.code == 0, result.stderr
    images = sorted(p for p in (project.root / "out").rglob("*") if p.suffix in (".png", ".jpg", ".webp", ".avif"))
    kinds = {p.stem.split("-")[0] for p in images}
    assert {"sheet", "draft", "contact", "refine", "edit", "reframe"} <= kinds, kinds
    rows = exiftool(images)
    for path in images:
        row = rows[str(path)]
        assert row.get("XMP-iptcExt:DigitalSourceType", "").startswith("http://cv.iptc.org/newscodes/"), path
        text = row.get("PNG:Parameters") or row.get("ExifIFD:UserComment") or ""
        assert "Seed: " in text or "Model: " in text, (path, text)
        if "export" in path.parts:
            assert row.get("ICC_Profile:ProfileDescription") == "sRGB built-in", path


@pytest.mark.e2e
def test_c2pa_on_webtoon_and_blog_signs_every_image_with_the_xmps_source_type(project):
    need_c2pa()
    import c2pa
    make_signer(project.root)
    project.write("recipes/all.py", EVERYTHING.format(c2pa=', c2pa={"cert": "signer.pem", "key": "signer.key"}'))
    result = project.build()
    assert result.code == 0, result.stderr
    export = project.root / "out" / "s" / "export"
    signed = sorted(p for p in export.rglob("*") if p.suffix in (".jpg", ".png", ".webp", ".avif"))
    assert {p.relative_to(export).parts[0] for p in signed} == {"thumbnail", "webtoon", "blog"}
    assert any("episode" in p.parts for p in signed) and any("images" in p.parts for p in signed)
    for path in signed:
        with c2pa.Reader(str(path)) as reader:
            manifest = reader.json()
        stated = xmp_fields(path)["DigitalSourceType"]
        assert stated in manifest and (COMPOSITE in manifest) == (stated == COMPOSITE), path


def test_a_thumbnails_manifest_and_xmp_tell_one_truth(tmp_path):
    need_c2pa()
    import c2pa
    make_signer(tmp_path)
    src = scene_png(tmp_path / "a.png", (1280, 720))
    out = ThumbnailExporter().export(export_request(
        tmp_path, "thumbnail", {"preset": "yt_thumbnail", "title": "Cafe", "c2pa": {"cert": "signer.pem",
                                                                                 "key": "signer.key"}},
        [artifact("cafe/ep01/final", src)]))
    path = written(tmp_path, out.files)["yt_thumbnail/ep01.jpg"]
    with c2pa.Reader(str(path)) as reader:
        manifest = reader.json()
    assert xmp_fields(path)["DigitalSourceType"] == COMPOSITE
    assert COMPOSITE in manifest and TRAINED not in manifest


@pytest.mark.e2e
def test_a_c2pa_option_that_cannot_sign_fails_the_load_naming_it(project):
    project.write("recipes/all.py", EVERYTHING.format(c2pa=', c2pa={"cert": "signer.pem"}'))
    result = project.build()
    assert result.code != 0
    assert "c2pa" in result.stderr and "recipes/all.py" in result.stderr
    assert not (project.root / "out" / "s" / "export").exists()
