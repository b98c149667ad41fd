package exchange

import (
	"bufio"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// dxfWriter writes DXF group codes and values to a buffered stream. Text
// is GBK under $DWGCODEPAGE ANSI_936 — what Chinese CAD expects of an
// R2004 drawing and what GDAL reads without being told — and a character
// GBK lacks is written as \U+XXXX, which AutoCAD and GDAL both decode.
// The first write error is kept and every later write is skipped.
type dxfWriter struct {
	w      *bufio.Writer
	err    error
	handle uint64 // last handle given out
	buf    []byte
	gbk    func(r rune) ([]byte, bool)
	tail   func()      // writes what follows the entities
	pts    []orb.Point // projected vertices of the feature being written, reused
}

func newDXFWriter(w *bufio.Writer) *dxfWriter {
	enc := simplifiedchinese.GBK.NewEncoder()
	var scratch [utf8.UTFMax]byte
	// Encoded runes are kept: a drawing uses a few thousand characters,
	// and encoding each again would make garbage on every text.
	cache := map[rune][]byte{}
	return &dxfWriter{w: w, gbk: func(r rune) ([]byte, bool) {
		if b, ok := cache[r]; ok {
			return b, b != nil
		}
		n := utf8.EncodeRune(scratch[:], r)
		b, err := enc.Bytes(scratch[:n])
		if err != nil || !portableGBK(r, b) {
			b = nil
		}
		cache[r] = b
		return b, b != nil
	}}
}

// portableGBK reports whether every GBK decoder reads b back as r: not
// the euro sign's single byte 0x80 (Windows only), not row 0xFE (which
// GB18030 and iconv's CP936 map differently) and no private-use character.
func portableGBK(r rune, b []byte) bool {
	switch {
	case r >= 0xE000 && r <= 0xF8FF:
		return false
	case len(b) == 1:
		return b[0] < 0x80
	case len(b) == 2:
		return b[0] >= 0x81 && b[0] < 0xFE
	}
	return false
}

// code writes a group code line, right-aligned in three columns as
// AutoCAD writes them.
func (d *dxfWriter) code(c int) {
	d.buf = d.buf[:0]
	switch {
	case c < 10:
		d.buf = append(d.buf, ' ', ' ')
	case c < 100:
		d.buf = append(d.buf, ' ')
	}
	d.buf = strconv.AppendInt(d.buf, int64(c), 10)
	d.buf = append(d.buf, '\n')
	d.write(d.buf)
}

func (d *dxfWriter) write(b []byte) {
	if d.err == nil {
		_, d.err = d.w.Write(b)
	}
}

// str writes a string value (symbol names, handles, ASCII keywords).
func (d *dxfWriter) str(c int, s string) {
	d.code(c)
	d.buf = d.appendText(d.buf[:0], s)
	d.buf = append(d.buf, '\n')
	d.write(d.buf)
}

// int writes an integer value.
func (d *dxfWriter) int(c int, v int64) {
	d.code(c)
	d.buf = strconv.AppendInt(d.buf[:0], v, 10)
	d.buf = append(d.buf, '\n')
	d.write(d.buf)
}

// num writes a real value to the micrometre (six decimals, trailing
// zeros dropped): in metres that changes no area by more than a few
// thousandths of a ppm, and keeps the file a third smaller than every
// digit float64 holds.
func (d *dxfWriter) num(c int, v float64) {
	d.code(c)
	d.buf = strconv.AppendFloat(d.buf[:0], v, 'f', 6, 64)
	for len(d.buf) > 2 && d.buf[len(d.buf)-1] == '0' && d.buf[len(d.buf)-2] != '.' {
		d.buf = d.buf[:len(d.buf)-1]
	}
	d.buf = append(d.buf, '\n')
	d.write(d.buf)
}

// real writes an XDATA real with every digit it holds.
func (d *dxfWriter) real(c int, v float64) {
	d.code(c)
	d.buf = strconv.AppendFloat(d.buf[:0], v, 'g', -1, 64)
	d.buf = append(d.buf, '\n')
	d.write(d.buf)
}

// dxfMaxValue is the most bytes of one text value: a group 1000 of XDATA
// holds 255, and TEXT is kept to the same.
const dxfMaxValue = 255

// strMax writes a text value cut, at a character, to max bytes as written
// (GBK, escapes counted).
func (d *dxfWriter) strMax(c int, s string, max int) {
	d.code(c)
	d.buf = d.appendTextMax(d.buf[:0], s, max)
	d.buf = append(d.buf, '\n')
	d.write(d.buf)
}

// appendText appends s in GBK; control characters become spaces (a value
// is one line), characters outside GBK \U+XXXX, and a backslash \U+005C
// (so that a literal "\U+4E2D" in a name is not read back as 中).
func (d *dxfWriter) appendText(b []byte, s string) []byte {
	return d.appendTextMax(b, s, -1)
}

// appendTextMax is appendText stopping before the character that would take
// the value past max bytes (max < 0: no limit).
func (d *dxfWriter) appendTextMax(b []byte, s string, max int) []byte {
	start := len(b)
	for _, r := range s {
		before := len(b)
		switch {
		case r < 0x20 || r == 0x7f:
			b = append(b, ' ')
		case r == '\\':
			b = append(b, `\U+005C`...)
		case r < 0x80:
			b = append(b, byte(r))
		default:
			if g, ok := d.gbk(r); ok && r != utf8.RuneError {
				b = append(b, g...)
			} else if r <= 0xffff {
				b = fmt.Appendf(b, `\U+%04X`, r)
			} else {
				b = append(b, '?')
			}
		}
		if max >= 0 && len(b)-start > max {
			return b[:before]
		}
	}
	return b
}

// next returns a new entity handle.
func (d *dxfWriter) next() string {
	d.handle++
	return strconv.FormatUint(d.handle, 16)
}

// entity starts an entity: type, handle, owner (model space), layer.
func (d *dxfWriter) entity(typ, layer, owner string) {
	d.str(0, typ)
	d.str(5, d.next())
	d.str(330, owner)
	d.str(100, "AcDbEntity")
	d.str(8, layer)
}
