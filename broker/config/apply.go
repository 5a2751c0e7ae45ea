package config

import (
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"
)

// WarningKind classifies a Warning so callers can act on some of them
// (tests, for instance, insist on no UnknownKey for Java's own files).
type WarningKind int

const (
	// UnknownKey: no Java config class has a setter for the key. Java
	// ignores such keys silently.
	UnknownKey WarningKind = iota + 1
	// BadValue: the value does not parse as the field's type. Java's
	// properties2Object swallows the parse error and keeps the previous
	// value; so does Apply.
	BadValue
	// Reinterpreted: the value was read differently from what Java 4.9.7
	// would do with the same text (surrounding blanks, non-ASCII bytes),
	// or is set to something Java itself rewrites.
	Reinterpreted
	// Ignored: a key rocketgo understands but does not act on.
	Ignored
)

func (k WarningKind) String() string {
	switch k {
	case UnknownKey:
		return "unknown key"
	case BadValue:
		return "bad value"
	case Reinterpreted:
		return "reinterpreted"
	case Ignored:
		return "ignored"
	}
	return "warning(" + strconv.Itoa(int(k)) + ")"
}

// Warning is something about the configuration an operator should see but
// that does not stop the broker (Java would have started too).
type Warning struct {
	Kind    WarningKind
	Key     string
	Value   string
	Message string
}

func (w Warning) String() string {
	if w.Key == "" {
		return w.Message
	}
	return fmt.Sprintf("%s=%q: %s", w.Key, w.Value, w.Message)
}

// LogWarnings logs each warning with key and value as fields.
func LogWarnings(log logrus.FieldLogger, ws []Warning) {
	for _, w := range ws {
		e := log.WithField("kind", w.Kind.String())
		if w.Key != "" {
			e = e.WithField("key", w.Key).WithField("value", w.Value)
		}
		e.Warn(w.Message)
	}
}

// field is one Java field: where it lives in Config, the name -p prints,
// and the property key its setter answers to.
type field struct {
	class     string // Java class, for messages
	name      string // Java field name
	key       string // property key (Java setter name minus "set", first letter lowered)
	important bool
	index     []int // reflect index path from Config
}

// fields lists every Java field in print order: BrokerConfig,
// NettyServerConfig, NettyClientConfig, MessageStoreConfig, each in
// declaration order. It is computed from the struct tags and never
// modified.
var fields = buildFields()

func buildFields() []field {
	t := reflect.TypeOf(Config{})
	var out []field
	for gi := 0; gi < t.NumField(); gi++ {
		g := t.Field(gi)
		for fi := 0; fi < g.Type.NumField(); fi++ {
			f := g.Type.Field(fi)
			tag, ok := f.Tag.Lookup("java")
			if !ok {
				continue
			}
			parts := strings.Split(tag, ",")
			fd := field{class: g.Type.Name(), name: parts[0], key: parts[0], index: []int{gi, fi}}
			for _, opt := range parts[1:] {
				switch {
				case opt == "important":
					fd.important = true
				case strings.HasPrefix(opt, "key="):
					fd.key = strings.TrimPrefix(opt, "key=")
				}
			}
			out = append(out, fd)
		}
	}
	return out
}

// fieldsByKey maps a property key to every field whose setter takes it
// (writeBufferHighWaterMark sets both Netty classes, as in Java).
func fieldsByKey() map[string][]field {
	m := make(map[string][]field, len(fields))
	for _, f := range fields {
		m[f.key] = append(m[f.key], f)
	}
	return m
}

// Keys returns every property key broker.conf may contain, in print order.
func Keys() []string {
	seen := map[string]bool{}
	var keys []string
	for _, f := range fields {
		if !seen[f.key] {
			seen[f.key] = true
			keys = append(keys, f.key)
		}
	}
	return keys
}

// extraKeys are keys BrokerStartup reads from broker.conf itself (into
// system properties for the address-server lookup) rather than through a
// config class.
var extraKeys = map[string]string{
	"rmqAddressServerDomain":   "address-server domain (only used with fetchNamesrvAddrByAddressServer)",
	"rmqAddressServerSubGroup": "address-server sub group (only used with fetchNamesrvAddrByAddressServer)",
}

