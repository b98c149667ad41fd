package tiles

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// Tile geometry constants.
const (
	// MaxZoom is the highest zoom served.
	MaxZoom = 22
	// Extent is the MVT extent: tile coordinates run from 0 to Extent.
	Extent = 4096
	// Buffer is how far, in tile units, geometry reaches past the tile edge
	// so that strokes and neighbouring tiles join without seams.
	Buffer = 64
	// Pixel is one screen pixel of a 256-pixel tile, in tile units. Features
	// smaller than this are shown as density squares (see package doc).
	Pixel = Extent / 256
	// maxLat is the latitude where Web Mercator squares the world.
	maxLat = 85.05112877980659
)

// ErrBadTile is wrapped by every error of ParseTile.
var ErrBadTile = errors.New("bad tile address")

// Tile is a z/x/y Web Mercator (XYZ, y down from the north) tile address.
type Tile struct {
	Z    int
	X, Y uint32
}

// String returns "z/x/y".
func (t Tile) String() string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// NewTile checks z, x and y and returns the tile.
func NewTile(z, x, y int64) (Tile, error) {
	if z < 0 || z > MaxZoom {
		return Tile{}, fmt.Errorf("%w: zoom %d is outside 0–%d", ErrBadTile, z, MaxZoom)
	}
	n := int64(1) << z
	if x < 0 || x >= n {
		return Tile{}, fmt.Errorf("%w: x %d is outside 0–%d at zoom %d", ErrBadTile, x, n-1, z)
	}
	if y < 0 || y >= n {
		return Tile{}, fmt.Errorf("%w: y %d is outside 0–%d at zoom %d", ErrBadTile, y, n-1, z)
	}
	return Tile{Z: int(z), X: uint32(x), Y: uint32(y)}, nil
}

// ParseTile parses the z, x and y path segments of a tile URL.
func ParseTile(z, x, y string) (Tile, error) {
	zi, err := parseInt("zoom", z)
	if err != nil {
		return Tile{}, err
	}
	xi, err := parseInt("x", x)
	if err != nil {
		return Tile{}, err
	}
	yi, err := parseInt("y", y)
	if err != nil {
		return Tile{}, err
	}
	return NewTile(zi, xi, yi)
}

func parseInt(name, s string) (int64, error) {
	if s == "" || len(s) > 10 {
		return 0, fmt.Errorf("%w: %s %q is not a whole number", ErrBadTile, name, s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %s %q is not a whole number", ErrBadTile, name, s)
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q is not a whole number", ErrBadTile, name, s)
	}
	return v, nil
}

// worldUnits is the number of tile units around the world at the tile's zoom.
func (t Tile) worldUnits() float64 { return float64(uint64(Extent) << t.Z) }

// Project returns the tile coordinates (0..Extent inside the tile, y down)
// of a lon/lat point. CGCS2000 coordinates are taken as WGS84; they agree
// to centimetres.
func (t Tile) Project(p orb.Point) orb.Point {
	n := t.worldUnits()
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	x := (p[0] + 180) / 360 * n
	y := (1 - math.Asinh(math.Tan(lat*math.Pi/180))/math.Pi) / 2 * n
	return orb.Point{x - float64(t.X)*Extent, y - float64(t.Y)*Extent}
}

// Unproject returns the lon/lat of tile coordinates.
func (t Tile) Unproject(p orb.Point) orb.Point {
	n := t.worldUnits()
	x := p[0] + float64(t.X)*Extent
	y := p[1] + float64(t.Y)*Extent
	lon := x/n*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*y/n))) * 180 / math.Pi
	return orb.Point{lon, lat}
}

// Bound returns the lon/lat box of the tile grown by buffer tile units on
// every side.
func (t Tile) Bound(buffer float64) orb.Bound {
	a := t.Unproject(orb.Point{-buffer, Extent + buffer})
	b := t.Unproject(orb.Point{Extent + buffer, -buffer})
	return orb.Bound{Min: a, Max: b}
}

// cellOf returns the global pixel cell (Pixel tile units square) holding the
// lon/lat point p at zoom z. Cells are aligned with tiles.
func cellOf(z int, p orb.Point) (cx, cy int64) {
	t := Tile{Z: z}
	q := t.Project(p)
	return int64(math.Floor(q[0] / Pixel)), int64(math.Floor(q[1] / Pixel))
}

// PixelDegrees returns the width in degrees of longitude of one pixel
// (Pixel tile units) at zoom z. A feature counts as sub-pixel when its box
// is narrower than this and lower than this times cos(latitude).
func PixelDegrees(z int) float64 { return 360 / float64(uint64(Extent/Pixel)<<z) }

// subPixel reports whether a lon/lat box is smaller than one pixel at the
// zoom whose PixelDegrees is px. The store applies the same test in SQL.
func subPixel(b orb.Bound, px float64) bool {
	return b.Max[0]-b.Min[0] < px && b.Max[1]-b.Min[1] < px*math.Cos((b.Min[1]+b.Max[1])/2*math.Pi/180)
}
