package exchange

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// ISO 19139 namespaces and code lists of metadata.xml.
const (
	nsGMD      = "http://www.isotc211.org/2005/gmd"
	nsGCO      = "http://www.isotc211.org/2005/gco"
	nsXSI      = "http://www.w3.org/2001/XMLSchema-instance"
	gmdSchema  = "http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd"
	gmxCodes   = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"
	iso639Code = "http://www.loc.gov/standards/iso639-2/"
	// metadataContact stands where the delivering office fills in its name.
	metadataContact = "（请填写数据提供单位）"
)

// xmlTree writes indented XML elements with escaped text.
type xmlTree struct {
	b     strings.Builder
	depth int
}

func (x *xmlTree) indent() { x.b.WriteString("\n" + strings.Repeat("  ", x.depth)) }

// open starts element name with attributes given as name, value pairs.
func (x *xmlTree) open(name string, attrs ...string) {
	x.indent()
	x.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.b.WriteString(" " + attrs[i] + `="`)
		xml.EscapeText(&x.b, []byte(attrs[i+1]))
		x.b.WriteString(`"`)
	}
	x.b.WriteString(">")
	x.depth++
}

func (x *xmlTree) close(name string) {
	x.depth--
	x.indent()
	x.b.WriteString("</" + name + ">")
}

// leaf writes <name attrs>text</name>.
func (x *xmlTree) leaf(name, text string, attrs ...string) {
	x.open(name, attrs...)
	xml.EscapeText(&x.b, []byte(text))
	x.depth--
	x.b.WriteString("</" + name + ">")
}

// typed writes <outer><gco:T>text</gco:T></outer>.
func (x *xmlTree) typed(outer, gcoType, text string) {
	x.open(outer)
	x.leaf("gco:"+gcoType, text)
	x.close(outer)
}

func (x *xmlTree) str(outer, text string) { x.typed(outer, "CharacterString", text) }

// code writes <outer><gmd:List codeList=… codeListValue=v>v</gmd:List></outer>.
func (x *xmlTree) code(outer, list, value string) {
	x.open(outer)
	x.leaf("gmd:"+list, value, "codeList", gmxCodes+list, "codeListValue", value)
	x.close(outer)
}

func (x *xmlTree) language() {
	x.open("gmd:language")
	x.leaf("gmd:LanguageCode", "chi", "codeList", iso639Code, "codeListValue", "chi")
	x.close("gmd:language")
}

// citationDate writes a CI_Date of a type (creation, revision, publication).
func (x *xmlTree) citationDate(t time.Time, dateType string) {
	x.open("gmd:date")
	x.open("gmd:CI_Date")
	x.typed("gmd:date", "DateTime", t.Format(time.RFC3339))
	x.code("gmd:dateType", "CI_DateTypeCode", dateType)
	x.close("gmd:CI_Date")
	x.close("gmd:date")
}

// contact writes a CI_ResponsibleParty placeholder the office completes.
func (x *xmlTree) contact(outer string) {
	x.open(outer)
	x.open("gmd:CI_ResponsibleParty")
	x.str("gmd:organisationName", metadataContact)
	x.open("gmd:contactInfo")
	x.open("gmd:CI_Contact")
	x.open("gmd:address")
	x.open("gmd:CI_Address")
	x.str("gmd:electronicMailAddress", "（请填写联系邮箱）")
	x.close("gmd:CI_Address")
	x.close("gmd:address")
	x.close("gmd:CI_Contact")
	x.close("gmd:contactInfo")
	x.code("gmd:role", "CI_RoleCode", "pointOfContact")
	x.close("gmd:CI_ResponsibleParty")
	x.close(outer)
}

// extent returns the lon/lat bounds of every layer's features, and whether
// there are any.
func (p HandoverPackage) extent() (orb.Bound, bool) {
	var b orb.Bound
	found := false
	for _, l := range p.layers() {
		for _, f := range l.Features {
			if f.Geometry == nil {
				continue
			}
			if fb := f.Geometry.Bound(); !found {
				b, found = fb, true
			} else {
				b = b.Union(fb)
			}
		}
	}
	return b, found
}

