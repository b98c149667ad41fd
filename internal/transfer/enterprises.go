package transfer

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/encoding/wkt"

	"wanmu/internal/evaluation"
	"wanmu/internal/geodesy"
	"wanmu/internal/region"
	"wanmu/internal/store"
	"wanmu/internal/uscc"
)

// EnterpriseMapping says which column holds each field (by field code:
// credit_code, name, county, scale, land, tax, …; see EnterprisePreview.Fields)
// and the values to use where a row has none.
type EnterpriseMapping struct {
	Columns       map[string]string `json:"columns"`
	DefaultCounty string            `json:"default_county"` // a county of the region (code or name)
	DefaultScale  string            `json:"default_scale"`  // 规上 | 规下
	// CRS of X/Y columns and WKT in metres: "" reads the zone from an
	// easting's prefix, else the region's main zone; or EPSG:4513–4554.
	CRS string `json:"crs"`
}

// EnterpriseColumn is one column of the file and the field it holds.
type EnterpriseColumn struct {
	Header string  `json:"header"`
	Field  string  `json:"field,omitempty"` // "" not imported
	Unit   string  `json:"unit,omitempty"`  // as the header states it
	Factor float64 `json:"factor,omitempty"`
}

// EnterpriseFieldInfo is one field wanmu stores and the column mapped to it.
type EnterpriseFieldInfo struct {
	Code     string `json:"code"`
	Label    string `json:"label"`
	Unit     string `json:"unit,omitempty"`
	Column   string `json:"column"` // "" none
	Required bool   `json:"required"`
}

// RowError is what is wrong with one row: its row number in the sheet
// (the header is counted, as Excel shows it), the column, the value.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"` // Chinese
	English string `json:"english"`
}

// EnterprisePreview is what an editor sees before committing an enterprise
// import of one year.
type EnterprisePreview struct {
	Target     string                `json:"target"` // "enterprises"
	Year       int                   `json:"year"`
	Format     string                `json:"format"`
	Encoding   string                `json:"encoding"`
	Sheet      string                `json:"sheet,omitempty"`
	Sheets     []string              `json:"sheets,omitempty"`
	HeaderRow  int                   `json:"header_row"`
	Columns    []EnterpriseColumn    `json:"columns"`
	Fields     []EnterpriseFieldInfo `json:"fields"`
	Mapping    EnterpriseMapping     `json:"mapping"`
	Rows       int                   `json:"rows"`  // data rows read
	Valid      int                   `json:"valid"` // rows without errors
	ErrorRows  int                   `json:"error_rows"`
	Errors     []RowError            `json:"errors"` // at most maxListed
	Counties   map[string]int        `json:"counties"`
	WithPoint  int                   `json:"with_point"`
	WithParcel int                   `json:"with_parcel"`
	NoLocation int                   `json:"no_location"`
	Sample     []map[string]any      `json:"sample"`
	Warnings   []string              `json:"warnings"`
	// Existing rows of the year, and of them those this import replaces
	// (same credit codes); the others stay.
	Existing    int `json:"existing"`
	Replaces    int `json:"replaces"`
	records     []store.EnterpriseRecord
	table       *table
	header      int
	region      *region.Region
	checkParcel func(ctx context.Context, wkbs [][]byte) ([]store.ParcelIssue, error)
	overlap     func(ctx context.Context, year int, codes []string) (int, int, error)
}

