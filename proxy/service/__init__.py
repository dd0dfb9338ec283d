"""The local HTTP service (aiohttp): health, page reports, and later rule sync and the library."""
