package config

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Load reads broker.conf the way BrokerStartup.createBrokerController does,
// with this host's defaults. See LoadWith.
func Load(path string, overrides map[string]string) (Config, []Warning, error) {
	return LoadWith(SystemEnv(), path, overrides)
}

// LoadWith builds the broker configuration in BrokerStartup's order:
// defaults for env (listenPort 10911), then the properties file at path
// (skipped when path is ""), then overrides (Java's command-line options,
// e.g. {"namesrvAddr": ...} for -n; Java applies those to BrokerConfig only,
// here they may name any key), then Validate.
//
// Warnings are for the caller to log (LogWarnings); an error means Java
// would not have started either, or the file asks for something rocketgo
// does not do (DLedger).
func LoadWith(env Env, path string, overrides map[string]string) (Config, []Warning, error) {
	c := DefaultFor(env)
	var ws []Warning
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, nil, fmt.Errorf("load broker config: %w", err)
		}
		props, err := ParseProperties(bytes.NewReader(data))
		if err != nil {
			return c, nil, fmt.Errorf("load broker config %s: %w", path, err)
		}
		if i := firstNonASCII(data); i >= 0 {
			ws = append(ws, Warning{Kind: Reinterpreted, Message: fmt.Sprintf(
				"%s contains non-ASCII bytes (first at offset %d): read as ISO-8859-1, one character per byte, as Java does; use \\uXXXX escapes for other characters",
				path, i)})
		}
		ws = append(ws, c.Apply(props)...)
	}
	if len(overrides) > 0 {
		ws = append(ws, c.Apply(overrides)...)
	}
	vws, err := c.Validate()
	ws = append(ws, vws...)
	if err != nil {
		if path != "" {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return c, ws, err
	}
	return c, ws, nil
}

func firstNonASCII(data []byte) int {
	for i, b := range data {
		if b >= 0x80 {
			return i
		}
	}
	return -1
}

// ErrUnsupported marks settings rocketgo refuses because it does not
// implement them.
var ErrUnsupported = errors.New("not supported by rocketgo")

// Validate applies the rules BrokerStartup enforces after loading the
// configuration, changing c where Java changes it:
//
//   - namesrvAddr must be "host:port" entries separated by ';' (Java exits);
//   - a master (ASYNC_MASTER, SYNC_MASTER) gets brokerId 0 whatever the
//     file says; a SLAVE needs brokerId > 0 (Java exits with "Slave's
//     brokerId must be > 0");
//   - haListenPort becomes listenPort+1;
//   - messageDelayLevel must parse, or Java's ScheduleMessageService fails
//     to load and the broker does not start;
//   - enableDLegerCommitLog=true is refused: rocketgo has no Raft commitlog.
//
// It is idempotent; Load calls it, callers that build a Config by hand
// should too.
func (c *Config) Validate() ([]Warning, error) {
	var ws []Warning
	if err := checkNamesrvAddr(c.Broker.NamesrvAddr); err != nil {
		return ws, err
	}
	if c.Store.EnableDLegerCommitLog {
		return ws, fmt.Errorf("enableDLegerCommitLog=true: the DLedger commitlog is %w", ErrUnsupported)
	}
	switch c.Store.BrokerRole {
	case AsyncMaster, SyncMaster:
		if c.Broker.BrokerID != MasterID {
			ws = append(ws, Warning{Reinterpreted, "brokerId", strconv.FormatInt(c.Broker.BrokerID, 10),
				fmt.Sprintf("brokerRole is %s, so brokerId is set to 0 as BrokerStartup does", c.Store.BrokerRole)})
			c.Broker.BrokerID = MasterID
		}
	case Slave:
		if c.Broker.BrokerID <= 0 {
			return ws, fmt.Errorf("brokerRole=SLAVE with brokerId=%d: Slave's brokerId must be > 0", c.Broker.BrokerID)
		}
	default:
		return ws, fmt.Errorf("brokerRole=%q: not one of ASYNC_MASTER, SYNC_MASTER, SLAVE", c.Store.BrokerRole)
	}
	if !c.Store.FlushDiskType.valid() {
		return ws, fmt.Errorf("flushDiskType=%q: not one of ASYNC_FLUSH, SYNC_FLUSH", c.Store.FlushDiskType)
	}
	if p := c.NettyServer.ListenPort; p < 0 || p > math.MaxUint16-1 {
		return ws, fmt.Errorf("listenPort=%d: out of range (the HA port listenPort+1 must be a valid port too)", p)
	}
	c.Store.HaListenPort = c.NettyServer.ListenPort + 1
	if _, err := c.DelayLevels(); err != nil {
		return ws, err
	}
	return ws, nil
}

// checkNamesrvAddr mirrors BrokerStartup's check: every ';'-separated
// entry (trailing empty ones dropped, as String.split does) must have a
// ':' followed by a port number.
func checkNamesrvAddr(list string) error {
	if list == "" {
		return nil
	}
	parts := strings.Split(list, ";")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	for _, addr := range parts {
		i := strings.LastIndexByte(addr, ':')
		if i < 0 {
			return namesrvAddrError(list)
		}
		port, err := strconv.ParseInt(addr[i+1:], 10, 32)
		if err != nil || port < 0 || port > math.MaxUint16 {
			return namesrvAddrError(list)
		}
	}
	return nil
}

