package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/store/message"
)

// output writes a command's result: Java's printf layout, or with --json
// one indented JSON document per result.
type output struct {
	w    io.Writer
	json bool
}

// printf writes Java-style formatted text (the format strings are Java's,
// with %n written as \n; Go's verbs pad the same way).
func (o *output) printf(format string, args ...any) { fmt.Fprintf(o.w, format, args...) }

// emitJSON writes v as indented JSON.
func (o *output) emitJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON output: %w", err)
	}
	_, err = o.w.Write(append(b, '\n'))
	return err
}

// table is a Java-style aligned table: one printf format for the title
// row and every data row, as the Java commands print them.
type table struct {
	o      *output
	format string
}

func (t table) row(args ...any) { t.o.printf(t.format, args...) }

// frontStringAtLeast cuts s to at most n characters (Java
// UtilAll.frontStringAtLeast, whose name says the opposite).
func frontStringAtLeast(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// humanMillis formats a time as UtilAll.timeMillisToHumanString2:
// "yyyy-MM-dd HH:mm:ss,SSS" in the local time zone.
func humanMillis(ms int64, loc *time.Location) string {
	return time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04:05,000")
}

// formatDate is UtilAll.formatDate with YYYY_MM_DD_HH_MM_SS.
func formatDate(ms int64, loc *time.Location) string {
	return time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04:05")
}

// parseTimestamp reads a time option as the Java commands do: epoch
// milliseconds, or yyyy-MM-dd#HH:mm:ss:SSS in the local time zone.
func parseTimestamp(s string, loc *time.Location) (int64, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ms, nil
	}
	bad := &usageError{fmt.Sprintf("timestamp %q: want milliseconds or yyyy-MM-dd#HH:mm:ss:SSS", s)}
	// Go's layouts take fractional seconds only after '.' or ','.
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return 0, bad
	}
	t, err := time.ParseInLocation("2006-01-02#15:04:05", s[:i], loc)
	if err != nil {
		return 0, bad
	}
	ms, err := strconv.Atoi(s[i+1:])
	if err != nil || ms < 0 || ms > 999 || len(s)-i-1 != 3 {
		return 0, bad
	}
	return t.UnixMilli() + int64(ms), nil
}

// perm2String is PermName.perm2String.
func perm2String(perm int32) string { return body.PermString(perm) }

// versionDesc is MQVersion.getVersionDesc: the name of a version ordinal
// of Java's MQVersion.Version enum, whose 613 names follow a pattern with
// a few irregular entries at the start.
func versionDesc(v int32) string {
	names := versionNames()
	if v < 0 {
		v = 0
	}
	if int(v) >= len(names) {
		return names[len(names)-1]
	}
	return names[v]
}

func versionNames() []string {
	names := []string{"V3_0_0_SNAPSHOT", "V3_0_0_ALPHA1"}
	for i := 1; i <= 5; i++ {
		names = append(names, fmt.Sprintf("V3_0_0_BETA%d", i))
	}
	for i := 6; i <= 9; i++ {
		names = append(names, fmt.Sprintf("V3_0_0_BETA%d_SNAPSHOT", i), fmt.Sprintf("V3_0_0_BETA%d", i))
	}
	names = append(names, "V3_0_0_FINAL")
	for p := 1; p <= 15; p++ {
		names = append(names, fmt.Sprintf("V3_0_%d_SNAPSHOT", p), fmt.Sprintf("V3_0_%d", p))
	}
	for major := 3; major <= 5; major++ {
		for minor := 0; minor <= 9; minor++ {
			if major == 3 && minor == 0 {
				continue
			}
			first := 0
			if major == 3 && minor > 2 {
				first = 1 // V3_3_0 .. V3_9_0 were never defined
			}
			for p := first; p <= 9; p++ {
				names = append(names, fmt.Sprintf("V%d_%d_%d_SNAPSHOT", major, minor, p), fmt.Sprintf("V%d_%d_%d", major, minor, p))
			}
		}
	}
	return append(names, "HIGHER_VERSION")
}

// hostText is RemotingHelper.parseSocketAddressAddr of a host: "ip:port"
// (Java prints an IPv6 address in full, without brackets).
func hostText(h message.Host) string {
	return javaIP(h.Addr) + ":" + strconv.Itoa(int(h.Port))
}

func javaIP(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() || !a.IsValid() {
		return a.String()
	}
	b := a.As16()
	parts := make([]string, 8)
	for i := range parts {
		parts[i] = strconv.FormatUint(uint64(b[2*i])<<8|uint64(b[2*i+1]), 16)
	}
	return strings.Join(parts, ":")
}

// javaMapString is AbstractMap.toString: "{k=v, k=v}".
func javaMapString(entries [][2]string) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, e := range entries {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(e[0] + "=" + e[1])
	}
	sb.WriteByte('}')
	return sb.String()
}

// javaBytes is Arrays.toString(byte[]): signed decimal bytes.
func javaBytes(b []byte) string {
	if b == nil {
		return "null"
	}
	var sb strings.Builder
	sb.WriteByte('[')
	for i, c := range b {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(int(int8(c))))
	}
	sb.WriteByte(']')
	return sb.String()
}