// Apply sets every key of props that a Java config class has a setter for,
// as MixAll.properties2Object does for each class in turn. Keys are
// case-sensitive: Java derives them from setter names with the first
// letter lowered, so "BrokerName" is not "brokerName".
//
// Values are handled like this:
//   - int, long, boolean and enum values are trimmed before parsing. Java
//     does not trim, so "listenPort=10911 " is silently ignored by Java and
//     "autoCreateTopicEnable=true " reads as false; rocketgo takes what the
//     operator evidently meant and returns a Reinterpreted warning saying
//     what Java would have done.
//   - string values are kept byte for byte, surrounding blanks included,
//     because paths and names must be exactly what the Java broker used
//     (storePathRootDir with a trailing blank is a different directory);
//     trailing blanks get a Reinterpreted warning.
//   - a value that does not parse (int out of 32-bit range, unknown enum
//     constant) leaves the field unchanged, as in Java, with a BadValue
//     warning naming key and value. Booleans never fail in Java: anything
//     but "true" (any case) is false; a value that is neither true nor
//     false is taken as false with a BadValue warning.
//
// Unknown keys return UnknownKey warnings. Warnings come back sorted by key.
func (c *Config) Apply(props map[string]string) []Warning {
	byKey := fieldsByKey()
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	root := reflect.ValueOf(c).Elem()
	var ws []Warning
	for _, k := range keys {
		v := props[k]
		fs, ok := byKey[k]
		if !ok {
			ws = append(ws, unknownKeyWarning(k, v, byKey))
			continue
		}
		for i, f := range fs {
			w := setField(root.FieldByIndex(f.index), f, v)
			if i == 0 { // one warning per key, even when it sets two fields
				ws = append(ws, w...)
			}
		}
		ws = append(ws, keyNotes(c, k, v)...)
	}
	if hv, ok := props["haListenPort"]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(hv)); err == nil && n != c.NettyServer.ListenPort+1 {
			ws = append(ws, Warning{Reinterpreted, "haListenPort", hv,
				fmt.Sprintf("BrokerStartup always sets haListenPort to listenPort+1 (%d); the configured value is ignored",
					c.NettyServer.ListenPort+1)})
		}
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Key < ws[j].Key })
	return ws
}

func unknownKeyWarning(k, v string, byKey map[string][]field) Warning {
	if note, ok := extraKeys[k]; ok {
		return Warning{Ignored, k, v, "read by Java's BrokerStartup as the " + note + "; rocketgo does not use it"}
	}
	msg := "unknown key, ignored as Java ignores it"
	for known := range byKey {
		if strings.EqualFold(known, k) {
			msg += fmt.Sprintf(" (keys are case-sensitive: did you mean %s?)", known)
			break
		}
	}
	if strings.HasPrefix(k, "\u00ef\u00bb\u00bf") {
		msg += " (the file starts with a UTF-8 byte order mark, which Java reads as part of the first key)"
	}
	return Warning{UnknownKey, k, v, msg}
}

// keyNotes adds warnings for keys rocketgo accepts but does not act on.
func keyNotes(c *Config, k, v string) []Warning {
	switch k {
	case "messageStorePlugIn":
		if c.Broker.MessageStorePlugIn != "" {
			return []Warning{{Ignored, k, v, "message store plug-ins are Java classes; rocketgo ignores them"}}
		}
	case "transientStorePoolEnable":
		if c.Store.TransientStorePoolEnable {
			return []Warning{{Ignored, k, v, "rocketgo writes through the mapped commitlog file; the transient store pool is not used"}}
		}
	case "storePathRootDir", "storePathCommitLog":
		if strings.HasPrefix(v, "~") {
			return []Warning{{Reinterpreted, k, v, `"~" is not expanded (Java does not expand it either): this is a directory named "~" relative to the working directory`}}
		}
	case "namesrvAddr":
		if v == "" {
			return []Warning{{Reinterpreted, k, v, "empty namesrvAddr is taken as unset (Java 4.9.7 refuses to start with it)"}}
		}
	}
	return nil
}

