package namesrv

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// Config is the NameServer configuration. The exported fields with a
// property key carry Java's NamesrvConfig and NettyServerConfig names and
// defaults (the -c properties file and UPDATE_NAMESRV_CONFIG use those
// keys); the rest are rocketgo settings that have no Java property.
type Config struct {
	// NamesrvConfig
	RocketmqHome       string // rocketmqHome: ROCKETMQ_HOME
	KvConfigPath       string // kvConfigPath: ~/namesrv/kvConfig.json
	ConfigStorePath    string // configStorePath: ~/namesrv/namesrv.properties
	ProductEnvName     string // productEnvName: "center"
	ClusterTest        bool   // clusterTest
	OrderMessageEnable bool   // orderMessageEnable: fill orderTopicConf in routes

	// NettyServerConfig (the keys that matter to rocketgo; the others are
	// accepted and reported, and have no effect).
	ListenPort                         int // listenPort: 9876
	ServerWorkerThreads                int // serverWorkerThreads: 8, the worker pool for writes
	ServerCallbackExecutorThreads      int
	ServerSelectorThreads              int // serverSelectorThreads: 3, gnet event loops
	ServerOnewaySemaphoreValue         int
	ServerAsyncSemaphoreValue          int
	ServerChannelMaxIdleTimeSeconds    int // serverChannelMaxIdleTimeSeconds: 120
	ServerSocketSndBufSize             int
	ServerSocketRcvBufSize             int
	WriteBufferHighWaterMark           int
	WriteBufferLowWaterMark            int
	ServerSocketBacklog                int
	ServerPooledByteBufAllocatorEnable bool
	UseEpollNativeSelector             bool

	// rocketgo-only settings.

	// ListenAddr, when set, is the full listen address ("127.0.0.1:0"),
	// overriding listenPort.
	ListenAddr string
	// BrokerExpiry: a broker not heard from for this long is removed
	// (Java's fixed 120 s).
	BrokerExpiry time.Duration
	// ScanInterval is the period of the expiry scan (Java: 10 s, first run
	// after 5 s).
	ScanInterval time.Duration
	// Now is the clock (tests inject a fake one).
	Now func() time.Time
	// Logger (default logrus.StandardLogger()).
	Logger logrus.FieldLogger
}

// DefaultConfig returns Java mqnamesrv's defaults.
func DefaultConfig() Config {
	home, _ := os.UserHomeDir()
	return Config{
		RocketmqHome:                       os.Getenv("ROCKETMQ_HOME"),
		KvConfigPath:                       filepath.Join(home, "namesrv", "kvConfig.json"),
		ConfigStorePath:                    filepath.Join(home, "namesrv", "namesrv.properties"),
		ProductEnvName:                     "center",
		ListenPort:                         9876,
		ServerWorkerThreads:                8,
		ServerSelectorThreads:              3,
		ServerOnewaySemaphoreValue:         256,
		ServerAsyncSemaphoreValue:          64,
		ServerChannelMaxIdleTimeSeconds:    120,
		ServerSocketBacklog:                1024,
		ServerPooledByteBufAllocatorEnable: true,
		BrokerExpiry:                       120 * time.Second,
		ScanInterval:                       10 * time.Second,
	}
}

type configKey struct {
	name string
	get  func(c *Config) string
	set  func(c *Config, v string) error
}

func strKey(name string, f func(c *Config) *string) configKey {
	return configKey{name,
		func(c *Config) string { return *f(c) },
		func(c *Config, v string) error { *f(c) = v; return nil }}
}

func intKey(name string, f func(c *Config) *int) configKey {
	return configKey{name,
		func(c *Config) string { return strconv.Itoa(*f(c)) },
		func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%s: %q is not an integer", name, v)
			}
			*f(c) = n
			return nil
		}}
}

// boolKey parses like Java's Boolean.parseBoolean: "true" in any case is
// true, anything else false.
func boolKey(name string, f func(c *Config) *bool) configKey {
	return configKey{name,
		func(c *Config) string { return strconv.FormatBool(*f(c)) },
		func(c *Config, v string) error { *f(c) = strings.EqualFold(strings.TrimSpace(v), "true"); return nil }}
}

