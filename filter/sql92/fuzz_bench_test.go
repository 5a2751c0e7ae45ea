package sql92

import "testing"

// FuzzParse: Parse never panics, and whatever parses renders to a
// canonical form that parses back to itself and evaluates the same on a
// few property sets. The kept corpus is testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	sets := evalSets()
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) error %T", s, err)
			}
			return
		}
		checkRoundTrip(t, s, sets)
		for _, m := range sets {
			_ = e.Evaluate(m)
			_ = e.EvaluateProperties(props("a", m["a"], "b", m["b"], "c", m["c"]))
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("a > 5 AND b = 'x'"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCacheParse(b *testing.B) {
	c := NewCache(100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Parse("a > 5 AND b = 'x'"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateProperties: the per-message cost of a SQL92 pull, on
// the properties a Go client's message with two user properties carries.
func BenchmarkEvaluateProperties(b *testing.B) {
	e := mustParse(b, "a > 5 AND b = 'x'")
	raw := props("a", "7", "b", "x", "UNIQ_KEY", "7F0000010001B4AAC6DC1A2B3C4D0001", "WAIT", "true", "TAGS", "TagA")
	b.ReportAllocs()
	for b.Loop() {
		if !e.EvaluateProperties(raw) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkEvaluateMap(b *testing.B) {
	e := mustParse(b, "a > 5 AND b = 'x'")
	var l Lookup = Map{"a": "7", "b": "x", "UNIQ_KEY": "7F0000010001B4AAC6DC1A2B3C4D0001"}
	b.ReportAllocs()
	for b.Loop() {
		if !e.Evaluate(l) {
			b.Fatal("no match")
		}
	}
}
