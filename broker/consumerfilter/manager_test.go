package consumerfilter

import (
	"errors"
	"io"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/filter/sql92"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/sirupsen/logrus"
)

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

func sqlSub(expr string, version int64) *body.SubscriptionData {
	return &body.SubscriptionData{Topic: "T", SubString: expr, ExpressionType: body.ExpressionSQL92, SubVersion: version}
}

func matches(d *Data, a string) bool {
	return d != nil && d.Expr.Evaluate(sql92.Map{"a": a})
}

// TestResolveFollowsSubscriptions: the registration rules of Java's
// FilterDataMapByTopic.register, driven by the subscriptions a group's
// heartbeats leave in the consumer table.
func TestResolveFollowsSubscriptions(t *testing.T) {
	m := New(Config{Logger: quiet()})

	s1 := sqlSub("a > 5", 1)
	d1 := m.Resolve("G", s1)
	if d1 == nil || d1.Expression != "a > 5" || d1.ClientVersion != 1 || d1.Group != "G" || d1.Topic != "T" || !matches(d1, "7") {
		t.Fatalf("first subscription: %+v", d1)
	}
	if m.Resolve("G", s1) != d1 {
		t.Fatal("the same subscription resolved to new data")
	}
	if m.Get("T", "G") != d1 || m.Get("T", "other") != nil || m.Get("U", "G") != nil {
		t.Fatal("Get does not return what Resolve registered")
	}

	// Same expression, newer version: the version moves, the compiled
	// expression is kept, the data handed out before is not modified.
	d2 := m.Resolve("G", sqlSub("a > 5", 2))
	if d2.ClientVersion != 2 || d2.Expr != d1.Expr || d1.ClientVersion != 1 {
		t.Fatalf("newer version of the same expression: %+v (old %+v)", d2, d1)
	}
	// Older or equal versions never replace it.
	for _, v := range []int64{1, 2} {
		if d := m.Resolve("G", sqlSub("a < 5", v)); d != d2 {
			t.Fatalf("version %d replaced the filter: %+v", v, d)
		}
	}
	// A newer, different expression is compiled.
	d3 := m.Resolve("G", sqlSub("a < 5", 3))
	if d3 == nil || d3.Expression != "a < 5" || !matches(d3, "1") || matches(d3, "7") {
		t.Fatalf("changed expression: %+v", d3)
	}
	// A newer one that does not compile removes the data (Java: "let the
	// client report the error"); a later good one brings it back.
	if d := m.Resolve("G", sqlSub("a <", 4)); d != nil || m.Get("T", "G") != nil {
		t.Fatalf("bad expression kept data: %+v", d)
	}
	if d := m.Resolve("G", sqlSub("a = 1", 5)); !matches(d, "1") {
		t.Fatalf("good expression after a bad one: %+v", d)
	}

	// Types other than SQL92 have no filter.
	for _, typ := range []string{"FOO", "sql92", ""} {
		s := &body.SubscriptionData{Topic: "T2", SubString: "a > 1", ExpressionType: typ, SubVersion: 1}
		if d := m.Resolve("G", s); d != nil {
			t.Errorf("type %q compiled: %+v", typ, d)
		}
	}
	if _, err := m.Compile("FOO", "a > 1"); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("Compile FOO: %v", err)
	}
	var se *sql92.SyntaxError
	if _, err := m.Compile(body.ExpressionSQL92, "a >"); !errors.As(err, &se) {
		t.Errorf("Compile of a bad expression: %v", err)
	}
}

// TestSweep: data of a (group, topic) that is no longer subscribed stays
// usable (retried messages need it) until it has been dead for
// CleanAfter; a new subscription revives it.
func TestSweep(t *testing.T) {
	now := time.Unix(1000, 0)
	m := New(Config{Logger: quiet(), CleanAfter: time.Minute, Now: func() time.Time { return now }})
	s := sqlSub("a > 5", 1)
	m.Resolve("G", s)
	m.Resolve("H", s)
	alive := map[string]bool{"G": true, "H": false}
	subscribed := func(group, topic string) bool { return topic == "T" && alive[group] }

	m.Sweep(subscribed)
	now = now.Add(59 * time.Second)
	m.Sweep(subscribed)
	if m.Get("T", "H") == nil || m.Len() != 2 {
		t.Fatal("dead data dropped before CleanAfter")
	}
	// Resolving revives it: the clock starts again.
	m.Resolve("H", s)
	now = now.Add(time.Minute)
	m.Sweep(subscribed)
	if m.Get("T", "H") == nil {
		t.Fatal("revived data dropped")
	}
	now = now.Add(time.Minute)
	m.Sweep(subscribed)
	if m.Get("T", "H") != nil || m.Get("T", "G") == nil || m.Len() != 1 {
		t.Fatalf("after CleanAfter: H %v G %v len %d", m.Get("T", "H"), m.Get("T", "G"), m.Len())
	}
}

// TestResolveConcurrent: pulls of many groups resolve at once while
// subscriptions change and the sweep runs (run with -race).
func TestResolveConcurrent(t *testing.T) {
	m := New(Config{Logger: quiet()})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			group := "G" + strconv.Itoa(g%3)
			for v := int64(1); v <= 200; v++ {
				s := sqlSub("a > "+strconv.FormatInt(v%5, 10), v)
				if d := m.Resolve(group, s); d == nil || d.Expr == nil {
					t.Error("valid subscription without data")
					return
				}
				if v%50 == 0 {
					m.Sweep(func(string, string) bool { return true })
				}
			}
		}(g)
	}
	wg.Wait()
}

func BenchmarkResolveSame(b *testing.B) {
	m := New(Config{Logger: quiet()})
	s := sqlSub("a > 5 AND b = 'x'", 1)
	b.ReportAllocs()
	for b.Loop() {
		if m.Resolve("G", s) == nil {
			b.Fatal("nil")
		}
	}
}
