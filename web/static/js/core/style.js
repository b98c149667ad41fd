// style.js: the map's colours and symbols, used by the layers and the
// legend alike. The palette is the server's (internal/symbology: muted
// fills, clear strokes, red only for what forbids development); the QGIS
// project and the MapLibre style draw with the same.
(function (wanmu) {
	'use strict';

	var GREY = '#8c939c';

	// The colours come from the server (internal/symbology, through
	// /api/v1/config: setSymbology), which also styles the QGIS project and
	// the MapLibre style. Until then everything is a neutral grey.
	var dispositions = [];    // the dispositions' codes, in the policy's order
	var dispositionColor = {}; // code → #rrggbb
	var township = {};         // code → the server's symbol
	var park = { color: GREY, fill: GREY, width: 1, opacity: 0.3 };
	var platformPalette = [];
	var layerRules = [];
	var classColors = {};      // 亩均 class (A–D, T) → #rrggbb

	// setSymbology takes the symbols the server declares.
	function setSymbology(sym) {
		if (!sym) {
			return;
		}
		dispositions.length = 0;
		(sym.township || []).forEach(function (d) {
			dispositions.push(d.code);
			dispositionColor[d.code] = d.style.fill;
			township[d.code] = d.style;
		});
		if (sym.park) {
			park.color = sym.park.stroke;
			park.fill = sym.park.fill;
			park.width = sym.park.stroke_width;
			park.opacity = sym.park.fill_opacity;
		}
		Object.keys(sym.classes || {}).forEach(function (c) { classColors[c] = sym.classes[c]; });
		platformPalette.length = 0;
		Array.prototype.push.apply(platformPalette, sym.platform_palette || []);
		layerRules = (sym.layers || []).map(function (r) {
			return { kind: r.kind || '', name: r.name ? new RegExp(r.name, 'i') : null, style: r.style, label: !!r.label };
		});
	}

	// The region's counties (adcodes, in the server's order), filled from
	// /api/v1/config by setRegion; each is also the message key county.<adcode>.
	var counties = [];

	// setRegion takes the city and its counties from the server's region
	// (internal/region): the county lists of the selects and filters, and
	// the counties' names in both languages (English falls back to Chinese).
	function setRegion(region) {
		if (!region || !region.counties) {
			return;
		}
		counties.length = 0;
		region.counties.forEach(function (c) {
			counties.push(c.adcode);
			wanmu.messages.zh['county.' + c.adcode] = c.name;
			wanmu.messages.en['county.' + c.adcode] = c.name_en || c.name;
		});
		wanmu.style.region = region;
		// Names of the region's Gauss-Kruger CRSs (丽水's have their own messages).
		crsCodes().forEach(function (code) {
			var epsg = Number(code.slice(5)), prefixed = epsg < 4534, zone = prefixed ? epsg - 4488 : epsg - 4509;
			['zh', 'en'].forEach(function (l) {
				var m = wanmu.messages[l], key = 'crs.' + code;
				if (epsg !== 4490 && epsg !== 4326 && m[key] === undefined) {
					m[key] = m[prefixed ? 'crs.gkPrefixedTemplate' : 'crs.gkTemplate']
						.replace('{cm}', 3 * zone).replace('{zone}', zone).replace('{epsg}', epsg);
				}
			});
		});
	}

	// crsCodes are the CRSs offered for imports and exports: lon/lat, then
	// each Gauss-Kruger zone of the region without and with the zone prefix
	// (EPSG 4509 + zone and 4488 + zone; 丽水's zone 40: 4549 and 4528).
	function crsCodes() {
		var zones = (wanmu.style.region && wanmu.style.region.zones) || [40];
		var out = ['EPSG:4490', 'EPSG:4326'];
		zones.forEach(function (z) { out.push('EPSG:' + (4509 + z), 'EPSG:' + (4488 + z)); });
		return out;
	}

	// regionCenter is [lat, lon] of the middle of the region's extent, where
	// the map opens before it has data to fit (丽水 without a region).
	function regionCenter() {
		var e = wanmu.style.region && wanmu.style.region.extent;
		return e ? [(e.min_lat + e.max_lat) / 2, (e.min_lon + e.max_lon) / 2] : [28.2, 119.7];
	}

	// layerStyle gives a constraint or reference layer its look: the first
	// of the server's rules that matches its kind and name.
	function layerStyle(layer) {
		var name = layer.name || '';
		for (var i = 0; i < layerRules.length; i++) {
			var r = layerRules[i];
			if ((!r.kind || r.kind === layer.kind) && (!r.name || r.name.test(name))) {
				var s = r.style;
				return { stroke: s.stroke, width: s.stroke_width, dash: s.dash || null, fill: s.fill ? rgba(s.fill, s.fill_opacity) : null,
					hatch: s.hatch ? rgba(s.hatch, s.hatch_opacity) : null, label: r.label };
			}
		}
		return { stroke: GREY, width: 1, fill: null };
	}

	// rgba is a #rrggbb colour with an opacity, as CSS.
	function rgba(hex, opacity) {
		var n = parseInt(hex.slice(1), 16);
		return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + opacity + ')';
	}

	// classColor is the colour of a 亩均 class (A–D, T).
	function classColor(c) {
		return classColors[c] || GREY;
	}

	function platformColor(id) {
		if (!platformPalette.length) {
			return GREY;
		}
		return platformPalette[(Number(id) - 1 + platformPalette.length * 1000) % platformPalette.length];
	}

	// zoneStyle is the Leaflet path style of a zone feature.
	function zoneStyle(props) {
		if (props.kind === 'park') {
			return { color: park.color, weight: park.width, fillColor: park.fill, fillOpacity: park.opacity, opacity: 0.95 };
		}
		var s = township[props.disposition] || township['待定'];
		if (!s) {
			return { color: GREY, weight: 1, fillColor: GREY, fillOpacity: 0.3, opacity: 0.95 };
		}
		return { color: s.stroke, weight: s.stroke_width, fillColor: s.fill, fillOpacity: s.fill_opacity, opacity: 0.95 };
	}

	// zoneTileStyle is a zone's symbol on the overview tiles (canvas), the
	// same colours as zoneStyle.
	function zoneTileStyle(props) {
		var s = zoneStyle(props);
		return { stroke: s.color, width: s.weight, fill: rgba(s.fillColor, s.fillOpacity) };
	}

	// shade darkens (k < 0) or lightens (k > 0) a #rrggbb colour.
	function shade(hex, k) {
		var n = parseInt(hex.slice(1), 16);
		var r = n >> 16, g = (n >> 8) & 255, b = n & 255;
		function f(c) {
			return Math.round(k < 0 ? c * (1 + k) : c + (255 - c) * k);
		}
		return '#' + ((1 << 24) + (f(r) << 16) + (f(g) << 8) + f(b)).toString(16).slice(1);
	}

	wanmu.style = {
		dispositions: dispositions,
		dispositionColor: dispositionColor,
		park: park,
		counties: counties,
		region: null,
		setRegion: setRegion,
		setSymbology: setSymbology,
		crsCodes: crsCodes,
		regionCenter: regionCenter,
		layerStyle: layerStyle,
		platformColor: platformColor,
		classColor: classColor,
		zoneStyle: zoneStyle,
		zoneTileStyle: zoneTileStyle,
		shade: shade,
		selected: { color: '#f2b705', weight: 3.2, opacity: 1 },
		hover: { weight: 2.6 },
		ghost: { color: '#7a3fb0', weight: 2.2, dashArray: '6 5', fillColor: '#7a3fb0', fillOpacity: 0.08 },
		theirs: { color: '#d9480f', weight: 2.6, dashArray: '7 5', fillColor: '#d9480f', fillOpacity: 0.1 },
		mine: { color: '#1c64c8', weight: 2.4, fillColor: '#1c64c8', fillOpacity: 0.12 },
		editing: { color: '#1c64c8', weight: 2.2, fillColor: '#1c64c8', fillOpacity: 0.15 }
	};
})(window.wanmu = window.wanmu || {});
