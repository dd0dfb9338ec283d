"""Nothing acknowledged is lost: `kill -9` of `quietpage serve` in a burst of writes."""
from __future__ import annotations

import asyncio
import sqlite3

import aiohttp

from proxy.database import DB_NAME
from proxy.library.store import SCHEMA as LIBRARY
from proxy.store import SCHEMA, Store
from support.servicerig import Service, ServeProcess, make_token


async def test_kill_9_during_a_burst_of_writes_loses_nothing_acknowledged(tmp_path):
    data = tmp_path / "data"
    token = make_token(data)
    serve = ServeProcess(data).start()
    acked_toggles: list[str] = []
    acked_rules: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{serve.port}"

    async def writer(session: aiohttp.ClientSession, worker: int) -> None:
        for i in range(10_000):
            site = f"w{worker}-{i}.example"
            try:
                if i % 5 == 4:
                    async with session.post(base + "/api/rules", headers=headers,
                                            json={"site": site, "title": f"rule {i}", "selector": f".x{i}"}) as r:
                        if r.status == 201:
                            acked_rules.append((await r.json())["rule"]["id"])
                        assert r.status == 201, await r.text()
                else:
                    async with session.put(base + "/api/rules/rt.com.read-more", headers=headers,
                                           json={"enabled": False, "site": site}) as r:
                        if r.status == 200:
                            acked_toggles.append(site)
                        assert r.status == 200, await r.text()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                return  # the server is gone

    async def killer() -> None:
        while len(acked_toggles) + len(acked_rules) < 60:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(serve.kill9)

    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await asyncio.wait_for(asyncio.gather(killer(), *[writer(session, w) for w in range(8)]), 30)
    finally:
        serve.stop()
    assert len(acked_toggles) + len(acked_rules) >= 60

    db = sqlite3.connect(data / DB_NAME)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()
    store = Store.in_dir(data)
    try:
        snapshot = store.snapshot()
        assert store.schema_versions() == {"library": LIBRARY.version, "state": SCHEMA.version}  # as the service left it
    finally:
        store.close()
    stored_sites = {t.site for t in snapshot.toggles}
    assert set(acked_toggles) <= stored_sites
    assert set(acked_rules) <= {r.id for r in snapshot.user_rules}
    # Every stored change took exactly one revision.
    assert snapshot.revision == len(snapshot.toggles) + len(snapshot.user_rules)

    serve = ServeProcess(data).start()
    try:
        service = Service(serve.port, data, token)
        listing = await service.call("GET", f"/api/rules?site={acked_toggles[-1]}")
        assert listing["revision"] == snapshot.revision
        entry = next(r for p in listing["packs"] for r in p["rules"] if r["id"] == "rt.com.read-more")
        assert entry["enabled_here"] is False
        assert {r["id"] for p in listing["packs"] if p["id"] == "user" for r in p["rules"]} >= set(acked_rules)
    finally:
        serve.stop()
