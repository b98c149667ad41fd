"""Opens a QGIS project with QGIS itself (headless) and prints, as JSON,
what a GIS office would look at: the project's CRS, and for every layer
its provider, validity, CRS, renderer, feature count (read through the
layer's provider) and the attributes of its first feature.

Usage: python3 qgis_project.py PROJECT.qgz
"""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsProject, QgsVectorLayer  # noqa: E402

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
out = {"read": project.read(sys.argv[1]), "crs": project.crs().authid(), "layers": []}
for node in project.layerTreeRoot().findLayers():
    layer = node.layer()
    info = {"name": node.name(), "valid": bool(layer and layer.isValid())}
    if layer is not None:
        info["provider"] = layer.providerType()
        info["crs"] = layer.crs().authid()
        renderer = layer.renderer() if hasattr(layer, "renderer") else None
        info["renderer"] = renderer.type() if renderer is not None and hasattr(renderer, "type") else ""
        if isinstance(layer, QgsVectorLayer) and layer.isValid():
            first = None
            count = 0
            for feature in layer.getFeatures():
                if first is None:
                    first = {f.name(): feature[f.name()] for f in layer.fields()}
                count += 1
            info["features"] = count
            info["first"] = {k: (v if isinstance(v, (int, float, str, bool)) or v is None else str(v)) for k, v in (first or {}).items()}
            if renderer is not None and renderer.type() == "RuleRenderer":
                info["rules"] = [r.filterExpression() for r in renderer.rootRule().children()]
    out["layers"].append(info)
print(json.dumps(out, ensure_ascii=False))
app.exitQgis()
