package exchange

import (
	"fmt"
	"strings"
	"time"
)

// handoverDoc holds what the README and the metadata describe.
type handoverDoc struct {
	opts      HandoverOptions
	pkg       HandoverPackage
	epsg      int
	enc       string
	crs       string   // crsDescription(epsg)
	shpFiles  []string // entries of the Shapefile zip
	shpNames  []string // per layer of pkg.layers(), its Shapefile name
	gpkgNames []string // per layer, its GeoPackage layer name
}

// IllustrativeNotice is the disclaimer a package with sample data carries.
const IllustrativeNotice = "示例数据，非测绘成果"

// layerDescription says in Chinese what layer i of pkg.layers() holds.
func (d handoverDoc) layerDescription(i int, l ExportLayer) string {
	p := d.pkg.Provenance
	n := len(l.Features)
	switch i {
	case 0:
		return fmt.Sprintf("产业平台：每个平台一个要素，为其成员分区合并后的范围，附面积核算结果（毛面积、扣除、可开发空间、门槛、是否达标），%d 个要素。", n)
	case 1:
		return fmt.Sprintf("园区与乡镇工业功能区（现状分区）：全部现状分区，%d 个要素；其中 %d 个属于某一平台（见“所属平台”字段），%d 个未纳入任何平台（该字段为空）。",
			n, p.MemberZones, max(0, n-p.MemberZones))
	case 2:
		return fmt.Sprintf("可开发空间：每个平台一个要素（无可开发空间的平台没有要素），按第四节的口径求得；同一平台各要素面积之和即面积表中的可开发面积，%d 个要素。", n)
	case 3:
		return fmt.Sprintf("扣除用地：平台范围中不计入可开发空间的部分，每个平台按扣除原因各一个要素（不在纳入图层内的部分，以及各扣除图层所占部分），要素之间互不重叠，同一平台之和即合计扣除面积，%d 个要素。", n)
	}
	src := p.Layers[i-4]
	role := "扣除图层：平台范围内与之重叠的部分不计入可开发空间"
	if src.Kind == "include" {
		role = "纳入图层：只有平台范围内位于其中的部分计入可开发空间"
	}
	return fmt.Sprintf("约束图层“%s”（%s），计算面积时启用，%d 个要素。", src.Name, role, n)
}

// readme composes README.txt: UTF-8 with a BOM and CRLF line ends, so that
// Notepad on any Windows shows the Chinese.
func (d handoverDoc) readme() string {
	opts, p := d.opts, d.pkg.Provenance
	encNote := "UTF-8（.cpg 文件内容为 UTF-8）。ArcGIS 10.2.1 及以上、ArcGIS Pro、QGIS 可直接正确显示中文。"
	if d.enc == EncodingGBK {
		encNote = "GBK（.cpg 文件内容为 936，即 GBK 代码页；DBF 文件头语言驱动标识为 0x4D）。ArcGIS、QGIS 及国内常用软件可直接正确显示中文。"
	}
	lines := []string{opts.Title + " 数据移交说明", strings.Repeat("=", 40), ""}
	if p.Illustrative() {
		lines = append(lines, "【"+IllustrativeNotice+"】"+d.illustrativeScope(),
			"  这些图形为程序生成的示意数据，仅供演示和试用，不得用于规划审批、用地报批、测量放样或统计上报。", "")
	}
	lines = append(lines,
		"生成日期："+opts.Date.Format("2006年1月2日 15:04（北京时间）"),
		"",
		"一、文件清单",
		"  "+handoverReadme+"        本说明",
		"  "+handoverMetadata+"       元数据（ISO 19115/19139 格式：标识、范围、坐标系、数据来源与处理过程）",
		"  "+handoverTable+"    可开发空间面积表：平台汇总（含合计行）、各平台成员明细、说明；面积为平方米、亩、公顷",
		"  "+handoverAttributes+"    各图层的属性表，每个图层一张工作表，面积列末行为合计",
		"  "+handoverGPKG+"    GeoPackage：下列全部图层，字段名完整，字段别名为中文",
		"  "+handoverShpDir+"                 Shapefile：每个图层一套 .shp/.shx/.dbf/.prj/.cpg",
		fmt.Sprintf("  %s%s       Shapefile 字段名对照表（DBF 字段名最多 10 个英文字符，完整名称和中文说明见此表）", handoverShpDir, fieldTableName),
		"",
		"二、图层",
	)
	for i, l := range d.pkg.layers() {
		title := l.Title
		if title == "" {
			title = l.Name
		}
		lines = append(lines, fmt.Sprintf("  %d. %s", i+1, title), "     "+d.layerDescription(i, l))
		files := []string{}
		if i < len(d.shpNames) && d.hasShp(d.shpNames[i]) {
			files = append(files, "Shapefile "+handoverShpDir+d.shpNames[i]+".shp")
		}
		if i < len(d.gpkgNames) {
			files = append(files, "GeoPackage 图层 "+d.gpkgNames[i])
		}
		if len(files) > 0 {
			lines = append(lines, "     文件："+strings.Join(files, "；"))
		}
	}
	lines = append(lines, "  分区、可开发空间、扣除用地和约束图层的面积字段：area_m2 平方米（两位小数）、area_mu 亩、area_ha 公顷（四位小数）；",
		"  平台图层的面积字段为总面积、成员重叠、扣除和可开发空间，各字段含义见 GeoPackage 字段别名和 shp/fields.csv。",
		"", "三、数据来源与版本")
	lines = append(lines, d.provenanceLines()...)
	lines = append(lines, "", "四、可开发空间计算口径")
	def := opts.Definition
	if def == "" {
		def = "可开发空间 = 平台范围（未启用任何约束图层）"
	}
	lines = append(lines, "  "+def,
		"  平台范围为各成员分区合并（重叠部分只计一次）后的范围。纳入图层之间取并集；扣除图层之间取并集后整体扣除。",
		"  扣除用地图层中，被几个扣除图层同时覆盖的用地归入第三节所列顺序中排在前面的图层，因此各原因互不重叠、相加等于合计扣除；",
		"  面积表中各图层的“扣除”列则是该图层单独扣除的面积，图层重叠时逐项相加大于合计扣除。",
		"  "+d.thresholdLine(),
		"",
		"五、坐标系",
		"  "+d.crs,
		"  各 Shapefile 的 .prj 与 GeoPackage 的坐标系定义与此一致，在 ArcGIS、QGIS 中打开即可，无需再定义投影。",
		"",
		"六、面积计算方法",
		"  所有面积均为 CGCS2000 椭球面积（EPSG:4490 经纬度上计算，椭球参数 a = 6378137 米，扁率 1/298.257222101），",
		"  按国土调查办发〔2008〕32号规定的椭球面积公式计算，与第三次全国国土调查（三调，TD/T 1055-2019）口径一致；",
		"  边界的每条边按经纬度直线计（先按 0.0005° 加密后在椭球面上计算）。平方米保留两位小数，亩和公顷保留四位小数，均由未取整的平方米换算；",
		"  是否达标按未取整数值与门槛比较。",
		"  注意：在 ArcGIS/QGIS 中用投影坐标“计算几何”得到的是高斯平面面积，比椭球面积略大（离中央经线越远越大），以本数据的面积属性为准。",
		"",
		"七、面积单位",
		"  1 亩 = 2000/3 平方米（约 666.67 平方米）；15 亩 = 1 公顷；10000 亩 = 666.67 公顷。",
		"",
		"八、字符编码",
		"  Shapefile 属性表编码："+encNote,
		"  GeoPackage、XLSX、metadata.xml 和本说明均为 UTF-8。",
		"",
		"本数据包由 wanmu（万亩产业平台整合系统）生成。", "")
	return "\ufeff" + strings.Join(lines, "\r\n")
}

