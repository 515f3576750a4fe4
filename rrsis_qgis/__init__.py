"""QGIS plugin entry point: only ``classFactory``, imported lazily.

A slow import here would freeze the QGIS splash screen.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """Called by QGIS when the plugin is loaded."""
    from .plugin import RrsisPlugin

    return RrsisPlugin(iface)
