import pytest

from tests.signatures.pki import PKI


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> PKI:
    """The test PKI, its trust store (the root alone) in a folder of its own."""
    return PKI.build(tmp_path_factory.mktemp("signatures") / "trust")


@pytest.fixture(autouse=True)
def _trust_store(settings, pki):
    settings.SIGNATURE_TRUST_STORE = str(pki.trust_store)
