"""The exports plugin registers its five exporters through the zflow hook."""
from __future__ import annotations

import zflow_exports
from zflow.contracts import Exporter


def test_plugin_registers_five_exporters_that_follow_the_exporter_protocol():
    got = []
    zflow_exports.register_exporters(got.append)
    assert sorted(e.name for e in got) == ["blog", "contact-sheet", "sns", "thumbnail", "webtoon"]
    assert all(isinstance(e, Exporter) and e.version for e in got)
