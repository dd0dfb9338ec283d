"""The local HTTP service (aiohttp): pairing, rule sync, page reports, change events."""
