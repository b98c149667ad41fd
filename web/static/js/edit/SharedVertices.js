// SharedVertices.js: topological editing (拓扑编辑). Two zones that share
// a boundary hold the very same floats at its vertices; when a vertex edit
// moves or removes such a vertex in one zone, the neighbours that have it
// get the same move (or removal) when the edit is saved, each by a PATCH of
// its own with If-Match through Editor.writeZone, so no overlap or gap
// opens between them. On by default; the choice is kept in localStorage.
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

	// apply returns geometry g with the changes made to its vertices:
	// {geometry, n: vertices moved or removed, tooFew: a ring would keep
	// fewer than 3 vertices (then nothing is changed)}.
	function apply(g, ch) {
		var n = 0, tooFew = false;
		var polys = polygonsOf(g).map(function (poly) {
			return poly.map(function (ring) {
				var open = [];
				ring.slice(0, -1).forEach(function (p) {
					var k = key(p);
					if (!(k in ch)) {
						open.push(p.slice());
						return;
					}
					n++;
					if (ch[k]) {
						open.push(ch[k].slice());
					}
				});
				// A vertex moved onto the next one is one vertex.
				open = open.filter(function (p, i) { return !same(p, open[(i + 1) % open.length]) || open.length === 1; });
				if (open.length < 3) {
					tooFew = true;
				}
				return open.concat([open.length ? open[0].slice() : []]);
			});
		});
		var geometry = g.type === 'Polygon' ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys };
		return tooFew ? { geometry: g, n: 0, tooFew: true } : { geometry: geometry, n: n };
	}

	// push gives the neighbours of zone id (those on the map that have one of
	// the moved or removed vertices) the same change, one PATCH each, in turn.
	// editor is the Editor (its writeZone is the page's one write path).
	function push(editor, id, before, after, ownName) {
		var ch = enabled() && changes(before, after);
		if (!ch) {
			return Promise.resolve();
		}
		// A neighbour the change would leave with too few vertices is a
		// target too: pushOne says so instead of skipping it silently.
		var targets = editor.app.zones.features().filter(function (f) {
			var r = f.properties.id !== id && apply(f.geometry, ch);
			return r && (r.n > 0 || r.tooFew);
		});
		return targets.reduce(function (chain, f) {
			return chain.then(function () { return pushOne(editor, f, ch, ownName); });
		}, Promise.resolve());
	}

	function pushOne(editor, f, ch, ownName) {
		var id = f.properties.id, name = f.properties.name;
		if (!wanmu.permissions.mayEditZone(f.properties)) {
			wanmu.notify(t('topo.notYours', { name: name }), 'warn');
			return Promise.resolve();
		}
		var first = apply(f.geometry, ch);
		if (first.tooFew) {
			wanmu.notify(t('topo.tooFew', { name: name }), 'warn');
			return Promise.resolve();
		}
		return editor.writeZone({
			id: id, base: f, kind: 'shareVertex', mineGeometry: first.geometry,
			attempt: function (version, current) {
				var w = current ? apply(current.geometry, ch) : first;
				if (!w.n) {
					return Promise.reject(new Error(t('topo.gone', { name: name })));
				}
				return wanmu.api.send('PATCH', '/zones/' + id, {
					type: 'Feature', geometry: w.geometry, properties: {}, reason: t('reason.shareVertex', { name: ownName })
				}, { ifMatch: version });
			}
		}).then(function (res) {
			if (res.ok) {
				wanmu.notify(t('topo.updated', { name: name, n: first.n }), 'ok');
			} else {
				wanmu.notify(t('topo.notUpdated', { name: name }), 'warn');
			}
		}, function (err) {
			wanmu.notifyError(err, t('topo.failed', { name: name }));
		});
	}

	wanmu.SharedVertices = { enabled: enabled, setEnabled: setEnabled, changes: changes, apply: apply, push: push };
})(window.wanmu = window.wanmu || {});