// metadataID is a stable identifier of the package: the same data, date
// and CRS give the same one.
func (d handoverDoc) metadataID() string {
	p := d.pkg.Provenance
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%d|%d|%d", d.opts.Date.UTC().Format(time.RFC3339), d.epsg, p.ZoneRevision, p.PlatformRevision, len(p.Layers))
	for _, l := range p.Layers {
		fmt.Fprintf(h, "|%s/%d", l.Name, l.Version)
	}
	return "wanmu-handover-" + d.opts.Date.Format("20060102") + "-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// metadata composes metadata.xml: ISO 19115 metadata in the ISO 19139 XML
// encoding, with identification, extent, reference system, distribution
// formats and lineage (the data versions the figures used).
func (d handoverDoc) metadata() string {
	opts, p := d.opts, d.pkg.Provenance
	x := &xmlTree{}
	x.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	x.open("gmd:MD_Metadata", "xmlns:gmd", nsGMD, "xmlns:gco", nsGCO, "xmlns:xsi", nsXSI, "xsi:schemaLocation", nsGMD+" "+gmdSchema)
	x.str("gmd:fileIdentifier", d.metadataID())
	x.language()
	x.code("gmd:characterSet", "MD_CharacterSetCode", "utf8")
	x.code("gmd:hierarchyLevel", "MD_ScopeCode", "dataset")
	x.contact("gmd:contact")
	x.typed("gmd:dateStamp", "DateTime", opts.Date.Format(time.RFC3339))
	x.str("gmd:metadataStandardName", "ISO 19115:2003/19139")
	x.str("gmd:metadataStandardVersion", "1.0")

	x.open("gmd:referenceSystemInfo")
	x.open("gmd:MD_ReferenceSystem")
	x.open("gmd:referenceSystemIdentifier")
	x.open("gmd:RS_Identifier")
	x.str("gmd:code", strconv.Itoa(d.epsg))
	x.str("gmd:codeSpace", "EPSG")
	x.close("gmd:RS_Identifier")
	x.close("gmd:referenceSystemIdentifier")
	x.close("gmd:MD_ReferenceSystem")
	x.close("gmd:referenceSystemInfo")

	x.open("gmd:identificationInfo")
	x.open("gmd:MD_DataIdentification")
	x.open("gmd:citation")
	x.open("gmd:CI_Citation")
	x.str("gmd:title", opts.Title)
	x.citationDate(opts.Date, "creation")
	x.close("gmd:CI_Citation")
	x.close("gmd:citation")
	abstract := fmt.Sprintf("产业平台整合成果：%d 个产业平台、%d 个现状分区（园区与乡镇工业功能区）、各平台的可开发空间与扣除用地，以及计算所用的 %d 个约束图层。",
		p.Platforms, p.Zones, len(p.Layers))
	if opts.Definition != "" {
		abstract += "可开发空间口径：" + opts.Definition + "。"
	}
	x.str("gmd:abstract", abstract)
	x.str("gmd:purpose", "产业平台可开发空间（万亩）核算成果移交")
	x.code("gmd:status", "MD_ProgressCode", "completed")
	x.contact("gmd:pointOfContact")
	x.open("gmd:resourceConstraints")
	x.open("gmd:MD_Constraints")
	if p.Illustrative() {
		x.str("gmd:useLimitation", IllustrativeNotice+"。"+d.illustrativeScope()+"不得用于规划审批、用地报批、测量放样或统计上报。")
	}
	x.str("gmd:useLimitation", "面积为 CGCS2000 椭球面积（国土调查办发〔2008〕32号公式），1 亩 = 2000/3 平方米。")
	x.close("gmd:MD_Constraints")
	x.close("gmd:resourceConstraints")
	x.code("gmd:spatialRepresentationType", "MD_SpatialRepresentationTypeCode", "vector")
	x.language()
	x.code("gmd:characterSet", "MD_CharacterSetCode", "utf8")
	x.open("gmd:topicCategory")
	x.leaf("gmd:MD_TopicCategoryCode", "planningCadastre")
	x.close("gmd:topicCategory")
	if b, ok := d.pkg.extent(); ok {
		x.open("gmd:extent")
		x.open("gmd:EX_Extent")
		x.open("gmd:geographicElement")
		x.open("gmd:EX_GeographicBoundingBox")
		deg := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
		x.typed("gmd:westBoundLongitude", "Decimal", deg(b.Min.Lon()))
		x.typed("gmd:eastBoundLongitude", "Decimal", deg(b.Max.Lon()))
		x.typed("gmd:southBoundLatitude", "Decimal", deg(b.Min.Lat()))
		x.typed("gmd:northBoundLatitude", "Decimal", deg(b.Max.Lat()))
		x.close("gmd:EX_GeographicBoundingBox")
		x.close("gmd:geographicElement")
		x.close("gmd:EX_Extent")
		x.close("gmd:extent")
	}
	x.close("gmd:MD_DataIdentification")
	x.close("gmd:identificationInfo")

	x.open("gmd:distributionInfo")
	x.open("gmd:MD_Distribution")
	for _, f := range [][2]string{{"ESRI Shapefile", "1998"}, {"OGC GeoPackage", "1.2"}, {"Office Open XML Spreadsheet (XLSX)", "ISO/IEC 29500"}} {
		x.open("gmd:distributionFormat")
		x.open("gmd:MD_Format")
		x.str("gmd:name", f[0])
		x.str("gmd:version", f[1])
		x.close("gmd:MD_Format")
		x.close("gmd:distributionFormat")
	}
	x.close("gmd:MD_Distribution")
	x.close("gmd:distributionInfo")

	d.lineage(x)
	x.close("gmd:MD_Metadata")
	x.b.WriteString("\n")
	return x.b.String()
}

// lineage writes the data quality section: how the figures were made and
// from which versions of which data.
func (d handoverDoc) lineage(x *xmlTree) {
	p := d.pkg.Provenance
	x.open("gmd:dataQualityInfo")
	x.open("gmd:DQ_DataQuality")
	x.open("gmd:scope")
	x.open("gmd:DQ_Scope")
	x.code("gmd:level", "MD_ScopeCode", "dataset")
	x.close("gmd:DQ_Scope")
	x.close("gmd:scope")
	x.open("gmd:lineage")
	x.open("gmd:LI_Lineage")
	x.str("gmd:statement", strings.Join(append([]string{"由 wanmu（万亩产业平台整合系统）从其数据库导出。"},
		d.provenanceLines()...), "\n"))
	x.open("gmd:processStep")
	x.open("gmd:LI_ProcessStep")
	def := d.opts.Definition
	if def == "" {
		def = "可开发空间 = 平台范围"
	}
	x.str("gmd:description", def+"；"+d.thresholdLine()+"面积为 CGCS2000 椭球面积（EPSG:4490 上计算，边按经纬度直线并以 0.0005° 加密），1 亩 = 2000/3 平方米；坐标输出为 EPSG:"+strconv.Itoa(d.epsg)+"。")
	x.typed("gmd:dateTime", "DateTime", d.opts.Date.Format(time.RFC3339))
	x.close("gmd:LI_ProcessStep")
	x.close("gmd:processStep")
	for _, l := range p.Layers {
		x.open("gmd:source")
		x.open("gmd:LI_Source")
		desc := fmt.Sprintf("约束图层（%s）：%d 个要素", map[bool]string{true: "纳入", false: "扣除"}[l.Kind == "include"], l.Features)
		if l.Source != "" {
			desc += "；来源：" + l.Source
		}
		if l.Illustrative && !strings.Contains(desc, IllustrativeNotice) { // the sample's source already says so
			desc += "；" + IllustrativeNotice
		}
		x.str("gmd:description", desc)
		x.open("gmd:sourceCitation")
		x.open("gmd:CI_Citation")
		x.str("gmd:title", l.Name)
		x.citationDate(l.ImportedAt, "revision")
		x.str("gmd:edition", strconv.Itoa(l.Version))
		x.close("gmd:CI_Citation")
		x.close("gmd:sourceCitation")
		x.close("gmd:LI_Source")
		x.close("gmd:source")
	}
	x.close("gmd:LI_Lineage")
	x.close("gmd:lineage")
	x.close("gmd:DQ_DataQuality")
	x.close("gmd:dataQualityInfo")
}