// InspectEnterprises reads an enterprise table (.xlsx or .csv, GBK or
// UTF-8) for year and checks every row, writing nothing.
func (s *Service) InspectEnterprises(ctx context.Context, path string, year int, encoding string) (*EnterprisePreview, error) {
	t, err := readTable(path, encoding)
	if err != nil {
		return nil, err
	}
	p := &EnterprisePreview{Target: "enterprises", Year: year, Format: t.Format, Encoding: t.Encoding, Sheet: t.Sheet, Sheets: t.Sheets,
		table: t, region: s.region(), checkParcel: s.Store.CheckParcels, overlap: s.Store.EnterpriseOverlap, Warnings: []string{}}
	h, ok := findHeader(t.Rows)
	if !ok {
		p.Warnings = append(p.Warnings, "未识别出表头：以第一行为表头，请在预览中指定各列")
	}
	p.header, p.HeaderRow = h, t.RowNos[h]
	p.Mapping = EnterpriseMapping{Columns: guessColumns(p.headers())}
	if err := p.evaluate(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *EnterprisePreview) headers() []string {
	hs := slices.Clone(p.table.Rows[p.header])
	for i, h := range hs {
		hs[i] = strings.TrimSpace(h)
	}
	return hs
}

// RemapEnterprises applies an editor's mapping and checks the rows again.
func (p *EnterprisePreview) Remap(ctx context.Context, m EnterpriseMapping) error {
	hs := p.headers()
	for code, col := range m.Columns {
		if fieldByCode(code) == nil {
			return fmt.Errorf("there is no field %q; the fields are %s", clip(code, 40), fieldCodes())
		}
		if col != "" && !slices.Contains(hs, col) {
			return fmt.Errorf("the table has no column %q; it has %s", clip(col, 60), strings.Join(hs, ", "))
		}
	}
	if m.DefaultScale != "" && m.DefaultScale != string(evaluation.Above) && m.DefaultScale != string(evaluation.Below) {
		return fmt.Errorf("default_scale must be 规上 or 规下, not %q", clip(m.DefaultScale, 20))
	}
	if m.DefaultCounty != "" {
		if _, ok := p.region.Find(m.DefaultCounty); !ok {
			return fmt.Errorf("%s", p.region.NotACounty(m.DefaultCounty))
		}
	}
	if _, err := gkMeridian(m.CRS, 0, p.region); m.CRS != "" && err != nil {
		return err
	}
	p.Mapping = m
	return p.evaluate(ctx)
}

func fieldCodes() string {
	cs := make([]string, len(enterpriseFields))
	for i, f := range enterpriseFields {
		cs[i] = f.Code
	}
	return strings.Join(cs, ", ")
}

// required fields: without their column no row can be read.
var requiredFields = []string{"credit_code", "name", "land"}

// evaluate reads every row with the mapping into records and errors.
func (p *EnterprisePreview) evaluate(ctx context.Context) error {
	hs := p.headers()
	col := map[string]int{} // field → column index
	p.Columns = make([]EnterpriseColumn, len(hs))
	for i, h := range hs {
		p.Columns[i] = EnterpriseColumn{Header: h}
	}
	for code, c := range p.Mapping.Columns {
		if i := slices.Index(hs, c); c != "" && i >= 0 {
			col[code] = i
			_, unit := splitHeader(c)
			f := fieldByCode(code)
			factor := 1.0
			if unit != "" && f.Units != nil {
				if v, ok := f.Units[unit]; ok {
					factor = v
				} else {
					p.Warnings = append(p.Warnings, fmt.Sprintf("“%s”的单位“%s”未识别，按 %s 读取", c, unit, f.Unit))
					unit = ""
				}
			}
			p.Columns[i] = EnterpriseColumn{Header: c, Field: code, Unit: unit, Factor: factor}
		}
	}
	p.Fields = make([]EnterpriseFieldInfo, len(enterpriseFields))
	for i, f := range enterpriseFields {
		p.Fields[i] = EnterpriseFieldInfo{Code: f.Code, Label: f.Label, Unit: f.Unit, Required: slices.Contains(requiredFields, f.Code)}
		if j, ok := col[f.Code]; ok {
			p.Fields[i].Column = hs[j]
		}
	}
	p.records, p.Errors, p.ErrorRows, p.Rows, p.Valid = nil, []RowError{}, 0, 0, 0
	p.Counties, p.Sample = map[string]int{}, []map[string]any{}
	p.WithPoint, p.WithParcel, p.NoLocation = 0, 0, 0
	var missing []string
	for _, code := range requiredFields {
		if _, ok := col[code]; !ok {
			missing = append(missing, fieldByCode(code).Label)
		}
	}
	if len(missing) > 0 {
		p.addError(RowError{Row: p.HeaderRow, Message: "缺少必需的列：" + strings.Join(missing, "、") + "（请在映射中指定）",
			English: "required columns missing: " + strings.Join(missing, ", ") + " (map them)"})
		p.ErrorRows = 1
		return nil
	}
	seen := map[string]int{}
	skipped := 0
	var parcels [][]byte
	var parcelAt []int // record index of each parcel
	for i := p.header + 1; i < len(p.table.Rows); i++ {
		row := p.table.Rows[i]
		if emptyRow(row) {
			continue
		}
		rp := rowParser{p: p, row: row, no: p.table.RowNos[i], col: col}
		if sumRow(row) && rp.cell("credit_code") == "" || total(rp.cell("credit_code")) {
			skipped++
			continue
		}
		p.Rows++
		rec, ok := rp.parse()
		if ok {
			if prev, dup := seen[rec.CreditCode]; dup {
				rp.fail("credit_code", rec.CreditCode, fmt.Sprintf("与第 %d 行的统一社会信用代码重复", prev),
					fmt.Sprintf("the same credit code as row %d", prev))
				ok = false
			} else {
				seen[rec.CreditCode] = rp.no
			}
		}
		if !ok {
			p.ErrorRows++
			continue
		}
		rec.Year = p.Year
		if len(rec.Parcel) > 0 {
			b, err := wkb.Marshal(rec.Parcel)
			if err != nil {
				return err
			}
			parcels, parcelAt = append(parcels, b), append(parcelAt, len(p.records))
		}
		p.records = append(p.records, rec)
	}
	if skipped > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("跳过了 %d 个合计行", skipped))
	}
	// Parcels PostGIS finds invalid are errors of their rows.
	if len(parcels) > 0 && p.checkParcel != nil {
		issues, err := p.checkParcel(ctx, parcels)
		if err != nil {
			return err
		}
		bad := map[int]bool{}
		for _, is := range issues {
			r := p.records[parcelAt[is.Index]]
			bad[parcelAt[is.Index]] = true
			p.addError(RowError{Row: r.SourceRow, Column: p.Mapping.Columns["parcel"], Field: "parcel",
				Message: "地块范围不是有效的面：" + is.Reason, English: "the parcel is not a valid polygon: " + is.Reason})
		}
		if len(bad) > 0 {
			kept := p.records[:0]
			for i, r := range p.records {
				if !bad[i] {
					kept = append(kept, r)
				}
			}
			p.records = kept
			p.ErrorRows += len(bad)
		}
	}
	slices.SortStableFunc(p.Errors, func(a, b RowError) int { return a.Row - b.Row })
	p.Valid = len(p.records)
	for _, r := range p.records {
		p.Counties[r.County]++
		switch {
		case len(r.Parcel) > 0:
			p.WithParcel++
		case r.Location != nil:
			p.WithPoint++
		default:
			p.NoLocation++
		}
		if len(p.Sample) < 5 {
			p.Sample = append(p.Sample, map[string]any{"row": r.SourceRow, "credit_code": r.CreditCode, "name": r.Name,
				"county": r.County, "scale": r.Scale, "land_mu": r.LandMu, "tax": r.Tax, "value_added": r.ValueAdded})
		}
	}
	if p.Rows == 0 {
		p.addError(RowError{Row: p.HeaderRow, Message: "表头下没有数据行", English: "no data rows below the header"})
		p.ErrorRows = 1
	}
	if p.overlap != nil {
		codes := make([]string, len(p.records))
		for i, r := range p.records {
			codes[i] = r.CreditCode
		}
		var err error
		if p.Existing, p.Replaces, err = p.overlap(ctx, p.Year, codes); err != nil {
			return err
		}
	}
	return nil
}

