package synth

// The layout of the sample: county seats, parks, platforms and schematic valleys. Positions are
// from shared/reference/lishui-places.csv unless marked "nudged" (moved by a few km so that
// illustrative polygons do not collide) or "schematic" (not in the csv; invented for the layout).
// Tables are returned by functions so the package holds no state.

// SampleSeed is the seed of the committed sample in geodata/ (after 丽政办发〔2020〕55号).
const SampleSeed uint64 = 202055

// Role values of Platform.Role.
const (
	RoleCore   = "一心"
	RoleWing   = "两翼"
	RoleSector = "三片区"
	RoleOther  = "其他"
)

// Kind values of Layer.Kind.
const (
	KindInclude   = "include"
	KindExclude   = "exclude"
	KindReference = "reference"
)

// Zone kinds and the note every feature carries.
const (
	ZonePark     = "park"
	ZoneTownship = "township"
	Note         = "示例数据，非测绘成果"
)

// Dispositions of township zones (并、提、撤、转, plus 保留 and 待定).
const (
	DispKeep      = "保留"
	DispMerge     = "并"
	DispUpgrade   = "提"
	DispAbolish   = "撤"
	DispTransform = "转"
	DispPending   = "待定"
)

// Names of the sample layers.
const (
	LayerRedLine  = "生态保护红线"
	LayerFarmland = "永久基本农田"
	LayerUrban    = "城镇开发边界"
	LayerCounties = "县域范围（示意）"
)

// DefaultThresholdMu is the developable area every sample platform should reach (万亩), in mu.
const DefaultThresholdMu = 10000.0

type countySpec struct {
	adcode, name string
	lon, lat     float64
	weight       float64 // power-diagram weight, km²: shifts the illustrative boundaries
	towns        int     // township industrial zones in the county
	seatR        float64 // radius of the county seat's urban boundary blob, m
}

func countySpecs() []countySpec {
	return []countySpec{
		{"331102", "莲都区", 119.922, 28.451, 0, 8, 4200},
		{"331121", "青田县", 120.292, 28.135, 420, 9, 2600},
		{"331122", "缙云县", 120.079, 28.654, 0, 10, 2800},
		{"331123", "遂昌县", 119.276, 28.592, 60, 7, 2200},
		{"331124", "松阳县", 119.485, 28.450, 0, 8, 2300},
		{"331125", "云和县", 119.569, 28.111, -60, 5, 1900},
		{"331126", "庆元县", 119.067, 27.618, 0, 6, 1900},
		{"331127", "景宁畲族自治县", 119.635, 27.977, 0, 5, 1800},
		{"331181", "龙泉市", 119.132, 28.069, 150, 10, 2600},
	}
}

// cityOutline returns points whose convex hull is the rough, illustrative outline of 丽水
// (extent ≈118.68–120.43°E 27.42–28.95°N).
func cityOutline() [][2]float64 {
	return [][2]float64{
		{118.95, 28.78}, {119.20, 28.93}, {119.55, 28.90}, {119.95, 28.95}, {120.22, 28.93},
		{120.38, 28.75}, {120.43, 28.40}, {120.42, 28.05}, {120.25, 27.90}, {119.95, 27.72},
		{119.60, 27.52}, {119.25, 27.42}, {118.98, 27.46}, {118.80, 27.65}, {118.68, 28.00},
		{118.72, 28.35}, {118.82, 28.62},
	}
}

// valleys returns schematic river valleys through the seats (瓯江, 松阴溪, 好溪, 小溪, and the
// 龙泉–庆元 corridor): farmland clusters along them, red-line polygons keep away from them.
func valleys() [][][2]float64 {
	return [][][2]float64{
		{{118.98, 28.03}, {119.132, 28.069}, {119.30, 28.06}, {119.45, 28.08}, {119.569, 28.111},
			{119.66, 28.22}, {119.73, 28.30}, {119.78, 28.34}, {119.85, 28.40}, {119.922, 28.451},
			{119.98, 28.36}, {120.03, 28.26}, {120.15, 28.18}, {120.292, 28.135}, {120.35, 28.11}, {120.40, 28.09}},
		{{119.18, 28.68}, {119.276, 28.592}, {119.38, 28.52}, {119.485, 28.450}, {119.60, 28.38}, {119.72, 28.32}},
		{{120.24, 28.79}, {120.079, 28.654}, {120.00, 28.55}, {119.94, 28.47}},
		{{119.55, 27.90}, {119.635, 27.977}, {119.80, 28.00}, {120.00, 28.05}, {120.16, 28.17}},
		{{118.95, 27.55}, {119.067, 27.618}, {119.05, 27.75}, {119.10, 27.95}, {119.132, 28.069}},
	}
}

