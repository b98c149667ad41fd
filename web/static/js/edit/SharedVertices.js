// SharedVertices.js: topological editing (拓扑编辑). Two zones that share
// a boundary hold the very same floats at its vertices; when a vertex edit
// moves or removes such a vertex in one zone, the zone's own PATCH carries
// the moved vertices ("shared_vertices") and the server moves (or removes)
// them in every neighbour that has them, loaded in the page or not, in the
// same transaction: one operation, so one undo takes all of it back. On by
// default; the choice is kept in localStorage.
(function (wanmu) {
	'use strict';

	var t = function (k, p) { return wanmu.i18n.t(k, p); };
	var KEY = 'wanmu.moveShared';
	var MAX_DIFF = 4000000; // cells of the alignment table; beyond, positions are paired by index

	function enabled() {
		try {
			return window.localStorage.getItem(KEY) !== 'off';
		} catch (e) {
			return true;
		}
	}

	function setEnabled(on) {
		try {
			window.localStorage.setItem(KEY, on ? 'on' : 'off');
		} catch (e) { /* storage disabled: the default again next visit */ }
	}

	function polygonsOf(g) {
		if (!g) {
			return [];
		}
		return g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
	}

	// key is exact: String() of a double reads back as the same double.
	function key(p) {
		return String(p[0]) + ',' + String(p[1]);
	}

	function same(a, b) {
		return a[0] === b[0] && a[1] === b[1];
	}

	function dist2(a, b) {
		var dx = a[0] - b[0], dy = a[1] - b[1];
		return dx * dx + dy * dy;
	}

	// changes compares a zone's boundary before and after a vertex edit and
	// returns {key(from): to} for each vertex that moved (to: [lng, lat]) or
	// was removed (to: null). Vertices that are still somewhere in the new
	// boundary are left out, so a neighbour never loses a vertex still used.
	function changes(before, after) {
		var out = {}, kept = {}, n = 0;
		var pb = polygonsOf(before), pa = polygonsOf(after);
		pa.forEach(function (poly) {
			poly.forEach(function (ring) { ring.forEach(function (p) { kept[key(p)] = true; }); });
		});
		for (var i = 0; i < Math.min(pb.length, pa.length); i++) {
			for (var r = 0; r < Math.min(pb[i].length, pa[i].length); r++) {
				diffRing(pb[i][r].slice(0, -1), pa[i][r].slice(0, -1), function (from, to) {
					var k = key(from);
					if (!kept[k] && !(k in out)) {
						out[k] = to ? to.slice() : null;
						n++;
					}
				});
			}
		}
		return n ? out : null;
	}

	// diffRing aligns two open rings on exactly equal vertices (common
	// prefix and suffix first, then the longest common subsequence of the
	// rest) and pairs the unmatched vertices of each stretch in order,
	// nearest first; fn(from, to) gets each moved vertex, and to = null for
	// one removed.
	function diffRing(b, a, fn) {
		var s = 0;
		while (s < b.length && s < a.length && same(b[s], a[s])) {
			s++;
		}
		var eb = b.length, ea = a.length;
		while (eb > s && ea > s && same(b[eb - 1], a[ea - 1])) {
			eb--;
			ea--;
		}
		var mb = b.slice(s, eb), ma = a.slice(s, ea);
		if (!mb.length) {
			return;
		}
		if (mb.length * ma.length > MAX_DIFF) {
			pairRun(mb, ma.slice(0, mb.length), fn);
			return;
		}
		// LCS table, then walk it collecting the unmatched stretches.
		var L = [];
		for (var i = mb.length; i >= 0; i--) {
			L[i] = [];
			for (var j = ma.length; j >= 0; j--) {
				L[i][j] = i === mb.length || j === ma.length ? 0 : same(mb[i], ma[j]) ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
			}
		}
		var x = 0, y = 0, rb = [], ra = [];
		while (x < mb.length || y < ma.length) {
			if (x < mb.length && y < ma.length && same(mb[x], ma[y])) {
				pairRun(rb, ra, fn);
				rb = [];
				ra = [];
				x++;
				y++;
			} else if (y >= ma.length || (x < mb.length && L[x + 1][y] >= L[x][y + 1])) {
				rb.push(mb[x++]);
			} else {
				ra.push(ma[y++]);
			}
		}
		pairRun(rb, ra, fn);
	}

	// pairRun pairs a stretch of old vertices with the new ones in its place:
	// one to one when as many, else in order at the least total distance
	// (old vertices left over were removed; new ones left over were added).
	function pairRun(rb, ra, fn) {
		if (!rb.length) {
			return;
		}
		if (rb.length === ra.length) {
			rb.forEach(function (p, i) { fn(p, ra[i]); });
			return;
		}
		var short = rb.length < ra.length ? rb : ra, long = short === rb ? ra : rb;
		// C[i][j]: least cost pairing short[i..] with long[j..] in order.
		var C = [];
		for (var i = short.length; i >= 0; i--) {
			C[i] = [];
			for (var j = long.length; j >= 0; j--) {
				if (i === short.length) {
					C[i][j] = 0;
				} else if (long.length - j < short.length - i) {
					C[i][j] = Infinity;
				} else {
					C[i][j] = Math.min(C[i][j + 1], dist2(short[i], long[j]) + C[i + 1][j + 1]);
				}
			}
		}
		var pairedLong = [];
		for (var si = 0, lj = 0; si < short.length; lj++) {
			if (C[si][lj] === dist2(short[si], long[lj]) + C[si + 1][lj + 1]) {
				pairedLong[lj] = short[si];
				si++;
			}
		}
		long.forEach(function (p, k) {
			var q = pairedLong[k];
			if (long === rb) {
				fn(p, q || null);
			} else if (q) {
				fn(q, p);
			}
		});
	}

	// body is the "shared_vertices" member of the zone's PATCH for a vertex
	// edit from before (the stored boundary) to after: [{from, to}], to null
	// for a removed vertex; null when the option is off or nothing shared
	// can have moved.
	function body(before, after) {
		var ch = enabled() && changes(before, after);
		if (!ch) {
			return null;
		}
		var list = [];
		polygonsOf(before).forEach(function (poly) {
			poly.forEach(function (ring) {
				ring.forEach(function (p) {
					var k = key(p);
					if (k in ch) {
						list.push({ from: p.slice(), to: ch[k] });
						delete ch[k];
					}
				});
			});
		});
		return list.length ? list : null;
	}

	var REASONS = { 'outside-counties': 'topo.notYours', 'too-few-vertices': 'topo.tooFew', invalid: 'topo.invalid' };

	// report shows on the map the neighbours the server moved with the zone
	// (their features come in the answer) and says which followed and which
	// did not, and why.
	function report(app, shared) {
		if (!shared) {
			return;
		}
		(shared.updated || []).forEach(function (u) {
			if (u.feature) {
				app.zoneChanged(u.feature);
			}
			wanmu.notify(t('topo.updated', { name: u.name, n: u.moved }), 'ok');
		});
		(shared.skipped || []).forEach(function (s) {
			wanmu.notify(t(REASONS[s.reason] || 'topo.notUpdated', { name: s.name }), 'warn');
		});
	}

	wanmu.SharedVertices = { enabled: enabled, setEnabled: setEnabled, changes: changes, body: body, report: report };
})(window.wanmu = window.wanmu || {});
