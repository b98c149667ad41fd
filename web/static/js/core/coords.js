// coords.js: coordinates as planners write them — CGCS2000 degrees (decimal
// or degrees-minutes-seconds) and 3-degree Gauss-Kruger (X = northing,
// Y = easting) — formatted for the status bar and read back from whatever
// a planner pastes into "go to".
(function (wanmu) {
	'use strict';

	// formats are the readouts: degrees, DMS, then the region's main
	// Gauss-Kruger zone with and without the zone prefix, named by their EPSG
	// codes (丽水: '4528', '4549').
	function formats() {
		var z = wanmu.gk.zone();
		return ['dd', 'dms', String(4488 + z), String(4509 + z)];
	}

	function pad(v, w) {
		var s = String(v);
		while (s.length < w) {
			s = '0' + s;
		}
		return s;
	}

	// dms writes an angle as 119°55'19.20" (seconds to 0.01″, about 0.3 m).
	function dms(v) {
		var cs = Math.round(Math.abs(v) * 360000); // hundredths of a second
		var d = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60, s = cs % 6000;
		return d + '°' + pad(m, 2) + '\'' + pad(Math.floor(s / 100), 2) + '.' + pad(s % 100, 2) + '"';
	}

	// format writes lon/lat in one of formats() (or any 3-degree
	// Gauss-Kruger EPSG code).
	function format(lon, lat, fmt) {
		var ew = lon < 0 ? 'W' : 'E', ns = lat < 0 ? 'S' : 'N';
		var gz = wanmu.gk.epsgZone(fmt);
		if (gz) {
			var p = wanmu.gk.toZone(lon, lat, gz.prefixed, gz.zone);
			return 'X ' + p.x.toFixed(2) + '  Y ' + p.y.toFixed(2);
		}
		if (fmt === 'dms') {
			return dms(lon) + ew + ' ' + dms(lat) + ns;
		}
		return Math.abs(lon).toFixed(6) + '°' + ew + ' ' + Math.abs(lat).toFixed(6) + '°' + ns;
	}

	// One angle in degrees-minutes-seconds, with the hemisphere before or
	// after it (N28°27'3.6", 28°27′3.6″N, 北纬28度27分3.6秒).
	var ANGLE = /([NSEW]|北纬|南纬|东经|西经)?\s*(\d+(?:\.\d+)?)\s*[°度]\s*(?:(\d+(?:\.\d+)?)\s*['′’分]\s*)?(?:(\d+(?:\.\d+)?)\s*(?:"|″|”|''|′′|秒)\s*)?([NSEW])?/gi;
	var HEMI = { N: 'lat', S: 'lat', E: 'lon', W: 'lon', '北纬': 'lat', '南纬': 'lat', '东经': 'lon', '西经': 'lon' };
	var NEG = { S: true, W: true, '南纬': true, '西经': true };

	function parseDMS(text) {
		var out = [], m;
		ANGLE.lastIndex = 0;
		while ((m = ANGLE.exec(text)) !== null) {
			if (!m[0]) {
				ANGLE.lastIndex++;
				continue;
			}
			var v = parseFloat(m[2]) + (m[3] ? parseFloat(m[3]) / 60 : 0) + (m[4] ? parseFloat(m[4]) / 3600 : 0);
			var hemi = (m[1] || m[5] || '').toUpperCase();
			out.push({ v: NEG[hemi] ? -v : v, axis: HEMI[hemi] || '', ms: !!(m[3] || m[4]) });
		}
		return out.length === 2 ? out : null;
	}

	// pair orders two angles as lon/lat: by their hemisphere letters, else the
	// one beyond 90 is the longitude, else latitude first (as GPS apps write).
	function pair(a, b) {
		if (a.axis === 'lat' || b.axis === 'lon') {
			return { lon: b.v, lat: a.v };
		}
		if (a.axis === 'lon' || b.axis === 'lat') {
			return { lon: a.v, lat: b.v };
		}
		if (Math.abs(a.v) > 90 && Math.abs(b.v) <= 90) {
			return { lon: a.v, lat: b.v };
		}
		return { lon: b.v, lat: a.v };
	}

	// China in CGCS2000 (roughly): a position outside is a typing mistake
	// for a planner in 丽水 (0,0, or lat/lon of another country).
	var CHINA = { west: 73, east: 136, south: 3, north: 54 };

	function inChina(lon, lat) {
		return lon >= CHINA.west && lon <= CHINA.east && lat >= CHINA.south && lat <= CHINA.north;
	}

	// normalize turns full-width digits and punctuation (２８．４５１，１１９．９２２,
	// as a Chinese input method types them) and the ideographic space into
	// ASCII, and a typographic minus into '-'.
	function normalize(text) {
		return String(text || '').replace(/[\uff01-\uff5e]/g, function (c) {
			return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
		}).replace(/\u3000/g, ' ').replace(/[\u2212\u2013]/g, '-').replace(/、/g, ',').trim();
	}

	// A number, with a hemisphere or axis letter before or after it.
	var NUM = /([NSEWXY]|北纬|南纬|东经|西经)?\s*[=:]?\s*(-?\d+(?:\.\d+)?)\s*([NSEW](?![A-Z]))?/gi;

	function numbers(text) {
		var out = [], m;
		NUM.lastIndex = 0;
		while ((m = NUM.exec(text)) !== null) {
			out.push({ v: parseFloat(m[2]), letter: (m[1] || m[3] || '').toUpperCase() });
		}
		return out;
	}

	// groups splits the numbers of text into the two coordinates: at a comma
	// or semicolon, else in halves (28 27 3.6 119 55 19.2). Null when it
	// cannot be split so.
	function groups(text) {
		var parts = text.split(/[,;]/).map(function (p) { return p.trim(); }).filter(Boolean);
		if (parts.length === 2) {
			var a = numbers(parts[0]), b = numbers(parts[1]);
			return a.length >= 1 && a.length <= 3 && b.length >= 1 && b.length <= 3 ? [a, b] : null;
		}
		if (parts.length !== 1) {
			return null;
		}
		var all = numbers(parts[0]), n = all.length;
		return n === 2 || n === 4 || n === 6 ? [all.slice(0, n / 2), all.slice(n / 2)] : null;
	}

	// angleOf reads degrees, minutes, seconds written as separate numbers
	// (survey tables write 28 27 3.6): null when they are not an angle.
	function angleOf(g) {
		var d = g[0].v, m = g.length > 1 ? g[1].v : 0, s = g.length > 2 ? g[2].v : 0;
		if ((g.length > 1 && d % 1 !== 0) || (g.length > 2 && m % 1 !== 0) || m < 0 || m >= 60 || s < 0 || s >= 60) {
			return null;
		}
		var v = Math.abs(d) + m / 60 + s / 3600, hemi = '';
		g.forEach(function (x) { hemi = hemi || x.letter; });
		return { v: (1 / d < 0 || NEG[hemi]) ? -v : v, axis: HEMI[hemi] || '', ms: g.length > 1 };
	}

	// gaussKruger reads two large numbers as Gauss-Kruger X (northing, 7
	// digits in China) and Y, in either order: Y with a 3-degree zone prefix
	// (8 digits: zone 25–45, EPSG:4513–4533; 丽水 is zone 40, EPSG:4528, its
	// west edge zone 39) or without one (6 digits) in the region's zone (丽水:
	// 40, EPSG:4549) — in a city of two zones, the one that puts it inside
	// the city.
	function gaussKruger(a, b) {
		var x = Math.max(a, b), y = Math.min(a, b), prefixed = false;
		if (x >= 1e7) { // the larger is a prefixed easting
			prefixed = true;
			y = x;
			x = Math.min(a, b);
		}
		if (x < 1e6 || x >= 1e7 || y < 0 || (!prefixed && y >= 1e6)) {
			return { error: 'unreadable' };
		}
		if (!prefixed) {
			var z = plainZone(x, y), ll = wanmu.gk.fromZone(x, y, z);
			return { lon: ll.lon, lat: ll.lat, kind: String(4509 + z), x: x, y: y, zone: z };
		}
		var zone = Math.floor(y / 1e6);
		if (zone < GK_ZONES[0] || zone > GK_ZONES[1]) {
			return { error: 'zone', zone: zone };
		}
		var p = wanmu.gk.inverse(x, y - zone * 1e6, 3 * zone);
		var own = wanmu.gk.zones().indexOf(zone) >= 0;
		return { lon: p.lon, lat: p.lat, kind: own ? String(4488 + zone) : 'gk3', epsg: 4488 + zone, x: x, y: y, zone: zone };
	}
	var GK_ZONES = [25, 45];

	// plainZone is the region's zone an easting without prefix is read in:
	// the first that puts it inside the region's extent, else the main zone.
	function plainZone(x, y) {
		var zs = wanmu.gk.zones(), e = wanmu.style.region && wanmu.style.region.extent;
		for (var i = 0; e && zs.length > 1 && i < zs.length; i++) {
			var ll = wanmu.gk.inverse(x, y, 3 * zs[i]);
			if (ll.lon >= e.min_lon && ll.lon <= e.max_lon && ll.lat >= e.min_lat && ll.lat <= e.max_lat) {
				return zs[i];
			}
		}
		return zs[0];
	}

	// read reads a position from text. It answers {lon, lat, kind, outside}
	// where kind is 'dd', 'dms', the EPSG code of one of the region's zones
	// (丽水: '4528' prefixed, '4549' not) or 'gk3' (another 3-degree zone:
	// zone, epsg) and outside says it lies outside China; or {error}:
	// 'unreadable', or 'zone' (a Gauss-Kruger zone prefix wanmu does not read).
	function read(text) {
		text = normalize(text);
		if (!text) {
			return { error: 'unreadable' };
		}
		var r = null;
		var angles = /[°度′'"″分秒]/.test(text) ? parseDMS(text) : null;
		if (angles) {
			r = pair(angles[0], angles[1]);
			r.kind = angles[0].ms || angles[1].ms ? 'dms' : 'dd'; // 119.922°E is decimal
		} else {
			var g = groups(text);
			if (!g) {
				return { error: 'unreadable' };
			}
			if (g[0].length === 1 && g[1].length === 1 && (Math.abs(g[0][0].v) > 180 || Math.abs(g[1][0].v) > 180)) {
				r = gaussKruger(g[0][0].v, g[1][0].v);
				if (r.error) {
					return r;
				}
			} else {
				var a = angleOf(g[0]), b = angleOf(g[1]);
				if (!a || !b) {
					return { error: 'unreadable' };
				}
				r = pair(a, b);
				r.kind = a.ms || b.ms ? 'dms' : 'dd';
			}
		}
		if (!(Math.abs(r.lat) <= 90 && Math.abs(r.lon) <= 180)) {
			return { error: 'unreadable' };
		}
		r.outside = !inChina(r.lon, r.lat);
		return r;
	}

	// parse is read without the errors' detail: the position, or null.
	function parse(text) {
		var r = read(text);
		return r.error ? null : r;
	}

	// kindText names the form a position was read in, for the planner.
	function kindText(r) {
		var t = wanmu.i18n.t;
		return r.kind === 'gk3' ? t('coords.kind.gk3', { zone: r.zone, epsg: r.epsg }) : t('coords.kind.' + r.kind);
	}

	// problem is the sentence for a position that cannot be used (null when
	// it can): unreadable, a zone wanmu does not read, or outside China
	// (saying how it was read, so the planner sees the mistake).
	function problem(r) {
		var t = wanmu.i18n.t;
		if (r.error === 'zone') {
			var z = wanmu.gk.zone();
			return t('coords.zoneUnknown', { zone: r.zone, from: GK_ZONES[0], to: GK_ZONES[1], city: cityShort(),
				main: z, p: 4488 + z, n: 4509 + z, west: z - 1, pw: 4487 + z });
		}
		if (r.error) {
			return t('coords.unknown');
		}
		if (r.outside) {
			return t('coords.outside', { what: kindText(r), pos: format(r.lon, r.lat, 'dd') });
		}
		return null;
	}

	function cityShort() {
		var rg = wanmu.style.region;
		return rg ? rg.short || rg.name : '丽水';
	}

	// setRegion names the region's Gauss-Kruger CRSs in the readout, the
	// "go to" note and the print grid (丽水's zone 40 has its own messages),
	// and the page's titles after the city, in both languages.
	function setRegion(region) {
		if (!region) {
			return;
		}
		var z = wanmu.gk.zone();
		['zh', 'en'].forEach(function (l) {
			var m = wanmu.messages[l];
			var fill = function (key, p) {
				return m[key].replace(/\{(\w+)\}/g, function (all, k) { return p[k] === undefined ? all : String(p[k]); });
			};
			var city = l === 'en' ? region.name_en || region.name : region.name;
			m['app.title'] = fill('region.appTitle', { city: city });
			m['app.subtitle'] = m['login.lead'] = fill('region.subtitle', { city: city });
			m['print.defaultTitle'] = fill('region.printTitle', { city: city });
			m['coords.gotoHelp'] = fill('coords.gotoHelpTemplate', { p: 4488 + z, zone: z, n: 4509 + z });
			(region.zones || []).forEach(function (zz) {
				[[4488 + zz, 'print.gridName.gkPrefixedTemplate'], [4509 + zz, 'print.gridName.gkTemplate']].forEach(function (c) {
					var p = { epsg: c[0], zone: zz, cm: 3 * zz };
					['coords.fmt.', 'coords.kind.'].forEach(function (k) {
						if (m[k + c[0]] === undefined) {
							m[k + c[0]] = fill('coords.fmt.gkTemplate', p);
						}
					});
					if (m['print.gridName.' + c[0]] === undefined) {
						m['print.gridName.' + c[0]] = fill(c[1], p);
					}
				});
			});
		});
	}

	var api = { formats: formats, format: format, parse: parse, read: read, problem: problem, kindText: kindText, inChina: inChina, normalize: normalize, dms: dms, setRegion: setRegion };
	// FORMATS is read as a list by the status bar and the settings.
	Object.defineProperty(api, 'FORMATS', { get: formats, enumerable: true });
	wanmu.coords = api;
})(window.wanmu = window.wanmu || {});