// configKeys lists the properties in Java's declaration order
// (NamesrvConfig, then NettyServerConfig), which is the order -p prints.
var configKeys = []configKey{
	strKey("rocketmqHome", func(c *Config) *string { return &c.RocketmqHome }),
	strKey("kvConfigPath", func(c *Config) *string { return &c.KvConfigPath }),
	strKey("configStorePath", func(c *Config) *string { return &c.ConfigStorePath }),
	strKey("productEnvName", func(c *Config) *string { return &c.ProductEnvName }),
	boolKey("clusterTest", func(c *Config) *bool { return &c.ClusterTest }),
	boolKey("orderMessageEnable", func(c *Config) *bool { return &c.OrderMessageEnable }),
	intKey("listenPort", func(c *Config) *int { return &c.ListenPort }),
	intKey("serverWorkerThreads", func(c *Config) *int { return &c.ServerWorkerThreads }),
	intKey("serverCallbackExecutorThreads", func(c *Config) *int { return &c.ServerCallbackExecutorThreads }),
	intKey("serverSelectorThreads", func(c *Config) *int { return &c.ServerSelectorThreads }),
	intKey("serverOnewaySemaphoreValue", func(c *Config) *int { return &c.ServerOnewaySemaphoreValue }),
	intKey("serverAsyncSemaphoreValue", func(c *Config) *int { return &c.ServerAsyncSemaphoreValue }),
	intKey("serverChannelMaxIdleTimeSeconds", func(c *Config) *int { return &c.ServerChannelMaxIdleTimeSeconds }),
	intKey("serverSocketSndBufSize", func(c *Config) *int { return &c.ServerSocketSndBufSize }),
	intKey("serverSocketRcvBufSize", func(c *Config) *int { return &c.ServerSocketRcvBufSize }),
	intKey("writeBufferHighWaterMark", func(c *Config) *int { return &c.WriteBufferHighWaterMark }),
	intKey("writeBufferLowWaterMark", func(c *Config) *int { return &c.WriteBufferLowWaterMark }),
	intKey("serverSocketBacklog", func(c *Config) *int { return &c.ServerSocketBacklog }),
	boolKey("serverPooledByteBufAllocatorEnable", func(c *Config) *bool { return &c.ServerPooledByteBufAllocatorEnable }),
	boolKey("useEpollNativeSelector", func(c *Config) *bool { return &c.UseEpollNativeSelector }),
}

// Apply sets the known keys of props on c. Unknown keys are returned (Java
// ignores them); a value that does not parse is an error naming the key.
func (c *Config) Apply(props map[string]string) (unknown []string, err error) {
	known := make(map[string]configKey, len(configKeys))
	for _, k := range configKeys {
		known[k.name] = k
	}
	for name, v := range props {
		k, ok := known[name]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		if err := k.set(c, v); err != nil {
			return unknown, err
		}
	}
	return unknown, nil
}

// Properties returns every property as key=value lines in Java's
// declaration order.
func (c *Config) Properties() string {
	var b strings.Builder
	for _, k := range configKeys {
		b.WriteString(k.name)
		b.WriteByte('=')
		b.WriteString(k.get(c))
		b.WriteByte('\n')
	}
	return b.String()
}

// LoadPropertiesFile reads a Java properties file.
func LoadPropertiesFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseProperties(f)
}

// ParseProperties reads Java properties text: "key=value", "key: value" or
// "key value" lines, '#' and '!' comments, backslash line continuation and
// escapes (\t \n \r \f \uXXXX).
func ParseProperties(r io.Reader) (map[string]string, error) {
	props := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var logical strings.Builder
	for sc.Scan() {
		line := sc.Text()
		if logical.Len() == 0 {
			line = strings.TrimLeft(line, " \t\f")
			if line == "" || line[0] == '#' || line[0] == '!' {
				continue
			}
		} else {
			line = strings.TrimLeft(line, " \t\f")
		}
		if continues(line) {
			logical.WriteString(line[:len(line)-1])
			continue
		}
		logical.WriteString(line)
		k, v := splitProperty(logical.String())
		logical.Reset()
		props[unescapeProperty(k)] = unescapeProperty(v)
	}
	if logical.Len() > 0 {
		k, v := splitProperty(logical.String())
		props[unescapeProperty(k)] = unescapeProperty(v)
	}
	return props, sc.Err()
}

// continues reports whether line ends in an odd number of backslashes.
func continues(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func splitProperty(line string) (key, val string) {
	i := 0
	for ; i < len(line); i++ {
		c := line[i]
		if c == '\\' {
			i++
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
	}
	if i >= len(line) {
		return line, ""
	}
	key = line[:i]
	rest := line[i:]
	if rest[0] == '=' || rest[0] == ':' {
		rest = rest[1:]
	} else {
		rest = strings.TrimLeft(rest, " \t\f")
		if rest != "" && (rest[0] == '=' || rest[0] == ':') {
			rest = rest[1:]
		}
	}
	rest = strings.TrimLeft(rest, " \t\f")
	return key, rest
}

func unescapeProperty(s string) string {
	if !strings.ContainsRune(s, '\\') {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+4 < len(s) {
				if n, err := strconv.ParseUint(s[i+1:i+5], 16, 16); err == nil {
					b.WriteRune(rune(n))
					i += 4
					continue
				}
			}
			b.WriteByte('u')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
