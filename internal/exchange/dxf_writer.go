package exchange

import (
	"bufio"
	"fmt"
	"strconv"
	"unicode/utf8"

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
	tail   func() // writes what follows the entities
}

func newDXFWriter(w *bufio.Writer) *dxfWriter {
	enc := simplifiedchinese.GBK.NewEncoder()
	var scratch [utf8.UTFMax]byte
	return &dxfWriter{w: w, gbk: func(r rune) ([]byte, bool) {
		n := utf8.EncodeRune(scratch[:], r)
		b, err := enc.Bytes(scratch[:n])
		return b, err == nil
	}}
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

// num writes a real value with every digit float64 holds, so that
// geometry is not rounded on the way out.
func (d *dxfWriter) num(c int, v float64) {
	d.code(c)
	d.buf = strconv.AppendFloat(d.buf[:0], v, 'f', -1, 64)
	if len(d.buf) > 0 && !hasDot(d.buf) {
		d.buf = append(d.buf, '.', '0')
	}
	d.buf = append(d.buf, '\n')
	d.write(d.buf)
}

func hasDot(b []byte) bool {
	for _, c := range b {
		if c == '.' {
			return true
		}
	}
	return false
}

// appendText appends s in GBK; control characters become spaces (a value
// is one line), characters outside GBK \U+XXXX.
func (d *dxfWriter) appendText(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			b = append(b, ' ')
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