type partSpec struct {
	lon, lat    float64
	mu          float64 // drawn area before the platform's scale, mu
	aspect, rot float64 // stretch and direction of the long axis (degrees anticlockwise from east)
}

type parkSpec struct {
	name, adcode string
	approvedHa   float64
	documentNo   string
	parts        []partSpec
	dent         bool // the urban boundary leaves a wedge of the park outside
	clip         bool // a red-line polygon clips one edge
	// leanOn names a park this one is drawn against, from direction leanDir (degrees),
	// overlapping it by leanMu: the one deliberate overlap inside a platform.
	leanOn          string
	leanDir, leanMu float64
}

type townSpec struct {
	adcode, disposition string
	anchor              int // index of the platform's park the zone is placed next to
}

type platformSpec struct {
	name, role, note string
	counties         []string
	target           float64 // developable mu the platform is sized to; 0: as drawn
	parks            []parkSpec
	towns            []townSpec
}

func platformSpecs() []platformSpec {
	return []platformSpec{
		{
			name: "丽水市级产业平台", role: RoleCore, counties: []string{"331102", "331121", "331127"},
			note: "一心：以丽水经济技术开发区为核心，整合丽景民族工业园、莲都工业区、空港园、腊口物流园、纳爱斯工业园、华侨产业城、绿谷信息产业园（示例数据）",
			parks: []parkSpec{
				{name: "丽水经济技术开发区", adcode: "331102", approvedHa: 565, dent: true,
					parts: []partSpec{{119.87, 28.41, 18000, 1.6, 135}}},
				{name: "空港园", adcode: "331102",
					parts: []partSpec{{119.843, 28.378, 3430, 2.2, 30}}},
				// 丽景 sits beside the airport in the csv (119.84, 28.38); it is drawn west of 空港园,
				// overlapping it by about 150 mu: the sample's one deliberate double-drawn strip.
				{name: "丽景民族工业园", adcode: "331127", leanOn: "空港园", leanDir: 165, leanMu: 150,
					parts: []partSpec{{0, 0, 6000, 1.3, 100}}},
				{name: "莲都工业区", adcode: "331102", dent: true,
					parts: []partSpec{{119.78, 28.34, 6750, 1.8, 40}, {119.88, 28.48, 4500, 1.4, 60}}},
				{name: "腊口物流园", adcode: "331121", parts: []partSpec{{120.03, 28.26, 2700, 1.7, 120}}},
				{name: "纳爱斯工业园", adcode: "331102", parts: []partSpec{{119.90, 28.45, 1800, 1.3, 20}}},
				// nudged west of 青田 from the placeholder (120.33, 28.12), away from 青田经济开发区.
				{name: "华侨产业城", adcode: "331121", parts: []partSpec{{120.24, 28.15, 3750, 1.5, 160}}},
				{name: "绿谷信息产业园", adcode: "331102", parts: []partSpec{{119.93, 28.46, 1200, 1.2, 0}}},
			},
			towns: []townSpec{{"331102", DispMerge, 0}, {"331102", DispMerge, 3}},
		},
		{
			name: "缙云产业平台", role: RoleWing, counties: []string{"331122"}, target: 11400,
			note: "两翼·缙云：以缙云经济开发区为主体（示例数据）",
			parks: []parkSpec{{name: "缙云经济开发区", adcode: "331122", approvedHa: 806, dent: true, clip: true,
				parts: []partSpec{{120.06, 28.70, 12090, 1.5, 30}}}},
			towns: []townSpec{{"331122", DispMerge, 0}, {"331122", DispMerge, 0}, {"331122", DispUpgrade, 0}},
		},
		{
			name: "青田产业平台", role: RoleWing, counties: []string{"331121"}, target: 12200,
			note: "两翼·青田：以青田经济开发区（温溪、油竹）为主体（示例数据）",
			parks: []parkSpec{{name: "青田经济开发区", adcode: "331121", dent: true,
				parts: []partSpec{{120.35, 28.11, 12500, 2.0, -22}}}},
			towns: []townSpec{{"331121", DispMerge, 0}, {"331121", DispUpgrade, 0}},
		},
		{
			name: "遂松产业平台", role: RoleSector, counties: []string{"331123", "331124"}, target: 15800,
			note: "三片区·遂松片区：遂昌、松阳跨县域整合为一个平台（示例数据）",
			parks: []parkSpec{
				{name: "浙江遂昌经济开发区", adcode: "331123", dent: true, clip: true,
					parts: []partSpec{{119.28, 28.59, 8500, 1.5, -38}}},
				{name: "浙江松阳经济开发区", adcode: "331124", dent: true,
					parts: []partSpec{{119.48, 28.45, 9500, 1.6, -38}}},
			},
			towns: []townSpec{{"331123", DispMerge, 0}, {"331124", DispMerge, 1}},
		},
		{
			name: "龙泉产业平台", role: RoleSector, counties: []string{"331181"}, target: 11800,
			note: "三片区·龙庆片区：龙泉的重点平台（示例数据）",
			parks: []parkSpec{{name: "浙江龙泉经济开发区", adcode: "331181", dent: true, clip: true,
				parts: []partSpec{{119.15, 28.09, 13500, 1.8, 5}}}},
			towns: []townSpec{{"331181", DispMerge, 0}},
		},
		{
			name: "庆元产业平台", role: RoleSector, counties: []string{"331126"}, target: 11100,
			note: "三片区·龙庆片区：庆元的重点平台（示例数据）",
			parks: []parkSpec{{name: "浙江庆元经济开发区", adcode: "331126", dent: true,
				parts: []partSpec{{119.07, 27.62, 12800, 1.5, 80}}}},
			towns: []townSpec{{"331126", DispUpgrade, 0}},
		},
		{
			name: "云和产业平台", role: RoleSector, counties: []string{"331125"}, target: 8500,
			note: "三片区·云景片区：云和的重点平台，规划 6.77 km² 分三块（示例数据）",
			parks: []parkSpec{{name: "浙江云和经济开发区", adcode: "331125", dent: true,
				parts: []partSpec{{119.553, 28.103, 4000, 1.5, 50}, {119.595, 28.140, 3500, 1.4, 55}, {119.528, 28.140, 2655, 1.3, 70}}}},
			towns: []townSpec{{"331125", DispMerge, 0}},
		},
		{
			name: "景宁产业平台", role: RoleSector, counties: []string{"331127"}, target: 7600,
			note: "三片区·云景片区：景宁的重点平台（县内园区；丽景民族工业园归入一心）（示例数据）",
			parks: []parkSpec{{name: "景宁县内产业园（示意）", adcode: "331127", dent: true, clip: true,
				parts: []partSpec{{119.64, 27.98, 8500, 1.6, 10}}}},
			towns: []townSpec{{"331127", DispMerge, 0}},
		},
		{
			name: "缙云东部产业平台", role: RoleOther, counties: []string{"331122"}, target: 8300,
			note: "其他：两翼县保留的第二个平台，由县东部园区与并入的乡镇工业功能区组成（示意，位置虚构）（示例数据）",
			parks: []parkSpec{{name: "缙云东部产业园（示意）", adcode: "331122", dent: true, clip: true,
				parts: []partSpec{{120.21, 28.77, 8000, 1.6, 35}}}},
			towns: []townSpec{{"331122", DispMerge, 0}, {"331122", DispMerge, 0}, {"331122", DispUpgrade, 0}},
		},
		{
			name: "龙泉南部产业平台", role: RoleOther, counties: []string{"331181"}, target: 7200,
			note: "其他：龙庆片区内龙泉的第二个平台，位于龙泉—庆元通道（示意，位置虚构）（示例数据）",
			parks: []parkSpec{{name: "龙泉南部产业园（示意）", adcode: "331181", dent: true,
				parts: []partSpec{{119.10, 27.95, 7200, 1.7, 80}}}},
			towns: []townSpec{{"331181", DispMerge, 0}, {"331181", DispUpgrade, 0}},
		},
	}
}

