"""The reading-copy library: saved articles with their images, tags and a full-text index,
kept in the service's SQLite file; fetching (SSRF-safe), export and the browser pages."""