func (p *EnterprisePreview) addError(e RowError) {
	if len(p.Errors) < maxListed {
		p.Errors = append(p.Errors, e)
	}
}

func emptyRow(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// sumRow says whether a row is a sum row: a cell, such as the 序号, says
// 合计, 总计 or 小计.
func sumRow(row []string) bool {
	return slices.ContainsFunc(row, total)
}

// total says whether a cell marks a sum row (合计, 总计, 小计).
func total(s string) bool {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	return s == "合计" || s == "总计" || s == "小计"
}

// rowParser reads one row; its first error is recorded and ends the row.
type rowParser struct {
	p      *EnterprisePreview
	row    []string
	no     int
	col    map[string]int
	failed bool
}

func (r *rowParser) cell(code string) string {
	i, ok := r.col[code]
	if !ok || i >= len(r.row) {
		return ""
	}
	return strings.TrimSpace(r.row[i])
}

func (r *rowParser) fail(code, value, zh, en string) {
	r.failed = true
	r.p.addError(RowError{Row: r.no, Column: r.p.Mapping.Columns[code], Field: code, Value: clip(value, 60), Message: zh, English: en})
}

func (r *rowParser) parse() (store.EnterpriseRecord, bool) {
	rec := store.EnterpriseRecord{SourceRow: r.no}
	e := &rec.Enterprise
	code := uscc.Normalise(r.cell("credit_code"))
	if code == "" {
		r.fail("credit_code", "", "统一社会信用代码为空", "the credit code is empty")
		return rec, false
	}
	if err := uscc.Check(code); err != nil {
		ue := err.(*uscc.Error)
		r.fail("credit_code", code, ue.ZH, ue.EN)
		return rec, false
	}
	e.CreditCode = code
	e.Name = r.cell("name")
	if e.Name == "" {
		r.fail("name", "", "企业名称为空", "the name is empty")
		return rec, false
	}
	if n := utf8.RuneCountInString(e.Name); n > 200 {
		r.fail("name", e.Name, fmt.Sprintf("企业名称有 %d 个字，最多 200 个", n), fmt.Sprintf("the name has %d characters, at most 200", n))
		return rec, false
	}
	if !r.county(e) || !r.scale(e) {
		return rec, false
	}
	e.LandMu = r.number("land", true, false)
	e.Tax = r.number("tax", false, true)
	e.ValueAdded = r.number("value_added", false, true)
	e.Revenue = r.number("revenue", false, false)
	e.Energy = r.number("energy", false, false)
	e.Emissions = r.number("emissions", false, false)
	e.Electricity = r.number("electricity", false, false)
	e.RD = r.number("rd", false, false)
	e.Employees = r.number("employees", false, false)
	e.Investment = r.number("investment", false, false)
	if r.failed {
		return rec, false
	}
	if v := r.cell("high_tech"); v != "" {
		b, ok := yesNo(v)
		if !ok {
			r.fail("high_tech", v, "高新技术企业应填“是”或“否”", "high-tech must be 是 or 否 (yes or no)")
			return rec, false
		}
		e.HighTech = &b
	}
	e.ExemptReason = r.cell("exempt")
	if n := utf8.RuneCountInString(e.ExemptReason); n > 200 {
		r.fail("exempt", e.ExemptReason, "不参评原因最多 200 个字", "the exemption reason has over 200 characters")
		return rec, false
	}
	r.location(&rec)
	return rec, !r.failed
}

func (r *rowParser) county(e *evaluation.Enterprise) bool {
	rg := r.p.region
	raw := r.cell("county")
	if raw != "" {
		c, ok := rg.Find(raw)
		if !ok {
			r.fail("county", raw, fmt.Sprintf("“%s”不是%s的县（市、区）", clip(raw, 40), rg.ShortName()),
				fmt.Sprintf("%q is not a county of %s (one of %s)", clip(raw, 40), rg.ShortName(), rg.CountyList()))
			return false
		}
		e.County = c.Adcode
		return true
	}
	if c, ok := rg.Find(r.p.Mapping.DefaultCounty); ok && r.p.Mapping.DefaultCounty != "" {
		e.County = c.Adcode
		return true
	}
	// The credit code's characters 3–8 are the division where the
	// enterprise registered: a county's code, or the city's.
	if c, ok := rg.County(e.CreditCode[2:8]); ok {
		e.County = c.Adcode
		return true
	}
	r.fail("county", "", "县（市、区）未知：请指定县（市、区）列或默认县（市、区）",
		"the county is unknown: map a county column or choose a default county")
	return false
}

func (r *rowParser) scale(e *evaluation.Enterprise) bool {
	raw := r.cell("scale")
	if raw == "" {
		raw = r.p.Mapping.DefaultScale
	}
	switch strings.ReplaceAll(raw, " ", "") {
	case "规上", "规模以上", "规上企业", "规模以上企业", "是", "上":
		e.Scale = evaluation.Above
	case "规下", "规模以下", "规下企业", "规模以下企业", "否", "下", "小微", "小微企业":
		e.Scale = evaluation.Below
	case "":
		r.fail("scale", "", "规上/规下为空：请指定该列或默认值", "规上/规下 (scale) is empty: map the column or choose a default")
		return false
	default:
		r.fail("scale", raw, "规上/规下应为“规上”或“规下”", "scale must be 规上 or 规下")
		return false
	}
	return true
}

// number reads a figure in the field's unit: nil when the cell is empty
// or "-" (not reported), an error when it is not a number or is negative
// where that cannot be.
func (r *rowParser) number(code string, required, negative bool) *float64 {
	raw := r.cell(code)
	f := fieldByCode(code)
	if raw == "" || raw == "-" || raw == "—" || raw == "/" || raw == "／" {
		if required {
			r.fail(code, raw, f.Label+"为空", strings.ReplaceAll(code, "_", " ")+" is empty")
		}
		return nil
	}
	v, ok := parseNumber(raw)
	if !ok {
		r.fail(code, raw, fmt.Sprintf("%s“%s”不是数字", f.Label, clip(raw, 40)), fmt.Sprintf("%s %q is not a number", code, clip(raw, 40)))
		return nil
	}
	if i, ok := r.col[code]; ok && r.p.Columns[i].Factor != 0 {
		v *= r.p.Columns[i].Factor
	}
	if v < 0 && !negative {
		r.fail(code, raw, fmt.Sprintf("%s不能为负数", f.Label), fmt.Sprintf("%s cannot be negative", code))
		return nil
	}
	return &v
}

// parseNumber reads "1,234.5", "１２３", "12.5万"? no: only plain numbers
// with thousands separators and full-width digits.
func parseNumber(s string) (float64, bool) {
	var b strings.Builder
	for _, c := range s {
		if c >= 0xFF01 && c <= 0xFF5E {
			c -= 0xFEE0
		}
		if c == ',' || c == ' ' {
			continue
		}
		b.WriteRune(c)
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// parseDegrees reads decimal degrees or degrees, minutes and seconds as
// tables write them: 119°54′44.5″, 119°54'44.5", 119度54分44.5秒.
func parseDegrees(s string) (float64, bool) {
	if v, ok := parseNumber(s); ok {
		return v, true
	}
	r := strings.NewReplacer("°", " ", "度", " ", "′", " ", "'", " ", "’", " ", "分", " ", "″", " ", "\"", " ", "”", " ", "秒", " ")
	parts := strings.Fields(r.Replace(s))
	if len(parts) == 0 || len(parts) > 3 {
		return 0, false
	}
	v, scale := 0.0, 1.0
	for i, p := range parts {
		x, ok := parseNumber(p)
		if !ok || x < 0 || (i > 0 && x >= 60) {
			return 0, false
		}
		v += x / scale
		scale *= 60
	}
	return v, true
}

func yesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "是", "y", "yes", "1", "√", "true", "高新", "高新技术企业":
		return true, true
	case "否", "n", "no", "0", "×", "false", "非高新":
		return false, true
	}
	return false, false
}

// location reads the parcel (WKT) and/or the point (lon/lat or X/Y).
func (r *rowParser) location(rec *store.EnterpriseRecord) {
	if w := r.cell("parcel"); w != "" {
		g, err := wkt.Unmarshal(w)
		var mp orb.MultiPolygon
		switch g := g.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		}
		if err != nil || len(mp) == 0 {
			r.fail("parcel", w, "地块范围应为 WKT 格式的 POLYGON 或 MULTIPOLYGON", "the parcel must be a WKT POLYGON or MULTIPOLYGON")
			return
		}
		var bad error
		g2 := orb.Geometry(mp.Clone())
		mp = mapPoints(g2, func(pt orb.Point) orb.Point {
			q, err := r.toLonLat(pt[0], pt[1])
			if err != nil && bad == nil {
				bad = err
			}
			return q
		}).(orb.MultiPolygon)
		if bad != nil {
			r.fail("parcel", w, "地块坐标无法识别："+bad.Error(), "the parcel's coordinates cannot be read: "+bad.Error())
			return
		}
		for _, pg := range mp {
			for _, ring := range pg {
				for _, pt := range ring {
					if !r.inRegion(pt) {
						r.fail("parcel", w, fmt.Sprintf("地块在%s范围之外（%.5f, %.5f）", r.p.region.ShortName(), pt[0], pt[1]),
							fmt.Sprintf("the parcel lies outside %s (%.5f, %.5f)", r.p.region.ShortName(), pt[0], pt[1]))
						return
					}
				}
			}
		}
		rec.Parcel = mp
	}
	lon, lat, x, y := r.cell("lon"), r.cell("lat"), r.cell("x"), r.cell("y")
	var pt orb.Point
	switch {
	case lon != "" || lat != "":
		a, ok1 := parseDegrees(lon)
		b, ok2 := parseDegrees(lat)
		if !ok1 || !ok2 {
			r.fail("lon", lon+", "+lat, "经度、纬度应都是数字（如 119.9123）或度分秒（如 119°54′44″）",
				"longitude and latitude must both be numbers (119.9123) or degrees, minutes and seconds (119°54′44″)")
			return
		}
		if a <= 90 && b > 90 { // the two columns swapped: China's longitudes exceed 73°, its latitudes stay under 54°
			a, b = b, a
		}
		pt = orb.Point{a, b}
	case x != "" || y != "":
		a, ok1 := parseNumber(x)
		b, ok2 := parseNumber(y)
		if !ok1 || !ok2 {
			r.fail("x", x+", "+y, "X、Y 坐标应都是数字", "X and Y must both be numbers")
			return
		}
		var err error
		if pt, err = r.toLonLat(a, b); err != nil {
			r.fail("x", x+", "+y, "坐标无法识别："+err.Error(), "the coordinates cannot be read: "+err.Error())
			return
		}
	default:
		return
	}
	if !r.inRegion(pt) {
		code := "lon"
		if lon == "" {
			code = "x"
		}
		r.fail(code, fmt.Sprintf("%.6f, %.6f", pt[0], pt[1]), fmt.Sprintf("位置在%s范围之外", r.p.region.ShortName()),
			fmt.Sprintf("the location lies outside %s", r.p.region.ShortName()))
		return
	}
	rec.Location = &pt
}

