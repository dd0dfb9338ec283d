"""The store on a SQLite file of its own: schema versions, durability settings, pairing expiry."""
from proxy.store import SCHEMA, Store


def test_schema_is_versioned_and_reopening_migrates_nothing(tmp_path):
    store = Store(tmp_path / "q.sqlite3")
    assert store.schema_versions() == {"state": SCHEMA.version}
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.set_paused("rt.com", True)
    store.close()
    again = Store(tmp_path / "q.sqlite3")
    try:
        assert again.revision() == 1 and again.snapshot().paused == ("rt.com",)
    finally:
        again.close()


def test_an_approved_pairing_left_uncollected_expires():
    from proxy.store import CLAIM_WINDOW, PairRequest
    asked = 1000.0
    approved = PairRequest("id", "ABCD2345", "c", asked, asked + 600, asked + 30, None)
    assert approved.status(now=asked + 60) == "approved"
    assert approved.status(now=max(asked + 600, asked + 30 + CLAIM_WINDOW) + 1) == "expired"
    late = PairRequest("id", "ABCD2345", "c", asked, asked + 600, asked + 590, None)
    assert late.status(now=asked + 600 + 60) == "approved"
    assert late.status(now=asked + 590 + CLAIM_WINDOW + 1) == "expired"
