package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progressBar draws one job's progress on a terminal, or prints every tenth
// when the output is not one.
type progressBar struct {
	w     io.Writer
	label string
	tty   bool
	start time.Time
	last  time.Time
	step  int64 // last tenth printed (non-terminal)
	drawn bool
}

func newProgressBar(w io.Writer, label string) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, label: label, tty: tty, start: time.Now(), step: -1}
}

func (p *progressBar) set(done, total int64) {
	if total <= 0 {
		return
	}
	frac := float64(done) / float64(total)
	if !p.tty {
		if s := int64(frac * 10); s > p.step {
			p.step = s
			fmt.Fprintf(p.w, "%s: %3.0f%% (%s)\n", p.label, frac*100, time.Since(p.start).Round(time.Second))
		}
		return
	}
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || done == total {
		p.last = now
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %s ", p.label, strings.Repeat("#", n), strings.Repeat(".", width-n),
			frac*100, time.Since(p.start).Round(time.Second))
		p.drawn = true
	}
}

// done ends the bar's line.
func (p *progressBar) done() {
	if p.tty && p.drawn {
		fmt.Fprintf(p.w, " done in %s\n", time.Since(p.start).Round(time.Millisecond))
	}
}

// stepProgress shows one progress bar per step of an import or export.
func stepProgress(w io.Writer) func(step string, done, total int64) {
	var bar *progressBar
	current := ""
	return func(step string, done, total int64) {
		if bar == nil || step != current {
			if bar != nil {
				bar.done()
			}
			bar, current = newProgressBar(w, step), step
		}
		bar.set(done, total)
	}
}
