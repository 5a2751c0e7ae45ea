package hist

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// within reports whether got is the reference value to the histogram's
// precision: same bucket, i.e. at most lo/SubBuckets above it.
func within(got, want int64) bool {
	if got < want {
		return false
	}
	return got-want <= want/SubBuckets
}

func TestIndexBoundsRoundTrip(t *testing.T) {
	prevHi := int64(-1)
	for i := 0; i < NumBuckets; i++ {
		lo, hi := Bounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevHi)
		}
		if Index(lo) != i || Index(hi) != i {
			t.Fatalf("bucket %d [%d,%d]: Index(lo)=%d Index(hi)=%d", i, lo, hi, Index(lo), Index(hi))
		}
		if lo >= 2*SubBuckets && hi-lo+1 > lo/SubBuckets {
			t.Fatalf("bucket %d [%d,%d] wider than lo/%d", i, lo, hi, SubBuckets)
		}
		prevHi = hi
	}
	if prevHi != MaxValue {
		t.Fatalf("last bucket ends at %d, want MaxValue %d", prevHi, MaxValue)
	}
	if Index(-5) != 0 || Index(math.MaxInt64) != NumBuckets-1 {
		t.Fatalf("out of range values not clamped: %d %d", Index(-5), Index(math.MaxInt64))
	}
}

func TestQuantilesMatchSortedReference(t *testing.T) {
	dists := []struct {
		name string
		gen  func(r *rand.Rand) int64
	}{
		{"uniform small", func(r *rand.Rand) int64 { return r.Int64N(300) }},
		{"uniform wide", func(r *rand.Rand) int64 { return r.Int64N(5_000_000) }},
		{"exponential", func(r *rand.Rand) int64 { return int64(r.ExpFloat64() * 800) }},
		{"long tail", func(r *rand.Rand) int64 {
			if r.IntN(1000) == 0 {
				return 1_000_000 + r.Int64N(30_000_000)
			}
			return 100 + r.Int64N(900)
		}},
		{"constant", func(*rand.Rand) int64 { return 4242 }},
	}
	qs := []float64{0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1}
	for _, d := range dists {
		t.Run(d.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			h := New()
			ref := make([]int64, 0, 100_000)
			for range 100_000 {
				v := d.gen(r)
				h.Record(v)
				ref = append(ref, v)
			}
			slices.Sort(ref)
			if h.Count() != int64(len(ref)) {
				t.Fatalf("count %d, want %d", h.Count(), len(ref))
			}
			if h.Min() != ref[0] || h.Max() != ref[len(ref)-1] {
				t.Fatalf("min/max %d/%d, want %d/%d", h.Min(), h.Max(), ref[0], ref[len(ref)-1])
			}
			var sum float64
			for _, v := range ref {
				sum += float64(v)
			}
			if mean := sum / float64(len(ref)); math.Abs(h.Mean()-mean) > 1e-6*mean+1e-9 {
				t.Fatalf("mean %f, want %f", h.Mean(), mean)
			}
			for _, q := range qs {
				rank := int(math.Ceil(q * float64(len(ref))))
				want := ref[max(rank, 1)-1]
				if got := h.Quantile(q); !within(got, want) {
					t.Errorf("q%v = %d, reference %d (outside bucket precision)", q, got, want)
				}
			}
		})
	}
}

func TestEmptyAndClamped(t *testing.T) {
	h := New()
	if h.Quantile(0.5) != 0 || h.Min() != 0 || h.Max() != 0 || h.Mean() != 0 {
		t.Fatal("empty histogram must read zeros")
	}
	h.Record(-7)
	h.Record(MaxValue + 1000)
	if h.Min() != 0 || h.Max() != MaxValue {
		t.Fatalf("clamping: min %d max %d", h.Min(), h.Max())
	}
	if got := h.Quantile(1); got != MaxValue {
		t.Fatalf("q1 = %d, want %d", got, MaxValue)
	}
}

func TestMergeEqualsRecordingEverything(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	all := New()
	parts := []*Histogram{New(), New(), New(), New()}
	for i := range 50_000 {
		v := int64(r.ExpFloat64() * 2000)
		all.Record(v)
		parts[i%len(parts)].Record(v)
	}
	merged := New()
	for _, p := range parts {
		merged.Merge(p)
	}
	merged.Merge(New()) // an empty one changes nothing
	if merged.Count() != all.Count() || merged.Min() != all.Min() || merged.Max() != all.Max() || merged.Mean() != all.Mean() {
		t.Fatalf("merged count/min/max/mean %d/%d/%d/%f, want %d/%d/%d/%f", merged.Count(), merged.Min(), merged.Max(),
			merged.Mean(), all.Count(), all.Min(), all.Max(), all.Mean())
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		if merged.Quantile(q) != all.Quantile(q) {
			t.Errorf("q%v merged %d, direct %d", q, merged.Quantile(q), all.Quantile(q))
		}
	}
}

func TestRecorderConcurrentSnapshotsAndSub(t *testing.T) {
	rec := NewRecorder()
	const writers, each = 4, 20_000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec.Record(int64(w*each + i))
			}
		}()
	}
	// Snapshots while writing: counts never go backwards.
	prev := New()
	for range 20 {
		s := New()
		rec.Snapshot(s)
		if s.Count() < prev.Count() {
			t.Fatalf("snapshot count went back from %d to %d", prev.Count(), s.Count())
		}
		d := s.Sub(prev)
		if d.Count() != s.Count()-prev.Count() {
			t.Fatalf("interval count %d, want %d", d.Count(), s.Count()-prev.Count())
		}
		prev = s
	}
	wg.Wait()
	final := New()
	rec.Snapshot(final)
	if final.Count() != writers*each || final.Min() != 0 || final.Max() != writers*each-1 {
		t.Fatalf("final count/min/max %d/%d/%d", final.Count(), final.Min(), final.Max())
	}
	want := int64(writers*each) * int64(writers*each-1) / 2
	if final.Mean() != float64(want)/float64(writers*each) {
		t.Fatalf("mean %f, want %f", final.Mean(), float64(want)/float64(writers*each))
	}

	// An interval after more samples holds exactly the new ones.
	for range 1000 {
		rec.Record(5_000_000)
	}
	later := New()
	rec.Snapshot(later)
	d := later.Sub(final)
	lo, _ := Bounds(Index(5_000_000))
	if d.Count() != 1000 || !within(d.Quantile(0.5), 5_000_000) || d.Max() != 5_000_000 || d.Min() != lo {
		t.Fatalf("interval: count %d p50 %d min %d max %d", d.Count(), d.Quantile(0.5), d.Min(), d.Max())
	}
	if d.Mean() != 5_000_000 {
		t.Fatalf("interval mean %f", d.Mean())
	}
	// AddTo merges without replacing.
	sum := New()
	rec.AddTo(sum)
	rec.AddTo(sum)
	if sum.Count() != 2*later.Count() || sum.Max() != later.Max() {
		t.Fatalf("AddTo twice: count %d max %d", sum.Count(), sum.Max())
	}
}

func BenchmarkRecorderRecord(b *testing.B) {
	rec := NewRecorder()
	b.RunParallel(func(pb *testing.PB) {
		v := int64(0)
		for pb.Next() {
			v = (v + 997) % 100_000
			rec.Record(v)
		}
	})
}
