package exchange

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDXFExport writes a 146,000-feature layer (the size of the
// layer whose DXF export once took the server to 1.1 GB) with the Go
// writer and, for comparison, the old way: GeoJSON → ogr2ogr -f DXF and a
// pass that closes the polylines. It reports the peak Go heap above the
// input, the largest child process (ogr2ogr) and the bytes written.
// Run with: go test -run '^$' -bench DXFExport -benchtime 1x ./internal/exchange/
func BenchmarkDXFExport(b *testing.B) {
	l := parcelLayer(146_000)
	for _, path := range []string{"go", "ogr2ogr"} {
		b.Run(path, func(b *testing.B) {
			if path == "ogr2ogr" {
				requireGDAL(b)
			}
			j, err := newExportJob([]ExportLayer{l}, ExportOptions{Format: FormatDXF})
			if err != nil {
				b.Fatal(err)
			}
			var size int64
			peak := heapPeak(func() {
				for i := 0; i < b.N; i++ {
					dir := b.TempDir()
					out := filepath.Join(dir, "out.dxf")
					if path == "go" {
						err = j.writeDXF(context.Background(), out, newProgress(nil))
					} else {
						j.tmp = dir
						if err = j.runGDAL(context.Background(), out, newProgress(nil)); err == nil {
							err = closeDXFPolylines(out)
						}
					}
					if err != nil {
						b.Fatal(err)
					}
					st, err := os.Stat(out)
					if err != nil {
						b.Fatal(err)
					}
					size = st.Size()
				}
			})
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(size)/(1<<20), "MB-written")
			var ru syscall.Rusage
			if path == "ogr2ogr" && syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "child-maxrss-MB")
			}
		})
	}
}

// heapPeak runs fn and returns the largest live heap seen above the heap
// before it, sampled every 5 ms (runtime/metrics does not stop the world).
func heapPeak(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > base {
					mu.Lock()
					peak = max(peak, v-base)
					mu.Unlock()
				}
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return peak
}
