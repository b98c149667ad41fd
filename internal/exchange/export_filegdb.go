package exchange

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Field aliases in a File Geodatabase. GDAL 3.6 writes a field's alias when
// the source field has an alternative name, but no source it can read from
// our files carries one (VRT gained alternativeName in 3.7). So the
// FileGDB GDAL wrote is given its aliases here, in the field descriptions
// of each table, and then copied once more by ogr2ogr: GDAL reads the
// aliases back and writes a consistent geodatabase, with the aliases in the
// tables and in the catalogue's XML definitions that ArcGIS shows.
//
// The .gdbtable layout used (FileGDB 10, as GDAL documents it): the header
// holds the file size (uint64 at 24) and the offset of the field
// descriptions (uint64 at 32); these start with their length (uint32),
// version (uint32), flags (uint32) and field count (uint16), then each field
// is its name (uint8 count of UTF-16 units, then the units), its alias (the
// same; count 0 when absent), its type and type-specific bytes. The
// descriptions with aliases are appended at the end of the file and the
// header pointed at them, as GDAL itself does when they grow: the rows do
// not move.

// finishFileGDB adds the field titles as aliases.
func (j *exportJob) finishFileGDB(ctx context.Context, out string) error {
	titled := false
	for _, fs := range j.fields {
		for _, f := range fs {
			titled = titled || strings.TrimSpace(f.Title) != ""
		}
	}
	if !titled {
		return nil
	}
	gdb := filepath.Join(out, j.base+j.spec.Ext)
	src := filepath.Join(j.tmp, "aliases.gdb")
	if err := os.Rename(gdb, src); err != nil {
		return err
	}
	tables, err := userTables(src)
	if err != nil {
		return err
	}
	if len(tables) != len(j.layers) {
		return fmt.Errorf("export filegdb: %d tables for %d layers", len(tables), len(j.layers))
	}
	for i, t := range tables {
		aliases := map[string]string{}
		for k, f := range j.fields[i] {
			if title := strings.TrimSpace(f.Title); title != "" && title != j.outNames[i][k] {
				aliases[j.outNames[i][k]] = title
			}
		}
		if err := setGDBTableAliases(t, aliases); err != nil {
			return fmt.Errorf("export filegdb %s: %w", filepath.Base(t), err)
		}
	}
	args := []string{"-f", j.spec.Driver}
	for _, o := range fileGDBLCO(j) { // the copy keeps the coordinate grid
		args = append(args, "-lco", o)
	}
	return j.checkRun(ctx, gdalCmd{Tool: "ogr2ogr", Args: append(args, gdb, src)})
}

// userTables returns the .gdbtable files of a geodatabase GDAL wrote,
// layers in the order they were created: GDAL numbers them after its
// system tables (a00000001 to a00000008).
func userTables(gdb string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(gdb, "a*.gdbtable"))
	if err != nil {
		return nil, err
	}
	type table struct {
		n    uint64
		path string
	}
	var ts []table
	for _, p := range paths {
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "a"), ".gdbtable"), 16, 32)
		if err == nil && n > 8 {
			ts = append(ts, table{n, p})
		}
	}
	sort.Slice(ts, func(a, b int) bool { return ts[a].n < ts[b].n })
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.path
	}
	return out, nil
}

// setGDBTableAliases gives the fields of a .gdbtable the aliases named,
// keyed by field name. A field that is not found keeps no alias.
func setGDBTableAliases(path string, aliases map[string]string) error {
	if len(aliases) == 0 {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(b) < 40 || binary.LittleEndian.Uint32(b) != 3 {
		return fmt.Errorf("not a FileGDB 10 table")
	}
	off := binary.LittleEndian.Uint64(b[32:])
	if off+14 > uint64(len(b)) {
		return fmt.Errorf("field descriptions outside the file")
	}
	n := uint64(binary.LittleEndian.Uint32(b[off:]))
	if off+4+n > uint64(len(b)) || n < 10 {
		return fmt.Errorf("field descriptions outside the file")
	}
	desc := b[off+4 : off+4+n]
	rest := desc[10:] // after version, flags and field count
	patched := append([]byte{}, desc[:10]...)
	found := 0
	// Walk the field names in the order they appear: each is matched as
	// count, UTF-16 name and an empty alias; the WKT of the geometry field
	// is UTF-16 text and cannot hold a count byte before a name.
	for _, name := range sortedByPosition(rest, aliases) {
		pat := gdbString(name)
		i := bytes.Index(rest, append(pat, 0))
		if i < 0 {
			continue
		}
		patched = append(patched, rest[:i+len(pat)]...)
		patched = append(patched, gdbString(aliases[name])...)
		rest = rest[i+len(pat)+1:]
		found++
	}
	if found == 0 {
		return nil
	}
	patched = append(patched, rest...)
	newOff := uint64(len(b))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(patched)))
	b = append(b, patched...)
	binary.LittleEndian.PutUint64(b[24:], uint64(len(b)))
	binary.LittleEndian.PutUint64(b[32:], newOff)
	return os.WriteFile(path, b, 0o600)
}

// sortedByPosition returns the names of aliases in the order their field
// descriptions appear in desc; names not found come last.
func sortedByPosition(desc []byte, aliases map[string]string) []string {
	pos := map[string]int{}
	var names []string
	for name := range aliases {
		i := bytes.Index(desc, append(gdbString(name), 0))
		if i < 0 {
			i = len(desc)
		}
		pos[name] = i
		names = append(names, name)
	}
	sort.Slice(names, func(a, b int) bool { return pos[names[a]] < pos[names[b]] })
	return names
}

// gdbString is a name or alias as a field description holds it: the count
// of UTF-16 units (at most 255) and the units, little-endian.
func gdbString(s string) []byte {
	u := utf16.Encode([]rune(s))
	for len(u) > 255 { // cut whole characters
		r := []rune(s)
		s = string(r[:len(r)-1])
		u = utf16.Encode([]rune(s))
	}
	out := []byte{byte(len(u))}
	for _, c := range u {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return out
}
