"""The exports plugin registers its five exporters through the zflow hook."""
from __future__ import annotations

import zflow_exports
from zflow.contracts import Exporter


def test_plugin_registers_five_exporters_that_follow_the_exporter_protocol():
    got = []
    zflow_exports.register_exporters(got.append)
    assert sorted(e.name for e in got) == ["blog", "contact-sheet", "sns", "thumbnail", "webtoon"]
    assert all(isinstance(e, Exporter) and e.version for e in got)


def test_lazy_exporters_carry_their_implementations_versions():
    got = []
    zflow_exports.register_exporters(got.append)
    for exporter in got:
        assert exporter.version == exporter.target.version and exporter.name == exporter.target.name


def test_loading_the_plugin_imports_no_image_code():
    import subprocess
    import sys

    code = "import sys, zflow_exports; print('PIL' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
