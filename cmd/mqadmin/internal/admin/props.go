package admin

import (
	"sort"
	"strings"

	"github.com/rocketgo/rocketgo/protocol/body"
)

// Properties is a java.util.Properties read from text: the broker and
// NameServer configurations GET_BROKER_CONFIG and GET_NAMESRV_CONFIG
// return. It keeps the keys in the order Java would iterate them, so the
// listing mqadmin prints matches Java's.
type Properties struct {
	keys   []string
	values map[string]string
}

// ParseProperties reads "key=value" lines the way MixAll.string2Properties
// (Properties.load) does for the text brokers send: blank lines and lines
// starting with '#' or '!' are skipped, the key ends at the first '=' or ':'
// (or whitespace), whitespace around the separator is dropped, a later
// duplicate replaces the value.
//
// The iteration order is that of JDK 9+'s Properties, a
// ConcurrentHashMap created with capacity 8, filled in text order.
func ParseProperties(text string) *Properties {
	p := &Properties{values: map[string]string{}}
	order := body.NewStringMapOrder(8)
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimLeft(strings.TrimRight(line, "\r"), " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		end := strings.IndexAny(line, "=: \t\f")
		key, value := line, ""
		if end >= 0 {
			key = line[:end]
			rest := strings.TrimLeft(line[end:], " \t\f")
			if rest != "" && (rest[0] == '=' || rest[0] == ':') {
				rest = rest[1:]
			}
			value = strings.TrimLeft(rest, " \t\f")
		}
		p.values[key] = value
		order.Add(key)
	}
	p.keys = order.Keys()
	return p
}

// Keys returns the keys in Java's iteration order.
func (p *Properties) Keys() []string { return append([]string(nil), p.keys...) }

// Get returns the value of key.
func (p *Properties) Get(key string) (string, bool) {
	v, ok := p.values[key]
	return v, ok
}

// Len is the number of keys.
func (p *Properties) Len() int { return len(p.keys) }

// Map returns a copy of the entries.
func (p *Properties) Map() map[string]string {
	m := make(map[string]string, len(p.values))
	for k, v := range p.values {
		m[k] = v
	}
	return m
}

// FormatProperties writes props as "key=value" lines (MixAll.properties2String),
// keys sorted.
func FormatProperties(props map[string]string) string {
	var sb strings.Builder
	for _, k := range sortedKeys(props) {
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(props[k])
		sb.WriteByte('\n')
	}
	return sb.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

func sortedIDs(m map[int64]string) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
