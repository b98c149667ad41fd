package exchange

// ProgressTotal is the total every Progress callback reports against:
// done runs from 0 to ProgressTotal (per mille of the whole job).
const ProgressTotal = 1000

// progress turns phase fractions into monotone per-mille reports.
type progress struct {
	fn   func(done, total int64)
	last int64
}

func newProgress(fn func(done, total int64)) *progress { return &progress{fn: fn, last: -1} }

// set reports permille (0–1000) if it moved forward.
func (p *progress) set(permille float64) {
	if p == nil || p.fn == nil {
		return
	}
	v := int64(max(0, min(permille, ProgressTotal)))
	if v > p.last {
		p.last = v
		p.fn(v, ProgressTotal)
	}
}

// span returns a reporter mapping a phase's fraction 0–1 onto from–to.
func (p *progress) span(from, to float64) func(frac float64) {
	return func(frac float64) { p.set(from + (to-from)*max(0, min(frac, 1))) }
}

// percent returns a reporter for GDAL's percentages mapped onto from–to.
func (p *progress) percent(from, to float64) func(pct float64) {
	s := p.span(from, to)
	return func(pct float64) { s(pct / 100) }
}

// enabled reports whether anyone listens.
func (p *progress) enabled() bool { return p != nil && p.fn != nil }
