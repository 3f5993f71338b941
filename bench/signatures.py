"""The cost of validating a signed container: `.venv/bin/python bench/signatures.py`.

Builds the test PKI (tests/signatures/pki.py) and a 10 MB ASiC-E container holding two data
files signed by two signers (XAdES-LT: time stamp and OCSP answer), writes it to disk, and in a
fresh process each measures CPU seconds and peak memory (VmHWM) of
  - the baseline: reading the same file and hashing it, then opening it as a ZIP and hashing
    every member (the least any validation must do), and
  - `signatures.validate` of it against the test trust store.
Target: ≤ 1 s CPU and ≤ 100 MB for the validation (its growth over what Django took). The figures are printed beside the baseline
of the same run (the project's rule for benchmarks: no timed assertions). Needs no database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_CPU, TARGET_MB = 1.0, 100
SIZE = 10 * 1024 * 1024

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "manskonts.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "k" * 40,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://bench@127.0.0.1:5432/unused",  # validation reads no database
        "LOG_LEVEL": "WARNING",
        "DEMO_IDP_ENABLED": "0",
        "PAYMENT_PROVIDER": "",
    }
)

CHILD = """
import hashlib, sys, time, zipfile
sys.path.insert(0, sys.argv[1])
import django; django.setup()
import signatures

def status(key):
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(key))

mode, path, trust = sys.argv[2], sys.argv[3], sys.argv[4]
before = status("VmRSS:")
started = time.process_time()
if mode == "baseline":
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            digest = hashlib.sha256()
            with archive.open(member) as data:
                while chunk := data.read(1 << 20):
                    digest.update(chunk)
    result = "hashed"
else:
    report = signatures.validate(path, "iesniegums.edoc", trust_store=trust)
    result = report.status + ": " + report.words
cpu = time.process_time() - started
print(repr((cpu, status("VmHWM:") // 1024, (status("VmHWM:") - before) // 1024, result)))
"""


def measure(mode: str, path: Path, trust: Path) -> tuple[float, int, int, str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), mode, str(path), str(trust)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    ).stdout
    return eval(out.strip().splitlines()[-1])  # noqa: S307 — our own child's repr of a tuple


def main() -> None:
    import django

    django.setup()
    from tests.signatures import builders
    from tests.signatures.pki import PKI, ocsp_response

    with tempfile.TemporaryDirectory() as folder:
        pki = PKI.build(Path(folder) / "trust")
        files = {  # incompressible, so the container itself is 10 MB
            "iesniegums.pdf": builders.plain_pdf() + os.urandom(SIZE - SIZE // 5),
            "pielikums.tiff": os.urandom(SIZE // 5),
        }
        container = builders.asice(
            files,
            [
                builders.xades_signatures(
                    files, signer, signature_id=f"S{i}", tsa=pki.tsa, ocsp=ocsp_response(signer)
                )
                for i, signer in enumerate((pki.janis, pki.anna))
            ],
        )
        path = Path(folder) / "iesniegums.edoc"
        path.write_bytes(container)
        print(f"container: {len(container) / 1e6:.1f} MB, 2 data files, 2 XAdES-LT signatures")
        print(f"{'':44} {'CPU s':>6} {'peak MB':>8} {'growth':>7}  result")
        rows = {}
        for mode, what in (
            ("baseline", "baseline: hash the file, hash its members"),
            ("validate", "signatures.validate"),
        ):
            cpu, peak, growth, result = measure(mode, path, pki.trust_store)
            rows[mode] = (cpu, peak, growth)
            print(f"{what:44} {cpu:6.3f} {peak:8} {growth:7}  {result[:90]}")
        cpu, peak, growth = rows["validate"]
        base_cpu = rows["baseline"][0]
        print(
            f"validation: {cpu:.3f} s CPU ({cpu / max(base_cpu, 1e-6):.1f} × the baseline's "
            f"{base_cpu:.3f} s), {growth} MB over the memory Django itself took (peak {peak} MB, "
            f"the baseline's {rows['baseline'][1]} MB); targets ≤ {TARGET_CPU} s, ≤ {TARGET_MB} MB: "
            f"{'within' if cpu <= TARGET_CPU and growth <= TARGET_MB else 'OVER'}"
        )


if __name__ == "__main__":
    main()
