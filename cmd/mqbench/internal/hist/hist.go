// Package hist is an HDR-style latency histogram for mqbench: log-linear
// buckets that keep every sample (no sampling, no reservoir), a relative
// error bounded by the bucket width, and histograms that merge by adding
// bucket counts.
//
// The layout is HdrHistogram's with a fixed precision: values below
// 2*SubBuckets each have their own bucket; above that every power of two
// is split into SubBuckets equal buckets, so a bucket is never wider than
// 1/SubBuckets of its lower bound (0.78 % with 128 sub-buckets).
//
// Two types share the layout. Histogram is a plain value for merging,
// subtracting and reading percentiles. Recorder is the concurrent side: a
// worker records into its own Recorder with atomic adds only (no lock, no
// allocation), and a reporter copies it into a Histogram whenever it wants
// a snapshot. Java's benchmark tools keep only a sum and a max; mqbench
// mirrors their output but needs percentiles, hence this package.
package hist

import (
	"math"
	"math/bits"
	"sync/atomic"
)

const (
	// SubBucketBits sets the precision: 2^SubBucketBits buckets per power
	// of two.
	SubBucketBits = 7
	// SubBuckets is the number of buckets per power of two.
	SubBuckets = 1 << SubBucketBits
	// MaxValue is the largest value tracked; larger values are recorded as
	// MaxValue. In microseconds it is about 19 hours.
	MaxValue int64 = 1<<36 - 1
	// NumBuckets is the number of buckets covering [0, MaxValue].
	NumBuckets = (36-SubBucketBits)*SubBuckets + SubBuckets
)

// Index returns the bucket of v (clamped to [0, MaxValue]).
func Index(v int64) int {
	if v < 0 {
		v = 0
	} else if v > MaxValue {
		v = MaxValue
	}
	if v < 2*SubBuckets {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - 1 - SubBucketBits
	return shift*SubBuckets + int(v>>uint(shift))
}

// Bounds returns the smallest and largest value of bucket i.
func Bounds(i int) (lo, hi int64) {
	if i < 2*SubBuckets {
		return int64(i), int64(i)
	}
	shift := i/SubBuckets - 1
	sub := int64(i - shift*SubBuckets)
	lo = sub << uint(shift)
	return lo, lo + 1<<uint(shift) - 1
}

// Histogram is a non-concurrent histogram. The zero value is not usable;
// call New.
type Histogram struct {
	counts []int64
	total  int64
	sum    int64
	min    int64 // exact when recorded directly; bucket bound after Sub
	max    int64
}

// New returns an empty histogram.
func New() *Histogram {
	return &Histogram{counts: make([]int64, NumBuckets), min: math.MaxInt64}
}

// Record adds one sample.
func (h *Histogram) Record(v int64) { h.RecordN(v, 1) }

// RecordN adds n samples of value v.
func (h *Histogram) RecordN(v, n int64) {
	if n <= 0 {
		return
	}
	v = clamp(v)
	h.counts[Index(v)] += n
	h.total += n
	h.sum += v * n
	h.min = min(h.min, v)
	h.max = max(h.max, v)
}

func clamp(v int64) int64 {
	if v < 0 {
		return 0
	}
	return min(v, MaxValue)
}

// Reset empties h.
func (h *Histogram) Reset() {
	clear(h.counts)
	h.total, h.sum, h.min, h.max = 0, 0, math.MaxInt64, 0
}

// Merge adds every sample of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.sum += o.sum
	if o.total > 0 {
		h.min = min(h.min, o.min)
		h.max = max(h.max, o.max)
	}
}

// Sub returns the samples of h that are not in earlier, an older snapshot
// of the same recorder: the histogram of one interval. Its min and max are
// bucket bounds (exact to the bucket precision), since a snapshot does not
// say which of its samples were the extremes.
func (h *Histogram) Sub(earlier *Histogram) *Histogram {
	d := New()
	for i := range h.counts {
		if c := h.counts[i] - earlier.counts[i]; c > 0 {
			d.counts[i] = c
			d.total += c
		}
	}
	d.sum = h.sum - earlier.sum
	if d.total == 0 {
		d.sum = 0
		return d
	}
	for i, c := range d.counts {
		if c > 0 {
			lo, _ := Bounds(i)
			d.min = max(lo, h.min)
			break
		}
	}
	for i := len(d.counts) - 1; i >= 0; i-- {
		if d.counts[i] > 0 {
			_, hi := Bounds(i)
			d.max = min(hi, h.max)
			break
		}
	}
	return d
}

// Count is the number of samples.
func (h *Histogram) Count() int64 { return h.total }

// Min is the smallest sample, 0 when empty.
func (h *Histogram) Min() int64 {
	if h.total == 0 {
		return 0
	}
	return h.min
}

// Max is the largest sample, 0 when empty.
func (h *Histogram) Max() int64 { return h.max }

// Mean is the average sample, 0 when empty.
func (h *Histogram) Mean() float64 {
	if h.total == 0 {
		return 0
	}
	return float64(h.sum) / float64(h.total)
}

// Quantile returns the value at quantile q (0 < q <= 1): the largest value
// of the bucket holding the ceil(q*count)-th smallest sample, clamped to
// the recorded min and max, as HdrHistogram's getValueAtPercentile does.
// It is 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) int64 {
	if h.total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.total)))
	rank = max(1, min(rank, h.total))
	var seen int64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		seen += c
		if seen >= rank {
			_, hi := Bounds(i)
			return max(h.Min(), min(hi, h.max))
		}
	}
	return h.max
}

// Recorder is the concurrent recording side: Record may be called from any
// number of goroutines without locks; Snapshot reads it at any time. A
// snapshot taken while samples are being recorded may miss the newest
// ones; it never sees a sample half recorded in a way that breaks Sub
// (counts only grow).
type Recorder struct {
	counts [NumBuckets]atomic.Int64
	total  atomic.Int64
	sum    atomic.Int64
	min    atomic.Int64 // stored +1 so that zero means unset
	max    atomic.Int64
}

// NewRecorder returns an empty recorder (about 30 KiB).
func NewRecorder() *Recorder { return new(Recorder) }

// Record adds one sample.
func (r *Recorder) Record(v int64) {
	v = clamp(v)
	r.counts[Index(v)].Add(1)
	r.sum.Add(v)
	for {
		cur := r.max.Load()
		if v <= cur || r.max.CompareAndSwap(cur, v) {
			break
		}
	}
	for {
		cur := r.min.Load()
		if (cur != 0 && v+1 >= cur) || r.min.CompareAndSwap(cur, v+1) {
			break
		}
	}
	// total last: a reader that sees it also sees the bucket (Snapshot
	// recomputes the total from the buckets anyway).
	r.total.Add(1)
}

// Snapshot copies the recorder into h, replacing h's content.
func (r *Recorder) Snapshot(h *Histogram) {
	h.Reset()
	r.AddTo(h)
}

// AddTo merges the recorder's current content into h without allocating
// (the reporter sums every worker's recorder this way each second).
func (r *Recorder) AddTo(h *Histogram) {
	var total int64
	for i := range r.counts {
		c := r.counts[i].Load()
		h.counts[i] += c
		total += c
	}
	if total == 0 {
		return
	}
	h.total += total
	h.sum += r.sum.Load()
	h.max = max(h.max, r.max.Load())
	if m := r.min.Load(); m != 0 {
		h.min = min(h.min, m-1)
	}
}
