"""Exports: the formats the service offers are the exporter's."""


def test_export_formats_known_to_the_service_are_the_exporter_s():
    from proxy.library.export import FORMATS
    from proxy.library.style import EXPORT_FORMATS
    assert set(EXPORT_FORMATS) == set(FORMATS)
