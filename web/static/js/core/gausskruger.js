// gausskruger.js: CGCS2000 3-degree Gauss-Kruger (transverse Mercator) in the
// browser, for the coordinate readout and "go to". The Krüger series to sixth
// order in n (Karney 2011, eqs. 35–36), as internal/geodesy/gausskruger.go:
// nanometre errors within a zone. X is the northing, Y the easting, as
// Chinese survey tables write them.
(function (wanmu) {
	'use strict';

	var A = 6378137, F = 1 / 298.257222101; // CGCS2000
	var E2 = F * (2 - F), E = Math.sqrt(E2);
	var DEG = Math.PI / 180;
	var FALSE_EASTING = 500000;
	var n = F / (2 - F), n2 = n * n, n3 = n2 * n, n4 = n3 * n, n5 = n4 * n, n6 = n5 * n;
	var RECTIFY = A / (1 + n) * (1 + n2 / 4 + n4 / 64 + n6 / 256);
	var ALPHA = [0,
		n / 2 - 2 / 3 * n2 + 5 / 16 * n3 + 41 / 180 * n4 - 127 / 288 * n5 + 7891 / 37800 * n6,
		13 / 48 * n2 - 3 / 5 * n3 + 557 / 1440 * n4 + 281 / 630 * n5 - 1983433 / 1935360 * n6,
		61 / 240 * n3 - 103 / 140 * n4 + 15061 / 26880 * n5 + 167603 / 181440 * n6,
		49561 / 161280 * n4 - 179 / 168 * n5 + 6601661 / 7257600 * n6,
		34729 / 80640 * n5 - 3418889 / 1995840 * n6,
		212378941 / 319334400 * n6];
	var BETA = [0,
		n / 2 - 2 / 3 * n2 + 37 / 96 * n3 - 1 / 360 * n4 - 81 / 512 * n5 + 96199 / 604800 * n6,
		1 / 48 * n2 + 1 / 15 * n3 - 437 / 1440 * n4 + 46 / 105 * n5 - 1118711 / 3870720 * n6,
		17 / 480 * n3 - 37 / 840 * n4 - 209 / 4480 * n5 + 5569 / 90720 * n6,
		4397 / 161280 * n4 - 11 / 504 * n5 - 830251 / 7257600 * n6,
		4583 / 161280 * n5 - 108847 / 3991680 * n6,
		20648693 / 638668800 * n6];

	// conformalTan: τ' = tan χ of the conformal latitude for τ = tan φ.
	function conformalTan(tau) {
		var tau1 = Math.hypot(1, tau);
		var sig = Math.sinh(E * Math.atanh(E * tau / tau1));
		return tau * Math.hypot(1, sig) - sig * tau1;
	}

	// geographicTan inverts conformalTan by Newton's method.
	function geographicTan(taup) {
		var e2m = 1 - E2, tau = taup / e2m;
		for (var i = 0; i < 10; i++) {
			var tp = conformalTan(tau);
			var d = (taup - tp) * (1 + e2m * tau * tau) / (e2m * Math.hypot(1, tau) * Math.hypot(1, tp));
			tau += d;
			if (Math.abs(d) <= 1e-15 * Math.max(1, Math.abs(tau))) {
				break;
			}
		}
		return tau;
	}

	// forward: CGCS2000 lon/lat degrees → {x: northing, y: easting} in metres
	// (false easting 500 km, no zone prefix) for the central meridian cm.
	function forward(lon, lat, cm) {
		var lam = (lon - cm) * DEG;
		var taup = conformalTan(Math.tan(lat * DEG));
		var xip = Math.atan2(taup, Math.cos(lam));
		var etap = Math.asinh(Math.sin(lam) / Math.hypot(taup, Math.cos(lam)));
		var xi = xip, eta = etap;
		for (var j = 1; j <= 6; j++) {
			xi += ALPHA[j] * Math.sin(2 * j * xip) * Math.cosh(2 * j * etap);
			eta += ALPHA[j] * Math.cos(2 * j * xip) * Math.sinh(2 * j * etap);
		}
		return { x: RECTIFY * xi, y: RECTIFY * eta + FALSE_EASTING };
	}

	// inverse: Gauss-Kruger metres (no zone prefix) → {lon, lat} degrees.
	function inverse(x, y, cm) {
		var xi = x / RECTIFY, eta = (y - FALSE_EASTING) / RECTIFY;
		var xip = xi, etap = eta;
		for (var j = 1; j <= 6; j++) {
			xip -= BETA[j] * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
			etap -= BETA[j] * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
		}
		var sh = Math.sinh(etap), s = Math.sin(xip), c = Math.cos(xip);
		var taup = s / Math.hypot(sh, c);
		return { lon: cm + Math.atan2(sh, c) / DEG, lat: Math.atan(geographicTan(taup)) / DEG };
	}

	// zones are the region's 3-degree zones, its main zone first (from the
	// server's region, wanmu.style.region); 丽水's zone 40 (CM 120°E) until
	// the settings come.
	function zones() {
		var r = wanmu.style && wanmu.style.region;
		return r && r.zones && r.zones.length ? r.zones : [40];
	}

	function zone() {
		return zones()[0];
	}

	// epsgZone reads a 3-degree Gauss-Kruger EPSG code: {zone, prefixed}
	// for EPSG 4513–4533 (4488 + zone, the zone prefix on Y) and 4534–4554
	// (4509 + zone, without it); null for any other.
	function epsgZone(epsg) {
		epsg = Number(epsg);
		if (epsg >= 4513 && epsg <= 4533) {
			return { zone: epsg - 4488, prefixed: true };
		}
		if (epsg >= 4534 && epsg <= 4554) {
			return { zone: epsg - 4509, prefixed: false };
		}
		return null;
	}

	// toZone gives {x, y} in zone z (default: the region's main zone), with
	// the zone prefix on Y (EPSG 4488 + z, 丽水: 4528) or without (4509 + z,
	// 丽水: 4549).
	function toZone(lon, lat, prefixed, z) {
		z = z || zone();
		var p = forward(lon, lat, 3 * z);
		if (prefixed) {
			p.y += z * 1e6;
		}
		return p;
	}

	// fromZone reads X, Y as lon/lat: a Y with a zone prefix in the zone it
	// names, one without in zone z (default: the region's main zone).
	function fromZone(x, y, z) {
		if (y >= 1e7) {
			var pz = Math.floor(y / 1e6);
			return inverse(x, y - pz * 1e6, 3 * pz);
		}
		return inverse(x, y, 3 * (z || zone()));
	}

	wanmu.gk = {
		forward: forward,
		inverse: inverse,
		zones: zones,
		zone: zone,
		epsgZone: epsgZone,
		toZone: toZone,
		fromZone: fromZone
	};
})(window.wanmu = window.wanmu || {});
