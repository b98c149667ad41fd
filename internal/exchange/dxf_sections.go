package exchange

import (
	"strconv"

	"github.com/paulmach/orb"
)

// The fixed parts of the drawing: header, tables, blocks and objects. They
// follow the structure the DXF reference gives for AutoCAD 2004 (AC1018):
// every table and record has a handle and its owner, model and paper space
// have block records and blocks, and the objects section has the root
// dictionary. The code page is ANSI_936 (GBK), units are metres.

// dxfTableHandles are handles the entities and objects refer to.
type dxfTableHandles struct {
	modelSpace string // block record of *Model_Space: owner of every entity
	rootDict   string
	groupDict  string
}

// writeDXFHead writes HEADER, CLASSES, TABLES and BLOCKS and opens the
// ENTITIES section. It returns the model space's block record handle.
func (d *dxfWriter) writeDXFHead(plan *dxfPlan) string {
	// The fixed objects take some 40 handles and three per layer.
	seed := uint64(0x100) + 3*uint64(len(plan.layers)) + plan.entities
	h := &dxfTableHandles{}
	b := plan.bounds
	if !plan.any {
		b = orb.Bound{}
	}
	d.section("HEADER")
	d.str(9, "$ACADVER")
	d.str(1, "AC1018")
	d.str(9, "$ACADMAINTVER")
	d.int(70, 0)
	d.str(9, "$DWGCODEPAGE")
	d.str(3, "ANSI_936")
	d.str(9, "$INSBASE")
	d.point(10, orb.Point{})
	d.str(9, "$EXTMIN")
	d.point(10, b.Min)
	d.str(9, "$EXTMAX")
	d.point(10, b.Max)
	d.str(9, "$LIMMIN")
	d.num(10, b.Min[0])
	d.num(20, b.Min[1])
	d.str(9, "$LIMMAX")
	d.num(10, b.Max[0])
	d.num(20, b.Max[1])
	d.str(9, "$INSUNITS")
	d.int(70, 6) // metres
	d.str(9, "$MEASUREMENT")
	d.int(70, 1) // metric
	d.str(9, "$LUNITS")
	d.int(70, 2) // decimal
	d.str(9, "$LUPREC")
	d.int(70, 4)
	d.str(9, "$HANDSEED")
	d.str(5, strconv.FormatUint(seed, 16))
	d.endSection()

	d.section("CLASSES")
	d.endSection()

	d.section("TABLES")
	d.handle = 0
	// Handles reserved for what tables point at.
	h.rootDict = d.next()
	h.groupDict = d.next()
	plotDict := d.next()
	plotNormal := d.next()

	vport := d.table("VPORT", 1)
	d.record("VPORT", vport, "AcDbViewportTableRecord")
	d.str(2, "*Active")
	d.int(70, 0)
	d.num(10, 0)
	d.num(20, 0)
	d.num(11, 1)
	d.num(21, 1)
	c := b.Center()
	d.num(12, c[0])
	d.num(22, c[1])
	d.num(40, max(b.Max[1]-b.Min[1], 1)*1.1)
	d.num(41, max((b.Max[0]-b.Min[0])/max(b.Max[1]-b.Min[1], 1), 0.1))
	d.endTable()

	lt := d.table("LTYPE", 3)
	for _, name := range []string{"ByBlock", "ByLayer", "Continuous"} {
		d.record("LTYPE", lt, "AcDbLinetypeTableRecord")
		d.str(2, name)
		d.int(70, 0)
		if name == "Continuous" {
			d.str(3, "Solid line")
		} else {
			d.str(3, "")
		}
		d.int(72, 65)
		d.int(73, 0)
		d.num(40, 0)
	}
	d.endTable()

	nLayers := 1
	for _, li := range plan.layers {
		nLayers++
		if li.fill {
			nLayers++
		}
		if li.labels {
			nLayers++
		}
	}
	layers := d.table("LAYER", int64(nLayers))
	d.layerRecord(layers, "0", 7, -1, plotNormal)
	for _, li := range plan.layers {
		aci, rgb := dxfLayerColor(li.name)
		if aci == 7 {
			rgb = -1
		}
		d.layerRecord(layers, li.name, aci, rgb, plotNormal)
		if li.fill {
			d.layerRecord(layers, li.name+dxfFillSuffix, aci, rgb, plotNormal)
		}
		if li.labels {
			d.layerRecord(layers, li.name+dxfLabelSuffix, aci, rgb, plotNormal)
		}
	}
	d.endTable()

	st := d.table("STYLE", 2)
	for _, s := range [][2]string{{"Standard", "txt"}, {"WANMU", "simsun.ttc"}} {
		d.record("STYLE", st, "AcDbTextStyleTableRecord")
		d.str(2, s[0])
		d.int(70, 0)
		d.num(40, 0)
		d.num(41, 1)
		d.num(50, 0)
		d.int(71, 0)
		d.num(42, 2.5)
		d.str(3, s[1])
		if s[0] == "Standard" {
			d.str(4, "gbcbig.shx")
		} else {
			d.str(4, "")
		}
	}
	d.endTable()

	d.table("VIEW", 0)
	d.endTable()
	d.table("UCS", 0)
	d.endTable()

	apps := d.table("APPID", 2)
	for _, a := range []string{"ACAD", dxfAppID} {
		d.record("APPID", apps, "AcDbRegAppTableRecord")
		d.str(2, a)
		d.int(70, 0)
	}
	d.endTable()

	ds := d.table("DIMSTYLE", 1)
	d.str(100, "AcDbDimStyleTable")
	d.int(71, 1)
	d.str(0, "DIMSTYLE")
	d.str(105, d.next())
	d.str(330, ds)
	d.str(100, "AcDbSymbolTableRecord")
	d.str(100, "AcDbDimStyleTableRecord")
	d.str(2, "Standard")
	d.int(70, 0)
	d.endTable()

	br := d.table("BLOCK_RECORD", 2)
	var records [2]string
	for k, name := range []string{"*Model_Space", "*Paper_Space"} {
		records[k] = d.record("BLOCK_RECORD", br, "AcDbBlockTableRecord")
		d.str(2, name)
	}
	h.modelSpace = records[0]
	d.endTable()
	d.endSection()

	d.section("BLOCKS")
	for k, name := range []string{"*Model_Space", "*Paper_Space"} {
		d.str(0, "BLOCK")
		d.str(5, d.next())
		d.str(330, records[k])
		d.str(100, "AcDbEntity")
		if k == 1 {
			d.int(67, 1)
		}
		d.str(8, "0")
		d.str(100, "AcDbBlockBegin")
		d.str(2, name)
		d.int(70, 0)
		d.point(10, orb.Point{})
		d.str(3, name)
		d.str(1, "")
		d.str(0, "ENDBLK")
		d.str(5, d.next())
		d.str(330, records[k])
		d.str(100, "AcDbEntity")
		if k == 1 {
			d.int(67, 1)
		}
		d.str(8, "0")
		d.str(100, "AcDbBlockEnd")
	}
	d.endSection()

	d.tail = func() {
		d.section("OBJECTS")
		d.str(0, "DICTIONARY")
		d.str(5, h.rootDict)
		d.str(330, "0")
		d.str(100, "AcDbDictionary")
		d.int(281, 1)
		d.str(3, "ACAD_GROUP")
		d.str(350, h.groupDict)
		d.str(3, "ACAD_PLOTSTYLENAME")
		d.str(350, plotDict)
		d.str(0, "DICTIONARY")
		d.str(5, h.groupDict)
		d.str(330, h.rootDict)
		d.str(100, "AcDbDictionary")
		d.int(281, 1)
		d.str(0, "ACDBDICTIONARYWDFLT")
		d.str(5, plotDict)
		d.str(330, h.rootDict)
		d.str(100, "AcDbDictionary")
		d.int(281, 1)
		d.str(3, "Normal")
		d.str(350, plotNormal)
		d.str(100, "AcDbDictionaryWithDefault")
		d.str(340, plotNormal)
		d.str(0, "ACDBPLACEHOLDER")
		d.str(5, plotNormal)
		d.str(330, plotDict)
		d.endSection()
		d.str(0, "EOF")
	}

	d.section("ENTITIES")
	return h.modelSpace
}

