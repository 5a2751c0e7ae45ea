package main

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/rocketgo/rocketgo/store/message"
)

// A body of at least markerLen bytes starts with a marker: "MQB1", the run
// id and the send time in Unix microseconds. The consumer side uses it to
// count only this run's messages and to measure end-to-end latency to the
// microsecond; bornTimestamp, which Java's benchmark Consumer uses, is in
// milliseconds only. Shorter bodies carry no marker; their latency is taken
// from the born timestamp.
const (
	markerMagic = "MQB1"
	markerLen   = 4 + 8 + 8
)

// filler returns n random alphanumeric bytes, like Java's benchmark body.
func filler(n int) []byte {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rand.IntN(len(alnum))]
	}
	return b
}

// stamp writes the marker into body (when it is long enough).
func stamp(body []byte, runID uint64, now time.Time) {
	if len(body) < markerLen {
		return
	}
	copy(body, markerMagic)
	binary.BigEndian.PutUint64(body[4:], runID)
	binary.BigEndian.PutUint64(body[12:], uint64(now.UnixMicro()))
}

// readMarker returns the run id and send time of a marked body.
func readMarker(body []byte) (runID uint64, sent time.Time, ok bool) {
	if len(body) < markerLen || string(body[:4]) != markerMagic {
		return 0, time.Time{}, false
	}
	return binary.BigEndian.Uint64(body[4:]), time.UnixMicro(int64(binary.BigEndian.Uint64(body[12:]))), true
}

// e2eLatency is consume time - send time, from the marker or else the born
// timestamp (ms). A negative value (clocks of two hosts) reads as 0.
func e2eLatency(body []byte, bornMillis int64, now time.Time) (time.Duration, uint64, bool) {
	var d time.Duration
	id, sent, ok := readMarker(body)
	if ok {
		d = now.Sub(sent)
	} else {
		d = now.Sub(time.UnixMilli(bornMillis))
	}
	return max(d, 0), id, ok
}

// uniqKeys makes message ids in the layout of Java's MessageClientIDSetter
// (32 upper-case hex digits) that are unique per run: the run id, the
// worker and a counter.
type uniqKeys struct {
	prefix [8]byte
	worker uint16
	seq    uint64
}

func newUniqKeys(runID uint64, worker int) *uniqKeys {
	u := &uniqKeys{worker: uint16(worker)}
	binary.BigEndian.PutUint64(u.prefix[:], runID)
	return u
}

func (u *uniqKeys) next() string {
	var b [16]byte
	copy(b[:], u.prefix[:])
	u.seq++
	binary.BigEndian.PutUint64(b[8:], uint64(u.worker)<<48|u.seq&(1<<48-1))
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// userProperties are the prop0..propN pairs Java's benchmark adds with -p:
// pairs until their names and values add up to more than size bytes.
func userProperties(size int, start int) [][2]string {
	if size <= 0 {
		return nil
	}
	var out [][2]string
	total := 0
	for i := 0; ; i += 2 {
		p1, v1 := "prop"+strconv.Itoa(i), "hello"+strconv.Itoa(start)
		p2, v2 := "prop"+strconv.Itoa(i+1), strconv.Itoa(start)
		out = append(out, [2]string{p1, v1}, [2]string{p2, v2})
		total += len(p1) + len(p2) + len(v1) + len(v2)
		if total > size {
			return out
		}
		start += 2
	}
}

// messageProps is what a message carries besides its body, built per
// message as Java's benchmark does (key = the send second, tag by time).
type messageProps struct {
	keys, tags string
	delay      int
	user       [][2]string
	uniq       string
}

func (o *options) props(now time.Time, user [][2]string, uniq string) messageProps {
	p := messageProps{user: user, uniq: uniq}
	if o.keys {
		p.keys = strconv.FormatInt(now.UnixMilli()/1000, 10)
	}
	if o.tagCount > 0 {
		p.tags = "tag" + strconv.FormatInt(now.UnixMilli()%int64(o.tagCount), 10)
	}
	if o.delay {
		p.delay = o.delayLevel
	}
	return p
}

// appendProperties serializes p as the properties string of a send
// (name 0x01 value 0x02 ...), with WAIT=true as every Java Message has.
func appendProperties(dst []byte, p messageProps) []byte {
	add := func(k, v string) {
		dst = append(dst, k...)
		dst = append(dst, message.NameValueSeparator)
		dst = append(dst, v...)
		dst = append(dst, message.PropertySeparator)
	}
	if p.keys != "" {
		add(message.PropertyKeys, p.keys)
	}
	if p.tags != "" {
		add(message.PropertyTags, p.tags)
	}
	if p.delay > 0 {
		add(message.PropertyDelayTimeLevel, strconv.Itoa(p.delay))
	}
	for _, kv := range p.user {
		add(kv[0], kv[1])
	}
	if p.uniq != "" {
		add(message.PropertyUniqClientMessageIDKeyIdx, p.uniq)
	}
	add(message.PropertyWaitStoreMsgOK, "true")
	return dst
}