// regionMargin widens the region's box a little (degrees): its edge is a
// box, the enterprises near it are real.
const regionMargin = 0.02

func (r *rowParser) inRegion(p orb.Point) bool {
	e := r.p.region.Extent
	return p[0] >= e.MinLon-regionMargin && p[0] <= e.MaxLon+regionMargin && p[1] >= e.MinLat-regionMargin && p[1] <= e.MaxLat+regionMargin
}

// toLonLat reads a coordinate pair: lon/lat as they are; Gauss-Kruger
// metres in either order (the northing is the value of 7 digits, as
// surveyors write X north and Y east), the zone from an easting's
// prefix, else the mapping's CRS, else the region's main zone.
func (r *rowParser) toLonLat(a, b float64) (orb.Point, error) {
	if math.Abs(a) <= 180 && math.Abs(b) <= 90 {
		return orb.Point{a, b}, nil
	}
	north, east := a, b
	if !(north >= 1e6 && north < 1e7) {
		north, east = b, a
	}
	if !(north >= 1e6 && north < 1e7) || (east >= 1e6 && east < 1e7) || east <= 0 {
		return orb.Point{}, fmt.Errorf("(%s, %s) is neither lon/lat nor Gauss-Kruger metres", formatFloat(a), formatFloat(b))
	}
	cm, err := gkMeridian(r.p.Mapping.CRS, east, r.p.region)
	if err != nil {
		return orb.Point{}, err
	}
	if east >= 1e7 {
		east -= math.Floor(east/1e6) * 1e6
	}
	lon, lat := geodesy.FromGaussKruger(north, east, cm)
	return orb.Point{lon, lat}, nil
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// gkMeridian is the central meridian for an easting: from its zone prefix
// (3-degree zones 25–45), else from crs (EPSG:4513–4554), else the region's
// main zone.
func gkMeridian(crs string, easting float64, rg *region.Region) (float64, error) {
	if easting >= 1e7 {
		zone := int(easting / 1e6)
		if zone < 25 || zone > 45 {
			return 0, fmt.Errorf("the easting %s has the prefix %d, not a 3-degree zone (25–45)", formatFloat(easting), zone)
		}
		return float64(3 * zone), nil
	}
	if crs == "" {
		return float64(3 * rg.MainZone()), nil
	}
	n, ok := strings.CutPrefix(crs, "EPSG:")
	code, err := strconv.Atoi(n)
	switch {
	case !ok || err != nil:
	case code >= 4513 && code <= 4533:
		return float64(3 * (code - 4488)), nil
	case code >= 4534 && code <= 4554:
		return float64(75 + 3*(code-4534)), nil
	}
	return 0, fmt.Errorf("crs must be a CGCS2000 3-degree Gauss-Kruger code (EPSG:4513–4554), not %q", clip(crs, 30))
}

func mapPoints(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	mp := g.(orb.MultiPolygon)
	for _, pg := range mp {
		for _, ring := range pg {
			for i := range ring {
				ring[i] = f(ring[i])
			}
		}
	}
	return mp
}

// EnterpriseResult is what a committed enterprise import wrote.
type EnterpriseResult struct {
	Target string `json:"target"`
	Year   int    `json:"year"`
	store.ReplaceResult
	Unplaced int `json:"unplaced"` // of the rows written, those outside every zone
}

// CommitEnterprises writes the previewed rows in one transaction, replacing
// that year's rows of the same credit codes. Like a zone import, it refuses
// while any row has an error: the editor fixes the file or the mapping.
func (s *Service) CommitEnterprises(ctx context.Context, p *EnterprisePreview, importID, actor string) (EnterpriseResult, error) {
	res := EnterpriseResult{Target: "enterprises", Year: p.Year}
	if p.ErrorRows > 0 {
		e := p.Errors[0]
		return res, &RowsError{Count: p.ErrorRows, First: e}
	}
	r, err := s.Store.ReplaceEnterprises(ctx, p.Year, p.records, importID, actor)
	if err != nil {
		return res, err
	}
	res.ReplaceResult = r
	un, err := s.Store.ListEnterprises(ctx, store.EnterpriseFilter{Year: p.Year, Unplaced: true})
	if err != nil {
		return res, err
	}
	for _, e := range un {
		if e.ImportID == importID {
			res.Unplaced++
		}
	}
	return res, nil
}

// RowsError refuses a commit while rows have errors.
type RowsError struct {
	Count int
	First RowError
}

func (e *RowsError) Error() string {
	return fmt.Sprintf("%d rows have errors (first: row %d, %s); fix the file or the mapping — nothing was written", e.Count, e.First.Row, e.First.English)
}

// Is makes errors.Is(err, store.ErrInvalid) true.
func (e *RowsError) Is(target error) bool { return target == store.ErrInvalid }

// Chinese is the message in Chinese.
func (e *RowsError) Chinese() string {
	return fmt.Sprintf("%d 行有错误（第一处：第 %d 行，%s），请修改文件或列映射；未写入任何数据", e.Count, e.First.Row, e.First.Message)
}
