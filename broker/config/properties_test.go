package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestParseProperties: every expectation below is what
// java.util.Properties.load (OpenJDK 17) produced for the same bytes.
func TestParseProperties(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"simple", "a=b", map[string]string{"a": "b"}, false},
		{"spaces around equals", "a = b", map[string]string{"a": "b"}, false},
		{"colon", "a:b", map[string]string{"a": "b"}, false},
		{"colon with spaces", "a : b", map[string]string{"a": "b"}, false},
		{"space separator", "a b", map[string]string{"a": "b"}, false},
		{"tab separator", "a\tb", map[string]string{"a": "b"}, false},
		{"form feed separator", "a\fb", map[string]string{"a": "b"}, false},
		{"leading blanks skipped", "  \t a=b", map[string]string{"a": "b"}, false},
		{"trailing blanks kept", "a=b  \t", map[string]string{"a": "b  \t"}, false},
		{"comments", "# comment\n  ! also a comment\na=1\n#b=2", map[string]string{"a": "1"}, false},
		{"continuation", "a=1\\\n   2", map[string]string{"a": "12"}, false},
		{"even backslashes do not continue", "a=1\\\\\nb=2", map[string]string{"a": "1\\", "b": "2"}, false},
		{"odd backslashes continue", "a=1\\\\\\\n  b", map[string]string{"a": "1\\b"}, false},
		{"escaped equals in key", "a\\=b=c", map[string]string{"a=b": "c"}, false},
		{"escaped space in key", "a\\ b=c", map[string]string{"a b": "c"}, false},
		{"escaped colon in key", "a\\:b:c", map[string]string{"a:b": "c"}, false},
		{"second equals is value", "a==b", map[string]string{"a": "=b"}, false},
		{"blank then equals", "a = = b", map[string]string{"a": "= b"}, false},
		{"key only", "a", map[string]string{"a": ""}, false},
		{"empty value", "a=", map[string]string{"a": ""}, false},
		{"empty key", "=b", map[string]string{"": "b"}, false},
		{"unicode escapes", "a=\\u0041\\u00e9\\u4e2d", map[string]string{"a": "A\u00e9\u4e2d"}, false},
		{"surrogate pair", "a=\\uD83D\\uDE00", map[string]string{"a": "\U0001F600"}, false},
		{"char escapes", "a=\\t\\n\\r\\f\\b\\q\\\\", map[string]string{"a": "\t\n\r\fbq\\"}, false},
		{"escaped backslash u", "a=\\\\u0041", map[string]string{"a": "\\u0041"}, false},
		{"crlf", "a=1\r\nb=2\r\n", map[string]string{"a": "1", "b": "2"}, false},
		{"cr only", "a=1\rb=2\r", map[string]string{"a": "1", "b": "2"}, false},
		{"crlf continuation", "a=1\\\r\n  2\r\nb=3", map[string]string{"a": "12", "b": "3"}, false},
		{"continuation then blank line", "a=1\\\n\nb=2", map[string]string{"a": "1", "b": "2"}, false},
		{"comment does not continue", "# comment \\\nb=2", map[string]string{"b": "2"}, false},
		{"hash inside continuation", "a=1\\\n#x", map[string]string{"a": "1#x"}, false},
		{"latin1 bytes", "a=\xc3\xa9", map[string]string{"a": "\u00c3\u00a9"}, false},
		{"duplicate key last wins", "a=1\na=2", map[string]string{"a": "2"}, false},
		{"backslash at eof", "a=1\\", map[string]string{"a": "1"}, false},
		{"continuation at eof", "a=b\\\n", map[string]string{"a": "b"}, false},
		{"blank lines", "\n\n   \n\t\na=1\n\n", map[string]string{"a": "1"}, false},
		{"key continuation", "a\\\n b=c", map[string]string{"ab": "c"}, false},
		{"escaped leading blank in key", "   \\ a=b", map[string]string{" a": "b"}, false},
		{"escaped leading blank in value", "a=\\  b", map[string]string{"a": "  b"}, false},
		{"broker conf style", "brokerClusterName = DefaultCluster\nbrokerName = broker-a\nbrokerId = 0\n", map[string]string{"brokerClusterName": "DefaultCluster", "brokerId": "0", "brokerName": "broker-a"}, false},
		{"bad hex digit", "a=\\u00G1", nil, true},      // Java: java.lang.IllegalArgumentException: Malformed \uxxxx encoding.
		{"short unicode escape", "a=\\u12", nil, true}, // Java: java.lang.IllegalArgumentException: Malformed \uxxxx encoding.
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseProperties(strings.NewReader(tc.in))
			if tc.wantErr {
				if !errors.Is(err, ErrMalformedUnicodeEscape) {
					t.Fatalf("ParseProperties(%q) error = %v, want ErrMalformedUnicodeEscape", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseProperties(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseProperties(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// errReader fails after its data, like a disk error mid-file.
type errReader struct{ data string }

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestParsePropertiesReadError(t *testing.T) {
	_, err := ParseProperties(&errReader{data: "a=1\nb=2"})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("error = %v, want the read error", err)
	}
}

func FuzzParseProperties(f *testing.F) {
	for _, s := range []string{"a=b", "a\\\n b", "\\u0041=\\u00e9", "# c\n!d\n k : v \\\r\n w", "a=\\u12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		props, err := ParseProperties(strings.NewReader(s))
		if err != nil {
			return
		}
		// Whatever parsed must be applicable without a panic.
		c := DefaultFor(testEnv)
		c.Apply(props)
	})
}
