package results_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lyceum/lyceum/results"
)

const million = 1_000_000

var millionCols = cols("id BIGINT", "name VARCHAR", "score DOUBLE", "at TIMESTAMP", "ok BOOLEAN", "note VARCHAR")

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// millionRows makes n rows of about 90 bytes of values each, made as they
// are read, like a warehouse cursor.
func millionRows(n int64) *sliceRows {
	return &sliceRows{cols: millionCols, n: n, gen: func(i int64) []any {
		var note any
		if i%10 != 0 {
			note = "a note about row " + strconv.FormatInt(i, 10) + ", with some padding text"
		}
		return []any{i, fmt.Sprintf("learner-%07d", (i*7919)%n), float64(i%1000) / 10, t0.Add(time.Duration(i) * time.Second), i%3 == 0, note}
	}}
}

// TestMillionRows writes a million rows and checks that memory stays
// bounded while it does: the Go heap by sampling it, DuckDB's by a small
// memory limit and the process's resident size.
func TestMillionRows(t *testing.T) {
	if testing.Short() {
		t.Skip("a million rows")
	}
	if raceDetector {
		// It writes from one goroutine; the race detector would only
		// multiply its memory (which it measures) and its time.
		t.Skip("memory and volume, not concurrency: make test runs it without -race (VOLUME_TESTS)")
	}
	e := open(t, results.Options{MemoryLimit: "128MB"})
	ctx := context.Background()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap, baseRSS := ms.HeapAlloc, rss()
	var peakHeap, peakRSS uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapAlloc)
				peakRSS = max(peakRSS, rss())
			}
		}
	})
	start := time.Now()
	sum := write(t, e.store, "runs/million", millionRows(million), results.Limits{})
	close(stop)
	wg.Wait()
	t.Logf("wrote %d rows, %d bytes stored, in %v; Go heap peak +%d MB, RSS peak +%d MB",
		sum.Rows, sum.Bytes, time.Since(start).Round(time.Millisecond), (peakHeap-baseHeap)>>20, (peakRSS-baseRSS)>>20)
	if sum.Rows != million || sum.Truncated {
		t.Fatalf("summary %+v", sum)
	}
	// The values alone are ~90 MB, and several times that as Go values.
	if grew := peakHeap - baseHeap; grew > 64<<20 {
		t.Errorf("Go heap grew by %d MB while writing", grew>>20)
	}
	if baseRSS > 0 && peakRSS-baseRSS > 400<<20 {
		t.Errorf("resident size grew by %d MB while writing", (peakRSS-baseRSS)>>20)
	}

	p := page(t, e.store, "runs/million", 0, 3, "", false)
	if p.Total != million || p.Rows[2][0] != int64(2) {
		t.Errorf("first page %v total %d", p.Rows, p.Total)
	}
	p = page(t, e.store, "runs/million", million-2, 100, "", false)
	if len(p.Rows) != 2 || p.Rows[1][0] != int64(million-1) || p.Rows[1][3] != t0.Add((million-1)*time.Second).Format(time.RFC3339) {
		t.Errorf("last page %v", p.Rows)
	}
	p = page(t, e.store, "runs/million", 0, 2, "name", true)
	if p.Rows[0][1] != "learner-0999999" || p.Rows[1][1] != "learner-0999998" {
		t.Errorf("sorted page %v", p.Rows)
	}
	p = page(t, e.store, "runs/million", 500_000, 3, "score", false)
	if p.Rows[0][2] != 50.0 || p.Rows[0][0] != int64(500) || p.Rows[1][0] != int64(1500) {
		t.Errorf("deep sorted page %v", p.Rows)
	}

	cw := &countWriter{}
	if err := e.store.CSV(ctx, "runs/million", cw); err != nil {
		t.Fatal(err)
	}
	if cw.lines != million+1 {
		t.Errorf("csv has %d lines", cw.lines)
	}
}

type countWriter struct{ n, lines int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	for _, b := range p {
		if b == '\n' {
			c.lines++
		}
	}
	return len(p), nil
}

// rss is the process's resident size, or 0 where /proc is not.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
