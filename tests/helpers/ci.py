"""What a test needs from the host. Missing here, the test skips with the install hint; under CI=true it fails with
it instead, so a CI run never passes by skipping what it was meant to check."""
from __future__ import annotations

import importlib.util
import os
import shutil
import socket
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def need(missing: str | None) -> None:
    """Skip (or, under CI=true, fail) with ``missing``, the reason and install hint, unless it is None."""
    if missing is None:
        return
    if in_ci():
        pytest.fail(f"CI=true and {missing}", pytrace=False)
    pytest.skip(missing, allow_module_level=True)


def missing_modules(*names: str, hint: str) -> str | None:
    absent = [name for name in names if importlib.util.find_spec(name) is None]
    return f"{', '.join(absent)} not installed ({hint})" if absent else None


def need_torch() -> None:
    """torch and diffusers, for the zimage backend."""
    need(missing_modules("torch", "diffusers", "transformers",
                         hint="pip install 'zflow[zimage]'; `make test` installs it"))


def need_ray() -> None:
    need(missing_modules("ray", hint="pip install 'zflow[ray]'; `make test` installs it"))


def need_c2pa() -> None:
    need(missing_modules("c2pa", hint="pip install 'zflow[c2pa]'; `make test` installs it"))


def need_exiftool() -> None:
    need(None if shutil.which("exiftool") else
         "exiftool not installed (apt-get install libimage-exiftool-perl; `make fonts` installs it)")


def chromium() -> str | None:
    return shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)


def need_chromium() -> None:
    """Chromium, its driver and selenium, for the gallery's browser tests."""
    need(missing_modules("selenium", hint="pip install 'zflow[test]'; `make test` installs it")
         or (None if chromium() else "no Chromium (apt-get install chromium; `make browser` installs it)")
         or (None if shutil.which("chromedriver") else
             "no chromedriver (apt-get install chromium-driver; `make browser` installs it)"))


def network_address() -> str | None:
    """This machine's address on its network (the one a route out would use), if it has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("198.51.100.1", 9))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def need_network_interface() -> str:
    """This machine's network address; a host with only loopback cannot show that a server refuses the network."""
    address = network_address()
    need(None if address else "this host has no network interface besides loopback (run it on a host with one)")
    return address
