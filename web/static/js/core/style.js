// style.js: the map's colours and symbols, declared once and used by the
// layers and the legend alike. A sober palette: muted fills, clear strokes,
// red only for what forbids development.
(function (wanmu) {
	'use strict';

	var dispositions = ['保留', '并', '提', '撤', '转', '待定'];
	var dispositionColor = {
		'保留': '#4a78b5', // keep: planning blue
		'并': '#d9892b',   // merge: amber
		'提': '#3c9a63',   // upgrade: green
		'撤': '#c2453c',   // abolish: red
		'转': '#8a6bb5',   // transform: violet
		'待定': '#8c939c'  // undecided: grey
	};
	var park = { color: '#0f5e72', fill: '#2e8fa6' };
	var platformPalette = ['#1d4f91', '#b5522b', '#2b7a4b', '#7a3f8f', '#9c7a16', '#0f6d78', '#a13d63', '#4d5b6b', '#5d7f1f', '#6a4a2f'];

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

	// layerStyle gives a constraint or reference layer its look: exclusions
	// hatched (red for the ecological red line, ochre for farmland), the
	// urban development boundary (include) as a dashed green outline,
	// reference layers as thin grey lines.
	function layerStyle(layer) {
		var name = layer.name || '';
		if (layer.kind === 'include') {
			return { stroke: '#2f7d4a', width: 1.6, dash: [6, 4], fill: 'rgba(47,125,74,0.07)' };
		}
		if (layer.kind === 'reference') {
			return { stroke: '#98a3af', width: 1.1, dash: [7, 4], fill: null, label: true };
		}
		if (layer.kind === 'vacant') { // 闲置土地: the low-efficiency layer's purple (EnterpriseLayer.js)
			return { stroke: '#7048a8', width: 0.9, dash: [4, 3], fill: 'rgba(112,72,168,0.16)', hatch: 'rgba(112,72,168,0.4)' };
		}
		if (/红线|red/i.test(name)) {
			return { stroke: '#b8322a', width: 0.8, fill: 'rgba(200,60,50,0.10)', hatch: 'rgba(184,50,42,0.42)' };
		}
		if (/农田|farm/i.test(name)) {
			return { stroke: '#a5861c', width: 0.6, fill: 'rgba(214,182,60,0.28)', hatch: null };
		}
		if (/水|water/i.test(name)) {
			return { stroke: '#3b7fb6', width: 0.6, fill: 'rgba(80,150,210,0.3)' };
		}
		return { stroke: '#7d5a50', width: 0.7, fill: 'rgba(125,90,80,0.2)', hatch: 'rgba(125,90,80,0.45)' };
	}

	function platformColor(id) {
		return platformPalette[(Number(id) - 1 + platformPalette.length * 1000) % platformPalette.length];
	}

	// zoneStyle is the Leaflet path style of a zone feature.
	function zoneStyle(props) {
		if (props.kind === 'park') {
			return { color: park.color, weight: 1.4, fillColor: park.fill, fillOpacity: 0.32, opacity: 0.95 };
		}
		var c = dispositionColor[props.disposition] || dispositionColor['待定'];
		return { color: shade(c, -0.25), weight: 1.2, fillColor: c, fillOpacity: 0.5, opacity: 0.95 };
	}

	// zoneTileStyle is a zone's symbol on the overview tiles (canvas), the
	// same colours as zoneStyle.
	function zoneTileStyle(props) {
		var s = zoneStyle(props);
		var n = parseInt(s.fillColor.slice(1), 16);
		return { stroke: s.color, width: s.weight, fill: 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + s.fillOpacity + ')' };
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
		crsCodes: crsCodes,
		regionCenter: regionCenter,
		layerStyle: layerStyle,
		platformColor: platformColor,
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