// writeDXFTail closes ENTITIES and writes OBJECTS and EOF.
func (d *dxfWriter) writeDXFTail() {
	d.endSection()
	if d.tail != nil {
		d.tail()
	}
}

func (d *dxfWriter) section(name string) {
	d.str(0, "SECTION")
	d.str(2, name)
}

func (d *dxfWriter) endSection() { d.str(0, "ENDSEC") }

// table opens a symbol table and returns its handle.
func (d *dxfWriter) table(name string, count int64) string {
	h := d.next()
	d.str(0, "TABLE")
	d.str(2, name)
	d.str(5, h)
	d.str(330, "0")
	d.str(100, "AcDbSymbolTable")
	d.int(70, count)
	return h
}

func (d *dxfWriter) endTable() { d.str(0, "ENDTAB") }

// record starts a table record owned by table and returns its handle.
func (d *dxfWriter) record(typ, table, subclass string) string {
	h := d.next()
	d.str(0, typ)
	d.str(5, h)
	d.str(330, table)
	d.str(100, "AcDbSymbolTableRecord")
	d.str(100, subclass)
	return h
}

// layerRecord writes a LAYER record: colour index, true colour (rgb < 0
// for none), continuous line type.
func (d *dxfWriter) layerRecord(table, name string, aci, rgb int, plotStyle string) {
	d.record("LAYER", table, "AcDbLayerTableRecord")
	d.str(2, name)
	d.int(70, 0)
	d.int(62, int64(aci))
	if rgb >= 0 {
		d.int(420, int64(rgb))
	}
	d.str(6, "Continuous")
	d.int(370, -3)
	d.str(390, plotStyle)
}

// point writes a 3D point with codes c, c+10, c+20.
func (d *dxfWriter) point(c int, p orb.Point) {
	d.num(c, p[0])
	d.num(c+10, p[1])
	d.num(c+20, 0)
}
