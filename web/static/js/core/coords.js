// coords.js: coordinates as planners write them — CGCS2000 degrees (decimal
// or degrees-minutes-seconds) and 3-degree Gauss-Kruger (X = northing,
// Y = easting) — formatted for the status bar and read back from whatever
// a planner pastes into "go to".
(function (wanmu) {
	'use strict';

	var FORMATS = ['dd', 'dms', '4528', '4549'];

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

	// format writes lon/lat in one of FORMATS.
	function format(lon, lat, fmt) {
		var ew = lon < 0 ? 'W' : 'E', ns = lat < 0 ? 'S' : 'N';
		switch (fmt) {
		case 'dms':
			return dms(lon) + ew + ' ' + dms(lat) + ns;
		case '4528':
		case '4549':
			var p = wanmu.gk.toZone40(lon, lat, fmt === '4528');
			return 'X ' + p.x.toFixed(2) + '  Y ' + p.y.toFixed(2);
		default:
			return Math.abs(lon).toFixed(6) + '°' + ew + ' ' + Math.abs(lat).toFixed(6) + '°' + ns;
		}
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

	// parse reads a position from text. It answers {lon, lat, kind} where
	// kind is 'dd', 'dms', '4528' or '4549', or null when it cannot tell.
	function parse(text) {
		text = String(text || '').trim();
		if (!text) {
			return null;
		}
		var r = null;
		var angles = /[°度′'"″分秒]/.test(text) ? parseDMS(text) : null;
		if (angles) {
			r = pair(angles[0], angles[1]);
			r.kind = angles[0].ms || angles[1].ms ? 'dms' : 'dd'; // 119.922°E is decimal
		} else {
			var nums = [], letters = [], re = /([NSEWXY]|北纬|南纬|东经|西经)?\s*[=:：]?\s*(-?\d+(?:\.\d+)?)\s*([NSEW])?/gi, m;
			while ((m = re.exec(text)) !== null) {
				nums.push(parseFloat(m[2]));
				letters.push((m[1] || m[3] || '').toUpperCase());
			}
			if (nums.length !== 2) {
				return null;
			}
			var a = nums[0], b = nums[1];
			if (Math.abs(a) <= 180 && Math.abs(b) <= 180) {
				r = pair({ v: NEG[letters[0]] ? -a : a, axis: HEMI[letters[0]] || '' }, { v: NEG[letters[1]] ? -b : b, axis: HEMI[letters[1]] || '' });
				r.kind = 'dd';
			} else {
				// Gauss-Kruger: X (northing, 7 digits in China) and Y, with the
				// zone prefix (8 digits, 40xxxxxx) or without (6 digits). Which
				// is which follows from their size, so either order reads.
				var x = Math.max(a, b), y = Math.min(a, b), prefixed = false;
				if (x >= 1e7) { // the larger is a prefixed easting
					prefixed = true;
					y = x;
					x = Math.min(a, b);
				}
				if (x < 1e6 || x >= 1e7 || (prefixed ? Math.floor(y / 1e6) !== wanmu.gk.ZONE : y >= 1e6) || y % 1e6 < 0) {
					return null;
				}
				var ll = wanmu.gk.fromZone40(x, y);
				r = { lon: ll.lon, lat: ll.lat, kind: prefixed ? '4528' : '4549', x: x, y: y };
			}
		}
		if (!(Math.abs(r.lat) <= 90 && Math.abs(r.lon) <= 180)) {
			return null;
		}
		return r;
	}

	wanmu.coords = { FORMATS: FORMATS, format: format, parse: parse, dms: dms };
})(window.wanmu = window.wanmu || {});
