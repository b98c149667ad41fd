package browser

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"wanmu/internal/testenv"
)

// TestPrint: a viewer opens the print layout for a platform at A4
// landscape and prints it to PDF as the browser's print would (the page's
// @page size). The PDF is one A4 landscape page whose map is drawn and whose
// text has the title, the platform's developable figure, the scale and the
// sample-data note.
func TestPrint(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "%s (poppler-utils) is not installed", tool)
		}
	}
	editor := mustAPI(t, editorUser)
	// Developable = gross, a figure the page shows nowhere else.
	withoutConstraints(t, mustAPI(t, adminUser))
	lng, lat := freeSpot(t, editor)
	z := createZone(t, editor, "打印测试"+randomHex(2), lng, lat, math.Sqrt(6000*2000.0/3))
	var pl struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	name := "打印测试平台" + randomHex(2)
	editor.must(t, http.StatusCreated, "POST", "/api/v1/platforms", map[string]any{
		"name": name, "zone_ids": []int64{z.Properties.ID}, "reason": "browser test"}, 0, &pl)
	t.Cleanup(func() {
		editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pl.ID), nil, 0, &pl)
		editor.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/platforms/%d?reason=test", pl.ID), nil, pl.Version, nil)
	})

	p := newPage(t)
	p.login(viewerUser)
	p.view(lng, lat, 13)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d), true)`, pl.ID))
	p.waitJS("the platform's figures", `!!document.querySelector('.platform-detail table.figures [data-field="developable"]')`)
	dev := eval[string](p, `document.querySelector('.platform-detail table.figures [data-field="developable"]').textContent`)

	p.click("#btn-print")
	p.waitJS("the print layout", `!!document.querySelector('#print-sheet .print-map #map') && !!document.querySelector('#print-sheet .print-areas')`)
	if got := eval[string](p, `document.querySelector('#print-sheet .print-areas [data-field="developable"]').textContent`); got != dev {
		t.Errorf("the layout's developable reads %q, the panel's %q", got, dev)
	}
	p.waitJS("the grid", `document.querySelectorAll('#print-sheet .print-grid polyline').length >= 2`)
	p.screenshot("60-print-preview")

	file := p.printPDF("print")
	dir := filepath.Dir(file)

	info := runTool(t, "pdfinfo", file)
	if !regexp.MustCompile(`(?m)^Pages:\s+1$`).MatchString(info) {
		t.Errorf("the PDF is not one page:\n%s", info)
	}
	m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(info)
	// A4 landscape: 297 × 210 mm = 841.9 × 595.3 pt.
	if m == nil || math.Abs(atof(m[1])-841.9) > 2 || math.Abs(atof(m[2])-595.3) > 2 {
		t.Errorf("page size %v, want A4 landscape 841.9 × 595.3 pt:\n%s", m, info)
	}

	runTool(t, "pdftoppm", "-png", "-r", "60", "-singlefile", file, filepath.Join(dir, "page"))
	shot, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(suite.artifacts, "60-print.png"), shot, 0o644); err != nil {
		t.Error(err)
	}
	img, err := png.Decode(strings.NewReader(string(shot)))
	if err != nil {
		t.Fatalf("decode the rendered page: %v", err)
	}
	// The map takes the left of the sheet: some of it must be drawn.
	b := img.Bounds()
	area := image.Rect(b.Min.X+b.Dx()/10, b.Min.Y+b.Dy()/4, b.Min.X+b.Dx()*6/10, b.Min.Y+b.Dy()*8/10)
	ink := 0
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xe000 || g < 0xe000 || bl < 0xe000 {
				ink++
			}
		}
	}
	if total := area.Dx() * area.Dy(); ink < total/50 {
		t.Errorf("the map area of the printed page is nearly blank: %d of %d pixels drawn", ink, total)
	}

	text := runTool(t, "pdftotext", "-enc", "UTF-8", file, "-")
	for _, want := range []string{name, dev, "1:", "示例数据，非测绘成果"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}

	// A chosen scale and the Gauss-Krüger grid (EPSG:4528: eastings with
	// the zone number 40 in front) on portrait paper.
	eval[bool](p, `(function(){
		[['scale', '25000'], ['grid', '4528'], ['orient', 'portrait']].forEach(function (v) {
			var s = document.querySelector('.print-controls select[name="' + v[0] + '"]');
			s.value = v[1];
			s.dispatchEvent(new Event('change'));
		});
		return true;
	})()`)
	if n := eval[float64](p, `+document.querySelector('#print-sheet .print-scale-text').dataset.scale`); math.Abs(n-25000) > 25 {
		t.Errorf("at 1:25,000 the layout says 1:%.0f", n)
	}
	labels := eval[string](p, `Array.prototype.map.call(document.querySelectorAll('#print-sheet .print-grid text'), function (e) { return e.textContent; }).join(' | ')`)
	if !regexp.MustCompile(`40\d{3}(\.\d)? km`).MatchString(labels) {
		t.Errorf("the EPSG:4528 grid's labels have no zone-40 easting: %s", labels)
	}
	if r := eval[float64](p, `(function(){ var s = document.getElementById('print-sheet'); return s.offsetHeight / s.offsetWidth; })()`); math.Abs(r-297.0/210) > 0.01 {
		t.Errorf("the portrait sheet's height/width is %.3f, want A4's %.3f", r, 297.0/210)
	}
	p.screenshot("61-print-portrait-gk")

	// Closing puts the map back where it was, at full size.
	p.click(`.print-controls [data-action="close-print"]`)
	p.waitJS("the map back in place", `!document.getElementById('print-overlay') && document.getElementById('map').parentNode.id === 'center' && !document.body.classList.contains('print-mode')`)
	if w := eval[float64](p, `wanmu.app.map.getSize().x`); w < 600 {
		t.Errorf("after closing the preview the map is %.0f px wide", w)
	}
}

// printPDF prints the page as the browser's print to PDF does (the page's
// own @page size, backgrounds) into a temporary file named name.pdf.
func (p *page) printPDF(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(func(q *cdppage.PrintToPDFParams) {
		yes := true
		q.PreferCSSPageSize = &yes
		q.PrintBackground = &yes
	}))
	if err != nil {
		p.t.Fatalf("print to PDF: %v", err)
	}
	file := filepath.Join(p.t.TempDir(), name+".pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		p.t.Fatal(err)
	}
	return file
}

func runTool(t *testing.T, cmd string, args ...string) string {
	t.Helper()
	out, err := exec.Command(cmd, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	return string(out)
}

func atof(s string) float64 {
	var v float64
	fmt.Sscanf(s, "%g", &v)
	return v
}
