// TileGeoJSON.js: a canvas L.GridLayer that draws the server's GeoJSON tiles
// (/tiles/{layer}/{z}/{x}/{y}.geojson). It is for large read-only layers
// (constraint layers with thousands of parcels, reference layers);
// Leaflet.VectorGrid does not work with Leaflet 1.9, and this is all we need.
(function (wanmu) {
	'use strict';

	// One worker fetches, parses and projects the tiles of every layer.
	var worker = null, jobs = {}, jobSeq = 0;
	function tileWorker() {
		if (!worker) {
			worker = new Worker('js/layer/tileworker.js');
			worker.onmessage = function (e) {
				var job = jobs[e.data.id];
				delete jobs[e.data.id];
				if (job) {
					job(e.data);
				}
			};
		}
		return worker;
	}
	function abortJob(id) {
		delete jobs[id];
		tileWorker().postMessage({ abort: id });
	}

	wanmu.TileGeoJSONLayer = L.GridLayer.extend({
		options: {
			layer: '',           // tile layer name, e.g. "layer-3"
			template: null,      // URL template from TileJSON; default /tiles/{layer}/{z}/{x}/{y}.geojson
			style: { stroke: '#555', width: 1, fill: 'rgba(0,0,0,0.1)' },
			opacity: 1,
			updateWhenZooming: false,
			keepBuffer: 1,
			maxNativeZoom: 18
		},

		initialize: function (options) {
			L.GridLayer.prototype.initialize.call(this, options);
			this._controllers = {};
			this._patterns = {};
		},

		onAdd: function (map) {
			L.GridLayer.prototype.onAdd.call(this, map);
			this.on('tileunload', this._abortTile, this);
		},

		onRemove: function (map) {
			this.off('tileunload', this._abortTile, this);
			Object.keys(this._controllers).forEach(function (k) { abortJob(this._controllers[k]); }, this);
			this._controllers = {};
			L.GridLayer.prototype.onRemove.call(this, map);
		},

		// setStyle changes the symbol and redraws.
		setStyle: function (style) {
			this.options.style = style;
			this._patterns = {};
			this.redraw();
		},

		tileUrl: function (coords) {
			var t = this.options.template || '/tiles/{layer}/{z}/{x}/{y}.geojson';
			var url = t.replace('{layer}', encodeURIComponent(this.options.layer))
				.replace('{z}', coords.z).replace('{x}', coords.x).replace('{y}', coords.y);
			// The zones and platforms of the scenario the page is in.
			var sc = wanmu.api.scenario();
			var own = this.options.layer === 'zones' || this.options.layer === 'platforms';
			return sc && own ? url + (url.indexOf('?') < 0 ? '?' : '&') + 'scenario=' + sc : url;
		},

		createTile: function (coords, done) {
			var size = this.getTileSize();
			var ratio = window.devicePixelRatio || 1;
			var tile = document.createElement('canvas');
			tile.width = size.x * ratio;
			tile.height = size.y * ratio;
			tile.style.width = size.x + 'px';
			tile.style.height = size.y + 'px';
			var key = this._tileCoordsToKey(coords);
			var id = ++jobSeq;
			this._controllers[key] = id;
			var self = this;
			jobs[id] = function (r) {
				delete self._controllers[key];
				if (r.aborted) {
					return;
				}
				if (r.error) {
					// A missing tile service is reported once; the map goes on.
					self.fire('tilefailed', { status: r.status });
				} else if (r.n && self._map) {
					self._draw(tile, r, ratio);
				}
				done(null, tile);
			};
			tileWorker().postMessage({
				id: id, url: new URL(this.tileUrl(coords), window.location.href).href,
				z: coords.z, x: coords.x, y: coords.y, size: size.x, props: typeof this.options.style === 'function'
			});
			return tile;
		},

		_abortTile: function (e) {
			var key = this._tileCoordsToKey(e.coords);
			if (this._controllers[key]) {
				abortJob(this._controllers[key]);
				delete this._controllers[key];
			}
		},

		_pattern: function (ctx, color) {
			if (!this._patterns[color]) {
				var c = document.createElement('canvas');
				c.width = c.height = 8;
				var p = c.getContext('2d');
				p.strokeStyle = color;
				p.lineWidth = 1;
				p.beginPath();
				p.moveTo(0, 8);
				p.lineTo(8, 0);
				p.moveTo(-2, 2);
				p.lineTo(2, -2);
				p.moveTo(6, 10);
				p.lineTo(10, 6);
				p.stroke();
				this._patterns[color] = c;
			}
			return ctx.createPattern(this._patterns[color], 'repeat');
		},

		// _draw paints a tile the worker packed (see tileworker.js). With one
		// symbol for the layer, all its shapes make one path, filled and
		// stroked once: thousands of parcels cost a few calls, not thousands.
		_draw: function (canvas, r, ratio) {
			var ctx = canvas.getContext('2d');
			ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
			// style is one symbol for the layer, or a function of a
			// feature's properties (the zones' overview: by disposition).
			var styleOf = typeof this.options.style === 'function' ? this.options.style : null;
			var st = styleOf ? {} : this.options.style;
			var hatch = null;
			var self = this;
			function use(s) {
				st = s;
				hatch = st.hatch ? self._pattern(ctx, st.hatch) : null;
				ctx.lineWidth = st.width || 1;
				ctx.strokeStyle = st.stroke || 'transparent';
				ctx.setLineDash(st.dash || []);
			}
			function paint(fill) {
				if (fill && st.fill) {
					ctx.fillStyle = st.fill;
					ctx.fill(styleOf ? 'evenodd' : 'nonzero');
				}
				if (fill && hatch) {
					ctx.fillStyle = hatch;
					ctx.fill(styleOf ? 'evenodd' : 'nonzero');
				}
				if (st.stroke) {
					ctx.stroke();
				}
			}
			ctx.lineJoin = 'round';
			if (!styleOf) {
				use(st);
			}
			var ops = r.ops, c = r.coords, o = 0, p = 0;
			var polys = false, lines = false;
			if (!styleOf) {
				ctx.beginPath();
			}
			for (var f = 0; f < r.n; f++) {
				if (styleOf) {
					use(styleOf(r.props[f] || {}));
				}
				var shapes = ops[o++];
				for (var s = 0; s < shapes; s++) {
					var kind = ops[o++], rings = ops[o++];
					if (styleOf && kind !== 3) {
						ctx.beginPath();
					}
					for (var k = 0; k < rings; k++) {
						var len = ops[o++];
						if (kind === 3) {
							ctx.fillStyle = st.stroke || '#555';
							for (var q = 0; q < len; q++, p += 2) {
								ctx.fillRect(c[p] - 1.5, c[p + 1] - 1.5, 3, 3);
							}
							continue;
						}
						for (var i = 0; i < len; i++, p += 2) {
							if (i === 0) {
								ctx.moveTo(c[p], c[p + 1]);
							} else {
								ctx.lineTo(c[p], c[p + 1]);
							}
						}
						if (kind === 1) {
							ctx.closePath();
						}
					}
					if (styleOf && kind !== 3) {
						paint(kind === 1);
					}
					polys = polys || kind === 1;
					lines = lines || kind === 2;
				}
			}
			if (!styleOf && (polys || lines)) {
				paint(polys);
			}
		}
	});
})(window.wanmu = window.wanmu || {});
