// TileGeoJSON.js: a canvas L.GridLayer that draws the server's GeoJSON tiles
// (/tiles/{layer}/{z}/{x}/{y}.geojson). It is for large read-only layers
// (constraint layers with thousands of parcels, reference layers);
// Leaflet.VectorGrid does not work with Leaflet 1.9, and this is all we need.
(function (wanmu) {
	'use strict';

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
			Object.keys(this._controllers).forEach(function (k) { this._controllers[k].abort(); }, this);
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
			return t.replace('{layer}', encodeURIComponent(this.options.layer))
				.replace('{z}', coords.z).replace('{x}', coords.x).replace('{y}', coords.y);
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
			var ctrl = new AbortController();
			this._controllers[key] = ctrl;
			var self = this;
			fetch(this.tileUrl(coords), { credentials: 'same-origin', signal: ctrl.signal })
				.then(function (res) {
					if (res.status === 204) {
						return null;
					}
					if (!res.ok) {
						var err = new Error('tile ' + res.status);
						err.status = res.status;
						throw err;
					}
					return res.json();
				})
				.then(function (fc) {
					delete self._controllers[key];
					if (fc && self._map) {
						self._draw(tile, fc, coords, ratio);
					}
					done(null, tile);
				})
				.catch(function (err) {
					delete self._controllers[key];
					if (err && err.name === 'AbortError') {
						return;
					}
					// A missing tile service is reported once; the map goes on.
					self.fire('tilefailed', { status: err.status || 0 });
					done(null, tile);
				});
			return tile;
		},

		_abortTile: function (e) {
			var key = this._tileCoordsToKey(e.coords);
			if (this._controllers[key]) {
				this._controllers[key].abort();
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

		_draw: function (canvas, fc, coords, ratio) {
			var map = this._map;
			var size = this.getTileSize();
			var origin = coords.scaleBy(size);
			var z = coords.z;
			var ctx = canvas.getContext('2d');
			ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
			// style is one symbol for the layer, or a function of a
			// feature's properties (the zones' overview: by disposition).
			var styleOf = typeof this.options.style === 'function' ? this.options.style : null;
			var st = styleOf ? {} : this.options.style;
			var hatch = st.hatch ? this._pattern(ctx, st.hatch) : null;
			var self = this;
			function use(props) {
				st = styleOf(props || {});
				hatch = st.hatch ? self._pattern(ctx, st.hatch) : null;
				ctx.lineWidth = st.width || 1;
				ctx.strokeStyle = st.stroke || 'transparent';
				ctx.setLineDash(st.dash || []);
			}
			function pt(c) {
				var p = map.project([c[1], c[0]], z);
				return [p.x - origin.x, p.y - origin.y];
			}
			function ring(r) {
				for (var i = 0; i < r.length; i++) {
					var p = pt(r[i]);
					if (i === 0) {
						ctx.moveTo(p[0], p[1]);
					} else {
						ctx.lineTo(p[0], p[1]);
					}
				}
			}
			function polygon(rings) {
				ctx.beginPath();
				rings.forEach(function (r) { ring(r); ctx.closePath(); });
				if (st.fill) {
					ctx.fillStyle = st.fill;
					ctx.fill('evenodd');
				}
				if (hatch) {
					ctx.fillStyle = hatch;
					ctx.fill('evenodd');
				}
				if (st.stroke) {
					ctx.stroke();
				}
			}
			function line(coordsList) {
				ctx.beginPath();
				ring(coordsList);
				ctx.stroke();
			}
			function point(c) {
				var p = pt(c);
				ctx.fillStyle = st.stroke || '#555';
				ctx.fillRect(p[0] - 1.5, p[1] - 1.5, 3, 3);
			}
			ctx.lineWidth = st.width || 1;
			ctx.strokeStyle = st.stroke || 'transparent';
			ctx.setLineDash(st.dash || []);
			ctx.lineJoin = 'round';
			(fc.features || []).forEach(function (f) {
				var g = f.geometry;
				if (!g) {
					return;
				}
				if (styleOf) {
					use(f.properties);
				}
				switch (g.type) {
				case 'Polygon':
					polygon(g.coordinates);
					break;
				case 'MultiPolygon':
					g.coordinates.forEach(polygon);
					break;
				case 'LineString':
					line(g.coordinates);
					break;
				case 'MultiLineString':
					g.coordinates.forEach(line);
					break;
				case 'Point':
					point(g.coordinates);
					break;
				case 'MultiPoint':
					g.coordinates.forEach(point);
					break;
				}
			});
		}
	});
})(window.wanmu = window.wanmu || {});