// setField parses v for one field. It returns warnings, never an error:
// Java never fails on a value either.
func setField(dst reflect.Value, f field, v string) []Warning {
	t := strings.TrimSpace(v)
	trimmed := t != v
	switch dst.Kind() {
	case reflect.Int, reflect.Int64:
		bits, java := 32, "an int"
		if dst.Kind() == reflect.Int64 {
			bits, java = 64, "a long"
		}
		n, err := strconv.ParseInt(t, 10, bits)
		if err != nil {
			return []Warning{{BadValue, f.key, v, fmt.Sprintf("not %s; keeping %v (Java ignores it too)", java, dst.Interface())}}
		}
		dst.SetInt(n)
		if trimmed {
			return []Warning{{Reinterpreted, f.key, v, fmt.Sprintf("surrounding blanks removed, using %d (Java 4.9.7 would ignore this value)", n)}}
		}
	case reflect.Bool:
		b := strings.EqualFold(t, "true")
		dst.SetBool(b)
		switch {
		case !b && !strings.EqualFold(t, "false"):
			return []Warning{{BadValue, f.key, v, "neither true nor false; taken as false, as Java does"}}
		case trimmed && b:
			return []Warning{{Reinterpreted, f.key, v, "surrounding blanks removed, using true (Java 4.9.7 reads this value as false)"}}
		}
	case reflect.String:
		switch dst.Type() {
		case reflect.TypeOf(BrokerRole("")):
			if !BrokerRole(t).valid() {
				return []Warning{{BadValue, f.key, v, fmt.Sprintf("not one of ASYNC_MASTER, SYNC_MASTER, SLAVE; keeping %s (Java ignores it too)", dst.String())}}
			}
		case reflect.TypeOf(FlushDiskType("")):
			if !FlushDiskType(t).valid() {
				return []Warning{{BadValue, f.key, v, fmt.Sprintf("not one of ASYNC_FLUSH, SYNC_FLUSH; keeping %s (Java ignores it too)", dst.String())}}
			}
		default:
			dst.SetString(v)
			if strings.TrimRight(v, " \t\f\r\n") != v {
				return []Warning{{Reinterpreted, f.key, v, "value ends in blanks, which are kept as Java keeps them"}}
			}
			return nil
		}
		dst.SetString(t)
		if trimmed {
			return []Warning{{Reinterpreted, f.key, v, fmt.Sprintf("surrounding blanks removed, using %s (Java 4.9.7 would ignore this value)", t)}}
		}
	}
	return nil
}

// Print writes every field as key=value lines in the order of Java's
// `mqbroker -p` (MixAll.printObjectProperties over BrokerConfig,
// NettyServerConfig, NettyClientConfig, MessageStoreConfig). Java prints
// them through its console logger, so each Java line carries a
// "<date> INFO main - " prefix; strip it to diff the two. Unset strings
// print as empty, as Java prints null.
func (c *Config) Print(w io.Writer) error { return c.print(w, false) }

// PrintImportant writes the @ImportantField subset, like `mqbroker -m`.
func (c *Config) PrintImportant(w io.Writer) error { return c.print(w, true) }

func (c *Config) print(w io.Writer, onlyImportant bool) error {
	root := reflect.ValueOf(c).Elem()
	var b strings.Builder
	for _, f := range fields {
		if onlyImportant && !f.important {
			continue
		}
		b.WriteString(f.name)
		b.WriteByte('=')
		b.WriteString(formatValue(root.FieldByIndex(f.index)))
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("print broker config: %w", err)
	}
	return nil
}

// Properties returns the effective configuration keyed by property key, in
// the form Apply accepts (MixAll.object2Properties). Empty strings are left
// out as Java leaves out null fields: here "" is how an unset
// namesrvAddr, storePathCommitLog or haMasterAddress is represented.
func (c *Config) Properties() map[string]string {
	root := reflect.ValueOf(c).Elem()
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		if _, dup := m[f.key]; dup {
			continue
		}
		if v := formatValue(root.FieldByIndex(f.index)); v != "" {
			m[f.key] = v
		}
	}
	return m
}

func formatValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	default:
		return v.String()
	}
}