func namesrvAddrError(list string) error {
	return fmt.Errorf(`the Name Server Address[%s] illegal, please set it as follows, "127.0.0.1:9876;192.168.0.1:9876"`, list)
}

// NamesrvAddrs returns the NameServer addresses, split on ';' with empty
// entries dropped.
func (c *Config) NamesrvAddrs() []string {
	var out []string
	for _, a := range strings.Split(c.Broker.NamesrvAddr, ";") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// BrokerAddr is the address registered with the NameServer and given to
// clients: brokerIP1:listenPort (BrokerController.getBrokerAddr).
func (c *Config) BrokerAddr() string {
	return joinHostPort(c.Broker.BrokerIP1, c.NettyServer.ListenPort)
}

// HAListenPort is the port slaves connect to: listenPort+1, which
// BrokerStartup always uses whatever haListenPort says.
func (c *Config) HAListenPort() int { return c.NettyServer.ListenPort + 1 }

// HAServerAddr is the HA address a master reports to the NameServer:
// brokerIP2:haListenPort (BrokerController.getHAServerAddr).
func (c *Config) HAServerAddr() string {
	return joinHostPort(c.Broker.BrokerIP2, c.HAListenPort())
}

// VIPListenPort is the second client port Java opens ("VIP channel"),
// listenPort-2, which clients with vipChannelEnabled send to.
func (c *Config) VIPListenPort() int { return c.NettyServer.ListenPort - 2 }

// joinHostPort concatenates like Java does: an IPv6 brokerIP is already in
// brackets (RemotingUtil.normalizeHostAddress), so no net.JoinHostPort.
func joinHostPort(host string, port int) string {
	return host + ":" + strconv.Itoa(port)
}

// StorePathCommitLog is the commitlog directory:
// storePathCommitLog, or <storePathRootDir>/commitlog when it is unset
// (MessageStoreConfig.getStorePathCommitLog).
func (c *Config) StorePathCommitLog() string {
	if c.Store.StorePathCommitLog != "" {
		return c.Store.StorePathCommitLog
	}
	return c.Store.StorePathRootDir + string(filepath.Separator) + "commitlog"
}

// MappedFileSizeConsumeQueue is the consumequeue file size in use: the
// configured size rounded up to whole 20-byte units
// (MessageStoreConfig.getMappedFileSizeConsumeQueue).
func (c *Config) MappedFileSizeConsumeQueue() int {
	n := c.Store.MappedFileSizeConsumeQueue
	units := n / ConsumeQueueUnitSize
	if n%ConsumeQueueUnitSize > 0 {
		units++
	}
	return units * ConsumeQueueUnitSize
}

// DiskMaxUsedSpaceRatio is the configured ratio clamped to [10, 95], as
// MessageStoreConfig.getDiskMaxUsedSpaceRatio returns it.
func (c *Config) DiskMaxUsedSpaceRatio() int {
	return min(max(c.Store.DiskMaxUsedSpaceRatio, 10), 95)
}

// TransientStorePoolActive is MessageStoreConfig.isTransientStorePoolEnable:
// the pool only applies to an ASYNC_FLUSH master. rocketgo never uses it;
// this tells a caller whether Java would have.
func (c *Config) TransientStorePoolActive() bool {
	return c.Store.TransientStorePoolEnable && c.Store.FlushDiskType == AsyncFlush && c.Store.BrokerRole != Slave
}

// RegisterPeriod is the NameServer registration period Java schedules:
// registerNameServerPeriod clamped to [10 s, 60 s].
func (c *Config) RegisterPeriod() time.Duration {
	ms := min(max(c.Broker.RegisterNameServerPeriod, 10000), 60000)
	return time.Duration(ms) * time.Millisecond
}

// DelayLevels parses messageDelayLevel as ScheduleMessageService does:
// entries separated by single spaces, each a (possibly negative) integer
// followed by s, m, h or d. Level i (1-based) is element i-1.
func (c *Config) DelayLevels() ([]time.Duration, error) {
	units := map[byte]int64{'s': 1000, 'm': 60 * 1000, 'h': 3600 * 1000, 'd': 24 * 3600 * 1000}
	s := c.Store.MessageDelayLevel
	if s == "" {
		// Java's "".split(" ") is one empty entry, which fails to parse.
		return nil, fmt.Errorf("messageDelayLevel is empty")
	}
	parts := strings.Split(s, " ")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	levels := make([]time.Duration, 0, len(parts))
	for i, p := range parts {
		bad := func() error {
			return fmt.Errorf("messageDelayLevel=%q: level %d (%q) is not a number followed by s, m, h or d", s, i+1, p)
		}
		if p == "" {
			return nil, bad()
		}
		unit, ok := units[p[len(p)-1]]
		if !ok {
			return nil, bad()
		}
		n, err := strconv.ParseInt(p[:len(p)-1], 10, 64)
		if err != nil {
			return nil, bad()
		}
		levels = append(levels, time.Duration(n*unit)*time.Millisecond)
	}
	return levels, nil
}