// otherDispositions is the mix of dispositions of the township zones that join no platform.
func otherDispositions() []string {
	var d []string
	for _, c := range []struct {
		disp string
		n    int
	}{{DispUpgrade, 8}, {DispAbolish, 12}, {DispTransform, 12}, {DispKeep, 11}, {DispPending, 7}} {
		for range c.n {
			d = append(d, c.disp)
		}
	}
	return d
}

// Syllables of the invented township names; names of real places in the csv are avoided.
func nameParts() (first, second []string, avoid map[string]bool) {
	first = []string{"东", "西", "南", "北", "上", "下", "大", "石", "竹", "桃", "梅", "云", "青", "白",
		"金", "柳", "枫", "樟", "茶", "杉", "高", "新", "兰", "黄", "赤", "清", "岩", "溪", "双", "三"}
	second = []string{"坑", "源", "口", "坪", "岙", "田", "湖", "塘", "岗", "埠", "垟", "溪", "岭", "桥",
		"川", "洋", "头", "畈", "峰", "湾"}
	avoid = map[string]bool{"白桥": true, "高溪": true, "碧湖": true, "古堰": true, "腊口": true,
		"温溪": true, "油竹": true, "水阁": true, "南城": true, "新碧": true, "云和": true, "青田": true}
	return first, second, avoid
}