// hasShp says whether the Shapefile zip holds name.shp.
func (d handoverDoc) hasShp(name string) bool {
	for _, f := range d.shpFiles {
		if strings.EqualFold(f, name+".shp") {
			return true
		}
	}
	return false
}

// illustrativeScope names what is illustrative.
func (d handoverDoc) illustrativeScope() string {
	p := d.pkg.Provenance
	var parts []string
	if p.IllustrativeZones > 0 {
		parts = append(parts, fmt.Sprintf(" %d 个分区（及由其组成的平台、可开发空间和扣除用地）", p.IllustrativeZones))
	}
	for _, l := range p.Layers {
		if l.Illustrative {
			parts = append(parts, "约束图层“"+l.Name+"”")
		}
	}
	return "本数据包中的" + strings.Join(parts, "、") + "为示例数据。"
}

// provenanceLines state which data the figures come from.
func (d handoverDoc) provenanceLines() []string {
	p := d.pkg.Provenance
	at := func(t time.Time) string {
		if t.IsZero() || t.Unix() == 0 {
			return "无修改记录"
		}
		return t.In(d.opts.Date.Location()).Format("2006-01-02 15:04")
	}
	lines := []string{
		fmt.Sprintf("  分区：%d 个现状分区，最后修改 %s（修订记录号 %d）", p.Zones, at(p.ZonesChangedAt), p.ZoneRevision),
		fmt.Sprintf("  平台：%d 个平台，最后修改 %s（修订记录号 %d）", p.Platforms, at(p.PlatformsChangedAt), p.PlatformRevision),
	}
	if len(p.Layers) == 0 {
		return append(lines, "  约束图层：计算时未启用任何约束图层。")
	}
	lines = append(lines, "  约束图层（计算面积时启用，按计算顺序）：")
	for _, l := range p.Layers {
		kind := "扣除"
		if l.Kind == "include" {
			kind = "纳入"
		}
		s := fmt.Sprintf("    %s（%s）：第 %d 版，%d 个要素，导入于 %s", l.Name, kind, l.Version, l.Features, at(l.ImportedAt))
		if l.Source != "" {
			s += "，来源：" + l.Source
		}
		if l.Illustrative && !strings.Contains(l.Source, IllustrativeNotice) {
			s += "（" + IllustrativeNotice + "）"
		}
		lines = append(lines, s)
	}
	return lines
}

// thresholdLine states the threshold and the platforms that have their own.
func (d handoverDoc) thresholdLine() string {
	s := fmt.Sprintf("达标门槛：可开发空间不少于 %s 亩（默认）", formatMu(DefaultThresholdMu))
	var own []string
	for _, r := range d.pkg.Table {
		if r.Threshold() != DefaultThresholdMu {
			own = append(own, fmt.Sprintf("%s %s 亩", r.Name, formatMu(r.Threshold())))
		}
	}
	if len(own) > 0 {
		s += "；另设门槛的平台：" + strings.Join(own, "、")
	} else {
		s += "，所有平台均采用默认门槛"
	}
	return s + "。"
}

// formatMu writes a threshold without needless decimals.
func formatMu(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}