// nullable prints "" as Java prints a null String: "null".
func nullable(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// messageQueueString is MessageQueue.toString.
func messageQueueString(q body.MessageQueue) string { return q.String() }

// messageExtString is MessageExt.toString of a client-decoded message
// (its msgId field is the offset id; the superclass part is
// Message.toString with the body as signed bytes).
func messageExtString(m *admin.Message) string {
	return "MessageExt [brokerName=" + nullable(m.BrokerName) +
		", queueId=" + strconv.Itoa(int(m.QueueID)) +
		", storeSize=" + strconv.Itoa(int(m.StoreSize)) +
		", queueOffset=" + strconv.FormatInt(m.QueueOffset, 10) +
		", sysFlag=" + strconv.Itoa(int(m.SysFlag)) +
		", bornTimestamp=" + strconv.FormatInt(m.BornTimestamp, 10) +
		", bornHost=/" + hostText(m.BornHost) +
		", storeTimestamp=" + strconv.FormatInt(m.StoreTimestamp, 10) +
		", storeHost=/" + hostText(m.StoreHost) +
		", msgId=" + m.OffsetMsgID +
		", commitLogOffset=" + strconv.FormatInt(m.CommitLogOffset, 10) +
		", bodyCRC=" + strconv.Itoa(int(m.BodyCRC)) +
		", reconsumeTimes=" + strconv.Itoa(int(m.ReconsumeTimes)) +
		", preparedTransactionOffset=" + strconv.FormatInt(m.PreparedTransactionOffset, 10) +
		", toString()=Message{topic='" + m.Topic + "', flag=" + strconv.Itoa(int(m.Flag)) +
		", properties=" + javaMapString(m.PropertyList()) +
		", body=" + javaBytes(m.Body) +
		", transactionId='" + transactionID(m) + "'}]"
}

// transactionID is what PullAPIWrapper sets for a prepared transaction
// message (its unique key); Java prints null otherwise.
func transactionID(m *admin.Message) string {
	if v, _ := m.Property(message.PropertyTransactionPrepared); strings.EqualFold(v, "true") {
		if u, ok := m.Property(message.PropertyUniqClientMessageIDKeyIdx); ok {
			return u
		}
	}
	return "null"
}

// messageJSON is the --json form of a message.
type messageJSON struct {
	MsgID                     string            `json:"msgId"`
	OffsetMsgID               string            `json:"offsetMsgId"`
	Topic                     string            `json:"topic"`
	BrokerName                string            `json:"brokerName,omitempty"`
	Tags                      string            `json:"tags,omitempty"`
	Keys                      string            `json:"keys,omitempty"`
	QueueID                   int32             `json:"queueId"`
	QueueOffset               int64             `json:"queueOffset"`
	CommitLogOffset           int64             `json:"commitLogOffset"`
	StoreSize                 int32             `json:"storeSize"`
	ReconsumeTimes            int32             `json:"reconsumeTimes"`
	BornTimestamp             int64             `json:"bornTimestamp"`
	StoreTimestamp            int64             `json:"storeTimestamp"`
	BornHost                  string            `json:"bornHost"`
	StoreHost                 string            `json:"storeHost"`
	SysFlag                   int32             `json:"sysFlag"`
	Flag                      int32             `json:"flag"`
	BodyCRC                   int32             `json:"bodyCRC"`
	PreparedTransactionOffset int64             `json:"preparedTransactionOffset"`
	Properties                map[string]string `json:"properties"`
	Body                      string            `json:"body"`
	BodyPath                  string            `json:"bodyPath,omitempty"`
}

func toMessageJSON(m *admin.Message) messageJSON {
	props := map[string]string{}
	for _, kv := range m.PropertyList() {
		props[kv[0]] = kv[1]
	}
	tags, _ := m.Property(message.PropertyTags)
	keys, _ := m.Property(message.PropertyKeys)
	return messageJSON{
		MsgID: m.MsgID(), OffsetMsgID: m.OffsetMsgID, Topic: m.Topic, BrokerName: m.BrokerName, Tags: tags, Keys: keys,
		QueueID: m.QueueID, QueueOffset: m.QueueOffset, CommitLogOffset: m.CommitLogOffset, StoreSize: m.StoreSize,
		ReconsumeTimes: m.ReconsumeTimes, BornTimestamp: m.BornTimestamp, StoreTimestamp: m.StoreTimestamp,
		BornHost: hostText(m.BornHost), StoreHost: hostText(m.StoreHost), SysFlag: m.SysFlag, Flag: m.Flag,
		BodyCRC: m.BodyCRC, PreparedTransactionOffset: m.PreparedTransactionOffset, Properties: props, Body: string(m.Body),
	}
}

// queueJSON is the --json form of a message queue.
type queueJSON struct {
	Topic      string `json:"topic"`
	BrokerName string `json:"brokerName"`
	QueueID    int32  `json:"queueId"`
}

func toQueueJSON(q body.MessageQueue) queueJSON {
	return queueJSON{Topic: q.Topic, BrokerName: q.BrokerName, QueueID: q.QueueID}
}
